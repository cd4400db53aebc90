// The algorithm input of a new task: the method to call and its positional and keyword
// arguments, entered in a small form (one row per argument, of a chosen type) or as raw JSON.
// read() turns either into {method, args, kwargs} for formats/task-input.js, or throws a
// TaskInputError naming what is wrong, so that nothing is sent an algorithm could not read.

import { h, replace } from "../core/dom.js";
import { TaskInputError } from "../formats/task-input.js";
import { field, outcome } from "./forms.js";

const TYPES = [
  ["text", "Text"],
  ["number", "Number"],
  ["list", "List"],
  ["json", "JSON"],
];
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const PARTS = new Set(["method", "args", "kwargs"]);

/**
 * The input editor, showing `initial` ({method, args, kwargs}, any part missing): {element,
 * read(), show(input)}. show() replaces what is entered with another input (a repeated
 * task's).
 */
export function inputEditor(initial = {}) {
  const line = outcome();
  const small = smallForm();
  const raw = field("task-input-json", "Input (JSON)", {
    tag: "textarea",
    rows: 8,
    spellcheck: "false",
    "aria-describedby": "task-input-json-hint",
  });
  raw.append(
    h(
      "p",
      { id: "task-input-json-hint", class: "hint" },
      'An object with "method", and optionally "args" (a list) and "kwargs" (an object).',
    ),
  );
  const modes = modeChoice((mode) => {
    line.say("");
    try {
      if (mode === "json") {
        raw.querySelector("textarea").value = JSON.stringify(small.read(), null, 2);
      } else {
        small.show(rawInput(raw.querySelector("textarea").value));
      }
    } catch (error) {
      if (!(error instanceof TaskInputError)) throw error;
      line.say(error.message, "error");
      return false; // stay in the mode whose content has the problem
    }
    small.element.hidden = mode === "json";
    raw.hidden = mode !== "json";
    return true;
  });
  raw.hidden = true;
  small.show(initial);
  const element = h(
    "fieldset",
    { class: "choices algorithm-input" },
    h("legend", {}, "Algorithm input"),
    modes.element,
    small.element,
    raw,
    line,
  );
  return {
    element,
    read: () =>
      modes.current() === "json" ? rawInput(raw.querySelector("textarea").value) : small.read(),
    show(input) {
      modes.set("form");
      small.element.hidden = false;
      raw.hidden = true;
      small.show(input);
    },
  };
}

/** Radio buttons "Form" and "Raw JSON"; onSwitch(mode) returns false to refuse the switch. */
function modeChoice(onSwitch) {
  const radios = [
    ["form", "Form"],
    ["json", "Raw JSON"],
  ].map(([value, label]) => {
    const id = `task-input-mode-${value}`;
    const input = h("input", { type: "radio", name: "task-input-mode", id, value });
    return { input, element: h("span", { class: "check" }, input, h("label", { for: id }, label)) };
  });
  let current = "form";
  const set = (mode) => {
    current = mode;
    for (const { input } of radios) input.checked = input.value === mode;
  };
  for (const { input } of radios) {
    input.addEventListener("change", () => set(onSwitch(input.value) ? input.value : current));
  }
  set("form");
  return {
    element: h(
      "div",
      { class: "input-modes", role: "radiogroup", "aria-label": "Enter the input as" },
      radios.map(({ element }) => element),
    ),
    current: () => current,
    set,
  };
}

/** The method and a row per argument. */
function smallForm() {
  const method = field("task-method", "Method", { autocomplete: "off" });
  const positional = argumentList("Positional arguments (args)", "Argument", false);
  const keywords = argumentList("Keyword arguments (kwargs)", "Keyword argument", true);
  const hint = h(
    "p",
    { class: "hint" },
    "A list is items separated by commas (numbers stay numbers); for anything else, choose JSON.",
  );
  return {
    element: h("div", { class: "small-input" }, method, positional.element, keywords.element, hint),
    read() {
      const args = positional.rows().map((row) => row.read());
      const kwargs = {};
      for (const row of keywords.rows()) {
        const [name, value] = row.read();
        if (Object.hasOwn(kwargs, name)) {
          throw new TaskInputError(`Keyword argument "${name}" is given twice`);
        }
        kwargs[name] = value;
      }
      return { method: method.querySelector("input").value.trim(), args, kwargs };
    },
    show({ method: name = "", args = [], kwargs = {} }) {
      method.querySelector("input").value = name;
      positional.fill(args.map((value) => [null, value]));
      keywords.fill(Object.entries(kwargs));
    },
  };
}

/** The rows of one kind of argument under `legend`, each named `noun` and its number (for
 * its labels), with a name when `named`. */
function argumentList(legend, noun, named) {
  const list = h("ol", { class: "argument-list" });
  const rows = [];
  const renumber = () => rows.forEach((row, index) => row.label(`${noun} ${index + 1}`));
  const add = (name = "", value = undefined) => {
    const row = argumentRow(named, name, value, () => {
      rows.splice(rows.indexOf(row), 1);
      row.element.remove();
      renumber();
    });
    rows.push(row);
    list.append(row.element);
    renumber();
    return row;
  };
  const button = h(
    "button",
    {
      type: "button",
      class: "secondary",
      onclick: () => add().element.querySelector("input, select")?.focus(),
    },
    `Add ${noun.toLowerCase()}`,
  );
  return {
    element: h("fieldset", { class: "choices" }, h("legend", {}, legend), list, button),
    rows: () => rows,
    fill(entries) {
      rows.splice(0);
      replace(list);
      for (const [name, value] of entries) add(name, value);
    },
  };
}

/** One argument: its name (when `named`), type and value; read() gives the value, or
 * [name, value] when named. */
function argumentRow(named, name, value, onRemove) {
  const [type, text] = typed(value);
  const nameInput = named ? h("input", { class: "argument-name", value: name ?? "" }) : null;
  const typeSelect = h(
    "select",
    { class: "argument-type" },
    TYPES.map(([key, label]) => h("option", { value: key, selected: key === type }, label)),
  );
  const valueInput = h("input", { class: "argument-value", value: text, spellcheck: "false" });
  const remove = h("button", { type: "button", class: "secondary", onclick: onRemove }, "Remove");
  let label = "";
  return {
    element: h("li", { class: "argument" }, nameInput, typeSelect, valueInput, remove),
    label(text) {
      label = text;
      nameInput?.setAttribute("aria-label", `${text} name`);
      typeSelect.setAttribute("aria-label", `${text} type`);
      valueInput.setAttribute("aria-label", `${text} value`);
      remove.setAttribute("aria-label", `Remove ${text.toLowerCase()}`);
    },
    read() {
      const parsed = valueOf(typeSelect.value, valueInput.value, label);
      if (!named) return parsed;
      const key = nameInput.value.trim();
      if (!key) throw new TaskInputError(`${label} has no name`);
      return [key, parsed];
    },
  };
}

/** The type and text a value is shown with: text and numbers as such, the rest as JSON. */
function typed(value) {
  if (value === undefined) return ["text", ""];
  if (typeof value === "string") return ["text", value];
  if (typeof value === "number" && Number.isFinite(value)) return ["number", String(value)];
  return ["json", JSON.stringify(value)];
}

/** The value `text` stands for as a `type`; `label` names it in errors. */
function valueOf(type, text, label) {
  switch (type) {
    case "number": {
      if (!NUMBER.test(text.trim())) throw new TaskInputError(`${label} is not a number`);
      return Number(text);
    }
    case "list":
      return text.trim() === "" ? [] : text.split(",").map(listItem);
    case "json":
      return parsedJson(text, label);
    default:
      return text;
  }
}

function listItem(text) {
  const item = text.trim();
  return NUMBER.test(item) ? Number(item) : item;
}

function parsedJson(text, what) {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new TaskInputError(`${what} is not valid JSON: ${error.message}`);
  }
}

/** The input written as raw JSON. */
function rawInput(text) {
  return asInput(parsedJson(text, "The input"));
}

/** `value` if it is an input: an object of method, args (a list) and kwargs (an object)
 * only; TaskInputError otherwise. */
export function asInput(value) {
  if (!isObject(value)) {
    throw new TaskInputError('The input must be a JSON object, e.g. {"method": "average"}');
  }
  const unknown = Object.keys(value).filter((key) => !PARTS.has(key));
  if (unknown.length) {
    const named = unknown.map((key) => `"${key}"`).join(", ");
    throw new TaskInputError(`The input holds only "method", "args" and "kwargs", not ${named}`);
  }
  if ("args" in value && !Array.isArray(value.args)) {
    throw new TaskInputError('"args" must be a list');
  }
  if ("kwargs" in value && !isObject(value.kwargs)) {
    throw new TaskInputError('"kwargs" must be an object');
  }
  return value;
}

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

// The decoded results of a task (and of its subtasks), per organization, with a chart when
// they are numbers. In an encrypted collaboration a run's result is encrypted for the
// organization that created its task: the user's own organization's results are decrypted
// with its private key once it is loaded (parts/private-key.js); the others' say for whom
// they are.
//
// Decoding is kept per run (for the same text and key), so that drawing the results again on
// every live update neither decrypts again nor loses what the user did in a result's view.

import { h } from "../core/dom.js";
import { hasPrivateKey } from "../formats/crypto.js";
import { decodeResult } from "../formats/result.js";
import { resultsChart, resultView } from "./result-view.js";
import { organizationName } from "./task-runs.js";
import { empty } from "../core/states.js";

/** A cache of decoded results, for resultGroups(); one per page. */
export function decodedResults() {
  return new Map(); // run id -> {text, keyed, decoded: {value} | {bytes} | {problem}, view}
}

/**
 * One section per task of `tasks` (the task itself first, titled by `title(task)`) with the
 * results of its runs; `task.runs` and `task.results` as GET /task?include=runs,results
 * gives them. `reading`: {names, encrypted (null when unknown), own (the user's organization
 * id), cache (decodedResults())}.
 */
export async function resultGroups(tasks, title, reading) {
  const groups = await Promise.all(tasks.map((task) => group(task, title(task), reading)));
  return groups.some(Boolean) ? groups : empty("No results yet.");
}

async function group(task, heading, reading) {
  const texts = new Map(task.results.map((result) => [Number(result.id), result.result]));
  const done = task.runs.filter((run) => texts.get(Number(run.id)));
  if (done.length === 0) return null;
  const shown = await Promise.all(
    done.map((run) => read(run, texts.get(Number(run.id)), task, reading)),
  );
  const numbers = charts(
    shown
      .filter(({ decoded }) => "value" in decoded)
      .map(({ run, decoded }) => ({ label: label(run, reading), value: decoded.value })),
  );
  return h(
    "section",
    { class: "result-group", "data-task": String(Number(task.id)) },
    h("h3", {}, heading),
    numbers,
    shown.map(({ run, view }) =>
      h(
        "div",
        { class: "result", "data-run": String(Number(run.id)) },
        h("h4", {}, label(run, reading)),
        view,
      ),
    ),
  );
}

function label(run, { names }) {
  return organizationName(names, run.organization.id);
}

async function read(run, text, task, reading) {
  const id = Number(run.id);
  const keyed = hasPrivateKey();
  let kept = reading.cache.get(id);
  if (kept?.text !== text || kept.keyed !== keyed) {
    const decoded = await decoding(text, task, reading);
    kept = { text, keyed, decoded, view: viewOf(decoded, `task-${Number(task.id)}-run-${id}`) };
    reading.cache.set(id, kept);
  }
  return { run, ...kept };
}

async function decoding(text, task, { encrypted, own, names }) {
  if (encrypted === null) {
    return {
      problem:
        "Your rules do not show the task's collaboration, so whether this result is " +
        "encrypted is not known, and it cannot be read here.",
    };
  }
  const recipient = Number(task.init_org.id);
  if (encrypted && recipient !== own) {
    return {
      problem:
        `This result is encrypted for ${organizationName(names, recipient)}, which created ` +
        "the task: only that organization can read it.",
    };
  }
  if (encrypted && !hasPrivateKey()) {
    return {
      problem: "This result is encrypted: load your organization's private key to read it.",
    };
  }
  try {
    return await decodeResult(text, { encrypted });
  } catch (error) {
    // decodeResult's messages say what failed ("The result cannot be decrypted: …").
    return { problem: error.message, failed: true };
  }
}

function viewOf(decoded, name) {
  if ("value" in decoded) return resultView(decoded.value, { name });
  if ("bytes" in decoded) return resultView(decoded.bytes, { name });
  const kind = decoded.failed ? { class: "error", role: "alert" } : { class: "empty" };
  return h("p", kind, decoded.problem);
}

/** Charts of the numbers in `items` ([{label, value}]): one of the values when they are
 * numbers, else one per member that is a number in every value (the demo average's partial
 * results, {sum, count}, give a chart of sums and one of counts). */
function charts(items) {
  const whole = resultsChart(items);
  if (whole || items.length === 0 || !items.every(({ value }) => isObject(value))) {
    return whole;
  }
  const members = Object.keys(items[0].value).filter((member) =>
    items.every(({ value }) => Number.isFinite(value[member])),
  );
  return members.map((member) =>
    resultsChart(
      items.map(({ label, value }) => ({ label, value: value[member] })),
      `${member} by organization`,
    ),
  );
}

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

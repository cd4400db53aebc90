// A bar chart of one number per organization, drawn as SVG. One row per organization: its
// name and value on a line, its bar below, measured from zero, so negative values go left
// of the zero line. Positions are percentages of the chart's width, so it fits any screen
// without shrinking its text. To assistive technology the bars are a list, each item named
// "<organization>: <value>".

import { h } from "../core/dom.js";

const SVG = "http://www.w3.org/2000/svg";
const ROW = 44; // pixels: a line of text, the bar, the gap to the next row
const TEXT_BASELINE = 15;
const BAR_TOP = 21;
const BAR_HEIGHT = 16;
const SIGNIFICANT_DIGITS = 6;

/** A chart of `items` ([{label, value}]) under `caption`, or null when there are none or a
 * value is not a finite number. */
export function resultsChart(items, caption = "Results by organization") {
  if (items.length === 0 || !items.every(({ value }) => Number.isFinite(value))) return null;
  const values = items.map(({ value }) => value);
  const low = Math.min(0, ...values);
  const span = Math.max(0, ...values) - low || 1; // all zero: bars of no width
  const share = (amount) => `${((100 * amount) / span).toFixed(3)}%`;
  const position = (value) => share(value - low);
  const height = items.length * ROW;
  const chart = svg("svg", { role: "list", "aria-label": caption, height });
  chart.append(
    ...items.map(({ label, value }, index) => {
      const top = index * ROW;
      const bar = svg("rect", {
        x: position(Math.min(value, 0)),
        y: top + BAR_TOP,
        width: share(Math.abs(value)),
        height: BAR_HEIGHT,
        class: value < 0 ? "chart-bar negative" : "chart-bar",
      });
      return row(label, formatted(value), top, bar);
    }),
  );
  if (low < 0) {
    const zero = position(0);
    chart.append(svg("line", { x1: zero, x2: zero, y1: 0, y2: height, class: "chart-zero" }));
  }
  return h("figure", { class: "results-chart" }, h("figcaption", {}, caption), chart);
}

function row(label, value, top, bar) {
  const text = svg("text", { x: 0, y: top + TEXT_BASELINE, "aria-hidden": "true" });
  text.append(
    svg("tspan", { class: "chart-label" }, label),
    " ",
    svg("tspan", { class: "chart-value" }, value),
  );
  return svg("g", { role: "listitem", "aria-label": `${label}: ${value}` }, text, bar);
}

/** Whole numbers as they are, others to six significant digits. */
function formatted(value) {
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(SIGNIFICANT_DIGITS)));
}

/** An SVG element; attributes set with setAttribute, text as text. */
function svg(tag, attributes, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children.map((child) => (child instanceof Node ? child : String(child))));
  return element;
}

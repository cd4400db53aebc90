// The tasks of one job as a tree: the task a user created at its root, under each task the
// subtasks its algorithm created (a central task above its partial tasks). The API links them
// by parent (task.parent.id) within one job (task.job_id).

import { h } from "../core/dom.js";
import { statusTag } from "./run-status.js";
import { empty } from "../core/states.js";

/** The tree of `tasks` (a job's tasks, as GET /task?job_id= lists them), the task `current`
 * (an id) marked as the one on screen. */
export function subtaskTree(tasks, current) {
  if (tasks.length <= 1) return empty("This task has no subtasks.");
  const ids = new Set(tasks.map((task) => Number(task.id)));
  const children = new Map();
  const roots = [];
  for (const task of tasks) {
    const parent = task.parent ? Number(task.parent.id) : null;
    if (parent === null || !ids.has(parent)) {
      roots.push(task); // the job's first task, or one whose parent the user may not see
    } else {
      children.set(parent, [...(children.get(parent) ?? []), task]);
    }
  }
  return branch(roots, children, current);
}

function branch(tasks, children, current) {
  return h(
    "ul",
    { class: "subtask-tree" },
    tasks.map((task) => {
      const id = Number(task.id);
      const below = children.get(id);
      return h(
        "li",
        {},
        h(
          "a",
          { href: `#/tasks/${id}`, "aria-current": id === current ? "page" : null },
          `Task ${id}`,
          task.name ? ` “${task.name}”` : "",
        ),
        " ",
        statusTag(task.status),
        below ? branch(below, children, current) : null,
      );
    }),
  );
}

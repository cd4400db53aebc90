// One task: what it is, its runs per organization (status, times, the node's log), the
// decoded results with a chart, and its job's tasks as a tree; as the user's rules allow,
// repeating, killing and deleting it. Every status change arrives over the socket and is
// drawn without a reload (core/live.js polls while the socket is down).

import * as api from "../core/api.js";
import { details, h, replace, replaceKeepingFocus } from "../core/dom.js";
import { follow, liveBadge } from "../core/live.js";
import { currentUser } from "../core/me.js";
import { outcome } from "../parts/forms.js";
import { killButton } from "../parts/kill-task.js";
import { settle } from "../parts/offers.js";
import { panel } from "../parts/panels.js";
import { myPermissions } from "../access/permissions.js";
import { privateKeyLoader } from "../parts/private-key.js";
import { deleteOffer, named, recordPage } from "../parts/record-page.js";
import { isOpen, moment, statusTag } from "../parts/run-status.js";
import { subtaskTree } from "../parts/subtask-tree.js";
import { decodedResults, resultGroups } from "../parts/task-results.js";
import { organizationName, runsTable } from "../parts/task-runs.js";
import { fill, quiet } from "../core/states.js";

// The socket's events about tasks and runs (events/domain.py): a new (sub)task, a run's
// report or status change, runs killed.
const EVENTS = ["new_task", "status_update", "algorithm_status_change", "kill_containers"];
const JOB_PAGE = 100; // the job's tasks shown in the tree; jobs are rarely larger

export default {
  title: "Task",
  public: false,
  async render({ main, args, signal }) {
    const path = `/task/${encodeURIComponent(args.id)}`;
    const said = outcome();
    const keyArea = h("div");
    const about = h("div", { class: "card about" });
    const parts = { about, runs: h("div"), results: h("div"), tree: h("div") };
    const { heading, actions } = recordPage(
      main,
      { list: "tasks", title: "Task", attributes: { tabindex: "-1" } },
      said,
      keyArea,
      about,
      h(
        "div",
        { class: "task-panels" },
        panel("runs-heading", "Runs", parts.runs),
        panel("results-heading", "Results", parts.results),
        panel("subtasks-heading", "Subtasks", parts.tree),
      ),
    );
    heading.after(liveBadge());
    const loaded = await fill(about, "the task", () => load(path, signal), describe);
    settle(actions);
    if (!loaded) return;
    named(heading, titleOf(loaded.task));
    const view = { ...loaded, parts, actions, said, openLogs: new Set(), cache: decodedResults() };
    const redraw = drawing(view);

    async function refresh() {
      try {
        const [task, job] = await Promise.all([
          api.get(`${path}?include=runs,results`, { signal }),
          jobOf(view.task, signal),
        ]);
        Object.assign(view, { task, job });
        await redraw();
      } catch (error) {
        if (!quiet(error)) {
          said.say(error.status === 404 ? "This task no longer exists." : error.message, "error");
        }
      }
    }
    view.refresh = oneAtATime(refresh);
    if (view.collaboration?.encrypted) replace(keyArea, privateKeyLoader({ onLoaded: redraw }));
    await redraw();
    follow({ events: EVENTS, refresh: view.refresh, signal });
  },
};

async function load(path, signal) {
  const [task, permissions, user] = await Promise.all([
    api.get(`${path}?include=runs,results`, { signal }),
    myPermissions(),
    currentUser(),
  ]);
  const collaborationId = Number(task.collaboration.id);
  const [collaboration, names, job] = await Promise.all([
    api.get(`/collaboration/${collaborationId}`, { signal }).catch(outOfReach),
    organizationNames(collaborationId, signal),
    jobOf(task, signal),
  ]);
  return { task, job, permissions, own: Number(user.organization.id), collaboration, names };
}

/** The names of the collaboration's organizations, as far as the user may see them. */
async function organizationNames(collaborationId, signal) {
  const query = `collaboration_id=${collaborationId}&per_page=500`;
  const found = await api.list(`/organization?${query}`, { signal }).catch(outOfReach);
  return new Map((found?.items ?? []).map(({ id, name }) => [Number(id), name]));
}

/** The tasks of the task's job, with their runs and results. */
async function jobOf(task, signal) {
  const query = `job_id=${Number(task.job_id)}&include=runs,results&sort=id&per_page=${JOB_PAGE}`;
  return (await api.list(`/task?${query}`, { signal })).items;
}

/** A related record the page can do without (out of the user's reach): null. */
function outOfReach(error) {
  if (quiet(error)) throw error;
  return null;
}

/** redraw(): the page's parts drawn from `view` as it is now; a drawing that finishes after a
 * later one started (decrypting takes a while) is dropped. */
function drawing(view) {
  let latest = 0;
  return async () => {
    const mine = ++latest;
    const { task, job, parts } = view;
    const results = await resultGroups([task, ...descendants(task, job)], heading(task), {
      names: view.names,
      encrypted: view.collaboration?.encrypted ?? null,
      own: view.own,
      cache: view.cache,
    });
    if (mine !== latest) return;
    replaceKeepingFocus(parts.about, describe(view));
    replaceKeepingFocus(parts.runs, runsTable(task.runs, view));
    replaceKeepingFocus(parts.results, results);
    replaceKeepingFocus(parts.tree, subtaskTree(job, Number(task.id)));
    offerActions(view);
  };
}

/** fn() run one at a time: calls while it runs ask for one more run after it. */
function oneAtATime(fn) {
  let running = null;
  let again = false;
  return async function call() {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await fn();
      } while (again);
    })();
    try {
      await running;
    } finally {
      running = null;
    }
  };
}

/** The subtasks of `task` at any depth, in the job's order (parents before children). */
function descendants(task, job) {
  const below = new Set([Number(task.id)]);
  return job.filter((candidate) => {
    if (!candidate.parent || !below.has(Number(candidate.parent.id))) return false;
    below.add(Number(candidate.id));
    return true;
  });
}

function heading(shown) {
  return (task) => (task === shown ? "This task" : titleOf(task).replace(/^Task/, "Subtask"));
}

function titleOf(task) {
  const id = Number(task.id);
  return task.name ? `Task ${id} “${task.name}”` : `Task ${id}`;
}

function describe({ task, collaboration, names }) {
  const collaborationId = Number(task.collaboration.id);
  const initiator = Number(task.init_org.id);
  const parent = task.parent ? Number(task.parent.id) : null;
  return details([
    ["Status", statusTag(task.status)],
    ["Description", task.description],
    ["Image", h("code", {}, task.image)],
    [
      "Collaboration",
      h(
        "a",
        { href: `#/collaborations/${collaborationId}` },
        collaboration?.name ?? `Collaboration ${collaborationId}`,
      ),
    ],
    [
      "Created by",
      h("a", { href: `#/organizations/${initiator}` }, organizationName(names, initiator)),
    ],
    ["Created", moment(task.created_at)],
    ["Finished", moment(task.finished_at)],
    ["Databases", task.databases.map((database) => database.label).join(", ")],
    ["Subtask of", parent && h("a", { href: `#/tasks/${parent}` }, `Task ${parent}`)],
    ["Job", String(task.job_id)],
    ["Id", String(task.id)],
  ]);
}

/** Repeat, Kill (while a run is open) and Delete, as the user's rules allow; drawn again only
 * when Kill comes or goes, and never while a confirmation is asked. */
function offerActions(view) {
  const { task, permissions, actions } = view;
  const open = isOpen(task.status) || task.runs.some((run) => isOpen(run.status));
  const asking = actions.querySelector(".confirm");
  if (open === view.offeredOpen || asking) return;
  view.offeredOpen = open;
  const id = Number(task.id);
  const reach = {
    organization: Number(task.init_org.id),
    owner: task.init_user ? Number(task.init_user.id) : null,
  };
  // As the server's TaskContext: killing is for those who send events or delete the task.
  const mayKill =
    permissions.may("send", "event", reach) || permissions.may("delete", "task", reach);
  replaceKeepingFocus(
    actions,
    permissions.holds("create", "task")
      ? h("a", { class: "button secondary", href: `#/tasks/new?repeat=${id}` }, "Repeat task")
      : null,
    mayKill && open
      ? killButton({
          id,
          what: titleOf(task).replace(/^Task/, "task"),
          onKilled: (answer) => {
            view.said.say(answer.msg);
            view.refresh();
          },
        })
      : null,
    permissions.may("delete", "task", reach)
      ? deleteOffer({ kind: "task", id, name: task.name || `Task ${id}`, path: `/task/${id}` })
      : null,
  );
}

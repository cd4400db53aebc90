// The first page after signing in: who is signed in, their organization, its collaborations
// with how many of their nodes are online, and the most recent tasks.

import * as api from "../core/api.js";
import { details, h, replace } from "../core/dom.js";
import { currentUser, displayName } from "../core/me.js";
import { empty, fill } from "../core/states.js";

const MAX_COLLABORATIONS = 100;
const ONE_PAGE = 500; // the server's largest page
const RECENT_TASKS = 5;

export default {
  title: "Home",
  public: false,
  async render({ main, signal }) {
    const heading = h("h1", {}, "Welcome");
    const you = h("div", { class: "you" });
    const organization = h("div");
    const collaborations = h("div");
    const tasks = h("div");
    replace(
      main,
      heading,
      you,
      h(
        "div",
        { class: "panels" },
        panel("organization-heading", "Your organization", organization),
        panel("collaborations-heading", "Your collaborations", collaborations),
      ),
      panel("tasks-heading", "Recent tasks", tasks),
    );
    const user = await fill(you, "your account", () => currentUser(), (found) => {
      heading.textContent = `Welcome, ${displayName(found)}`;
      return h("p", {}, "Signed in as ", h("strong", { class: "username" }, found.username));
    });
    if (!user) {
      replace(organization);
      replace(collaborations);
      replace(tasks);
      return;
    }
    const organizationId = user.organization.id;
    fill(
      organization,
      "your organization",
      () => api.get(`/organization/${organizationId}`, { signal }),
      showOrganization,
    );
    const query = new URLSearchParams({
      organization_id: organizationId,
      sort: "name",
      per_page: MAX_COLLABORATIONS,
    });
    const found = fill(
      collaborations,
      "your collaborations",
      () => api.list(`/collaboration?${query}`, { signal }),
      (page) => showCollaborations(page, signal),
    );
    fill(
      tasks,
      "recent tasks",
      // Each task's collaboration is named as the list beside it names it, when it loaded.
      () => Promise.all([recentTasks(signal), found]),
      ([page, listed]) => showTasks(page, listed),
    );
  },
};

function panel(id, title, content) {
  return h(
    "section",
    { class: "card", "aria-labelledby": id },
    h("h2", { id }, title),
    content,
  );
}

function showOrganization(organization) {
  return [
    h("p", { class: "organization-name" }, organization.name),
    details([
      ["Domain", organization.domain],
      ["Country", organization.country],
      ["Public key", organization.public_key ? "set" : "not set"],
    ]),
  ];
}

function showCollaborations({ items, total }, signal) {
  if (items.length === 0) {
    return empty("Your organization takes part in no collaboration yet.");
  }
  const counts = nodeCounts(signal); // one request for every collaboration's line
  const list = h(
    "ul",
    { class: "collaborations" },
    items.map((collaboration) =>
      h(
        "li",
        {},
        h("span", { class: "collaboration-name" }, collaboration.name),
        nodesOnline(collaboration.id, counts, signal),
        h("span", { class: "tag" }, collaboration.encrypted ? "encrypted" : "not encrypted"),
      ),
    ),
  );
  const more = total > items.length ? h("p", {}, `The first ${items.length} of ${total}.`) : null;
  return [list, more];
}

/** "2 of 3 nodes online", from the shared counts (or, when the user sees more nodes than
 * one page holds, from the collaboration's own two counts). */
function nodesOnline(collaborationId, counts, signal) {
  const line = h("div", { class: "nodes-online" });
  fill(
    line,
    "nodes",
    async () => {
      const shared = await counts;
      if (shared) return shared.get(collaborationId) ?? { online: 0, all: 0 };
      const [online, all] = await Promise.all([
        countNodes(collaborationId, { status: "online" }, signal),
        countNodes(collaborationId, {}, signal),
      ]);
      return { online, all };
    },
    ({ online, all }) =>
      all === 0 ? empty("No nodes yet") : `${online} of ${all} node${all === 1 ? "" : "s"} online`,
  );
  return line;
}

/** Collaboration id -> {online, all} of the nodes the user may see, from one page of them;
 * null when there are more than one page holds. */
async function nodeCounts(signal) {
  const { items, total } = await api.list(`/node?per_page=${ONE_PAGE}`, { signal });
  if (total > items.length) return null;
  const counts = new Map();
  for (const node of items) {
    const id = Number(node.collaboration.id);
    const count = counts.get(id) ?? { online: 0, all: 0 };
    count.all += 1;
    if (node.status === "online") count.online += 1;
    counts.set(id, count);
  }
  return counts;
}

/** How many nodes of the collaboration match filter: a page of one, for its total count. */
async function countNodes(collaborationId, filter, signal) {
  const query = new URLSearchParams({ collaboration_id: collaborationId, per_page: 1, ...filter });
  return (await api.list(`/node?${query}`, { signal })).total;
}

/** The newest tasks that users started (their algorithms' subtasks left out). */
function recentTasks(signal) {
  const query = new URLSearchParams({
    sort: "-created_at",
    is_user_created: 1,
    per_page: RECENT_TASKS,
  });
  return api.list(`/task?${query}`, { signal });
}

function showTasks({ items }, collaborations) {
  if (items.length === 0) return empty("No tasks yet.");
  const names = new Map(collaborations?.items.map(({ id, name }) => [id, name]));
  return h(
    "ul",
    { class: "short-list tasks" },
    items.map((task) =>
      h(
        "li",
        {},
        h(
          "span",
          {},
          h("strong", { class: "task-name" }, task.name || `Task ${task.id}`),
          " ",
          h("span", { class: "tag" }, task.status),
        ),
        h(
          "span",
          { class: "task-about" },
          names.get(task.collaboration.id) ?? `Collaboration ${task.collaboration.id}`,
          ", ",
          h("time", { datetime: task.created_at }, when(task.created_at)),
        ),
      ),
    ),
  );
}

function when(moment) {
  return new Date(moment).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

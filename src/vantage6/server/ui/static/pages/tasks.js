// The tasks the user may see, newest first, their statuses following the nodes' reports live:
// filtered by name, collaboration, status and who started them, a page at a time
// (#/tasks?name=…&collaboration=…&status=…&organization=…&user=…&sort=…&page=…).

import { h } from "../core/dom.js";
import { choiceFilter, listPage } from "../parts/listing.js";
import { nameIn, namesFilter, namesOf } from "../parts/names.js";
import { moment, statusTag } from "../parts/run-status.js";
import { myPermissions } from "../access/permissions.js";

// A task's statuses (vantage6.common.task_status), as the runs' life goes.
const STATUSES = [
  "pending",
  "initializing",
  "active",
  "completed",
  "failed",
  "start failed",
  "non-existing Docker image",
  "crashed",
  "killed by user",
  "not allowed",
  "unknown error",
];
// What changes a task's status (vantage6.server.events.domain); "sync" is followed anyway.
const STATUS_EVENTS = ["new_task", "algorithm_status_change", "kill_containers"];

export default listPage({
  kind: "tasks",
  resource: "task",
  title: "Tasks",
  newLabel: "New task",
  mayCreate: (permissions) => permissions.holds("create", "task"),
  sorts: [
    ["-id", "Newest first"],
    ["id", "Oldest first"],
    ["name", "Name, A to Z"],
    ["-name", "Name, Z to A"],
  ],
  filters: [
    namesFilter({
      kind: "collaborations",
      key: "collaboration",
      label: "Collaboration",
      apiParameter: "collaboration_id",
    }),
    choiceFilter({
      key: "status",
      label: "Status",
      choices: [["", "Any"], ...STATUSES.map((status) => [status, status])],
      apiParameter: "status",
    }),
    namesFilter({
      kind: "organizations",
      key: "organization",
      label: "Initiating organization",
      apiParameter: "init_org_id",
    }),
    namesFilter({
      kind: "users",
      key: "user",
      label: "Initiating user",
      any: "Anyone",
      apiParameter: "init_user_id",
    }),
  ],
  load: loadNames,
  live: STATUS_EVENTS,
  empty: { none: "There are no tasks yet.", unmatched: "No task matches these filters." },
  columns: [
    { heading: "Name", cell: (task) => h("a", { href: `#/tasks/${Number(task.id)}` }, task.name) },
    {
      heading: "Collaboration",
      cell: (task, { collaborations }) =>
        nameIn(collaborations, task.collaboration, "Collaboration"),
    },
    { heading: "Status", cell: (task) => statusTag(task.status) },
    { heading: "Initiator", cell: initiator },
    {
      heading: "Created",
      class: "wide-only",
      cell: (task) => moment(task.created_at),
    },
  ],
});

/** The names the filters and the table need. */
async function loadNames(signal) {
  const mine = await myPermissions();
  const [collaborations, organizations, users] = await Promise.all([
    namesOf("collaboration", mine, signal),
    namesOf("organization", mine, signal),
    namesOf("user", mine, signal, { sort: "username", labelOf: (user) => user.username }),
  ]);
  return { collaborations, organizations, users };
}

/** Who started the task: the user (none for an algorithm's subtask) and their organization. */
function initiator(task, { organizations, users }) {
  const organization = nameIn(organizations, task.init_org, "Organization");
  if (task.init_user === null) return organization;
  return `${nameIn(users, task.init_user, "User")}, ${organization}`;
}

// Deleting a record, with a confirmation first. When the server refuses because the record
// still has dependents (400, "... add ?delete_dependents=true ..."), its message is shown and
// deleting those along is offered as a second, explicit choice.

import * as api from "../core/api.js";
import { confirmedAction } from "./confirmed-action.js";

const WITH_DEPENDENTS = "delete_dependents";

/**
 * A "Delete" button that asks first: `what` names the record ("organization “Leiden”"),
 * `path` is its API path, onDeleted(answer) runs once the server has deleted it.
 */
export function deleteButton({ what, path, onDeleted }) {
  const remove = (address) => async () => (await api.request("DELETE", address)).answer;
  return confirmedAction({
    label: "Delete",
    question: `Delete ${what}?`,
    explanation: "This cannot be undone.",
    groupLabel: "Confirm deletion",
    confirmLabel: `Yes, delete ${what}`,
    busyLabel: "Deleting…",
    act: remove(path),
    onDone: onDeleted,
    onRefused: (error, insteadOf) => {
      if (error.status === 400 && error.message.includes(WITH_DEPENDENTS)) {
        const along = `Delete ${what} and everything it still has`;
        insteadOf(along, remove(`${path}?${WITH_DEPENDENTS}=true`));
      }
    },
  });
}

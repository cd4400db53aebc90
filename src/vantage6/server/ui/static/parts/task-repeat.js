// Repeating a task: the task and its runs, from which the new task form takes the
// collaboration, organizations, name, image, description and databases, and the input where
// this page can read it: the run input of the user's own organization (any run's when the
// collaboration is not encrypted, as all hold the same), decoded as results are, or decrypted
// with the loaded private key.

import * as api from "../core/api.js";
import { hasPrivateKey } from "../formats/crypto.js";
import { decodeResult } from "../formats/result.js";
import { asInput } from "./algorithm-input.js";

const ALL = 500; // the server's largest page: all runs of a task

/** GET /task/<id>, whether its collaboration is encrypted, and its runs: {task, encrypted,
 * runs} (runs null, with runsProblem, when the user's rules do not show them). */
export async function taskToRepeat(id, signal) {
  const task = await api.get(`/task/${encodeURIComponent(id)}`, { signal });
  const query = new URLSearchParams({ task_id: task.id, per_page: ALL });
  const [collaboration, runs] = await Promise.all([
    api.get(`/collaboration/${Number(task.collaboration.id)}`, { signal }),
    api.list(`/run?${query}`, { signal }).then(
      (found) => ({ runs: found.items }),
      (error) => {
        if (!(error instanceof api.ApiError)) throw error;
        return { runs: null, runsProblem: error.message };
      },
    ),
  ]);
  return { task, encrypted: collaboration.encrypted, ...runs };
}

/** The ids of the organizations the task went to (none when its runs cannot be read). */
export function repeatedOrganizations({ runs }) {
  return (runs ?? []).map((run) => run.organization.id);
}

/** The repeated task's input, {input}, or why it cannot be read here, {problem} (needsKey
 * when loading the private key would make it readable). */
export async function repeatedInput({ runs, runsProblem, encrypted }, organizationId) {
  if (!runs) return { problem: `its runs cannot be read (${runsProblem})` };
  const own = runs.find((run) => run.organization.id === organizationId);
  const readable = own ?? (encrypted ? null : runs[0]);
  if (!readable) {
    return { problem: "it was encrypted for other organizations than yours" };
  }
  if (encrypted && !hasPrivateKey()) {
    return { problem: "load your organization's private key to decrypt it", needsKey: true };
  }
  try {
    const decoded = await decodeResult(readable.input, { encrypted });
    if ("bytes" in decoded) return { problem: "it is not JSON" };
    return { input: asInput(decoded.value) };
  } catch (error) {
    if (error.name === "AbortError") throw error;
    return { problem: error.message };
  }
}

"""What a node remembers between starts: the proxy port and the public keys it encrypted for,
changed under a lock so that the node and ``vnode trust-key`` never lose each other's change."""

from __future__ import annotations

import json
import multiprocessing
import stat
import threading

from vantage6.node.state import NodeState

A = "a" * 64
B = "b" * 64


def test_the_first_key_remembered_stays_until_replaced(tmp_path):
    state = NodeState(tmp_path)
    assert state.key_fingerprint(7) is None
    assert state.remember_key(7, A) == A
    assert state.remember_key(7, B) == A  # the first one stays
    assert state.key_fingerprint(7) == A
    assert state.replace_key(7, B) == A
    assert state.key_fingerprint(7) == B
    assert state.replace_key(8, A) is None


def test_keys_and_port_live_side_by_side_in_one_file(tmp_path):
    state = NodeState(tmp_path)
    state.proxy_port = 5000
    state.remember_key(3, A)
    assert NodeState(tmp_path).proxy_port == 5000  # a new start reads the same file
    assert NodeState(tmp_path).key_fingerprint(3) == A
    assert json.loads(state.path.read_text()) == {
        "proxy_port": 5000,
        "recipient_keys": {"3": A},
    }


def test_an_unreadable_state_counts_as_empty_and_is_replaced(tmp_path, caplog):
    state = NodeState(tmp_path)
    state.path.write_text("{not json")
    assert state.key_fingerprint(1) is None and state.proxy_port is None
    assert "Ignoring the unreadable node state" in caplog.text
    state.remember_key(1, A)
    assert state.key_fingerprint(1) == A


def test_threads_remembering_at_once_agree_on_one_key(tmp_path):
    state = NodeState(tmp_path)
    answers = []

    def remember(fingerprint):
        answers.append(state.remember_key(9, fingerprint))

    threads = [threading.Thread(target=remember, args=(f,)) for f in [A, B] * 10]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(answers)) == 1 and answers[0] == state.key_fingerprint(9)


def _replace_many(task_dir, first: int, go):
    state = NodeState(task_dir)
    go.wait()
    for organization_id in range(first, first + 200):
        state.replace_key(organization_id, A)


def test_processes_changing_the_state_at_once_lose_nothing(tmp_path):
    """The node and `vnode trust-key` are separate processes."""
    spawn = multiprocessing.get_context("spawn")
    go = spawn.Event()
    processes = [
        spawn.Process(target=_replace_many, args=(tmp_path, first, go)) for first in (0, 1000)
    ]
    for process in processes:
        process.start()
    go.set()
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    keys = json.loads(NodeState(tmp_path).path.read_text())["recipient_keys"]
    assert len(keys) == 400


def test_a_task_dir_made_for_the_state_is_the_node_users_only(tmp_path):
    """The node writes its state before the runtime makes the task dir (mode 0700)."""
    NodeState(tmp_path / "tasks").proxy_port = 5000
    assert stat.S_IMODE((tmp_path / "tasks").stat().st_mode) == 0o700

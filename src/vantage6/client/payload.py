"""Task input out, results (and inputs) back: JSON, encrypted per organization in encrypted
collaborations and base64 in the others.

Which cryptor applies follows from the collaboration, not from what the client last set up,
so one client can work in encrypted and unencrypted collaborations alike. What is meant for
this user's organization must decrypt (else :class:`DecryptionError`); what is meant for
another organization (its run's input, a result for the organization that started the task)
is left as the server sent it.
"""

from __future__ import annotations

import json

from vantage6.client.errors import ClientError
from vantage6.common.encryption import (
    CryptorBase,
    DecryptionError,
    DummyCryptor,
    InvalidKey,
    RSACryptor,
    legacy_only,
)


def collaboration_cryptor(client, collaboration_id: int, encrypted: bool) -> CryptorBase:
    if not encrypted:
        return DummyCryptor()
    if not isinstance(client.cryptor, RSACryptor):
        raise ClientError(
            f"Collaboration {collaboration_id} is encrypted: first call "
            "client.setup_encryption('<path to your organization's private key>')"
        )
    return client.cryptor


def encrypt_input(client, collaboration: dict, organization_ids: list[int], input_) -> list:
    """The ``organizations`` of a new task: ``input_`` as JSON, for each organization."""
    try:
        data = json.dumps(input_).encode()
    except (TypeError, ValueError) as exc:
        raise ClientError(f"The task input cannot be sent as JSON: {exc}") from None
    cryptor = collaboration_cryptor(client, collaboration["id"], collaboration["encrypted"])
    keys, legacy = {}, set()
    if collaboration["encrypted"]:
        keys = _public_keys(client, organization_ids)
        legacy = _legacy_readers(client, collaboration, organization_ids)
    inputs = []
    for id_ in organization_ids:
        try:
            text = cryptor.encrypt_bytes_to_str(data, keys.get(id_), legacy=id_ in legacy)
        except InvalidKey as exc:
            raise ClientError(f"Organization {id_}: {exc}") from None
        inputs.append({"id": id_, "input": text})
    return inputs


def _legacy_readers(client, collaboration: dict, organization_ids: list[int]) -> set[int]:
    """The organizations whose node reads only the legacy format (a 4.x node, by what the
    collaboration says of its nodes); refused unless the user allowed writing it."""
    formats = {
        entry["organization_id"]: entry["formats"]
        for entry in collaboration.get("encryption_formats") or []
    }
    legacy = {id_ for id_ in organization_ids if legacy_only(formats.get(id_))}
    if legacy and not client.allow_legacy:
        names = ", ".join(str(id_) for id_ in sorted(legacy))
        raise ClientError(
            f"The node of organization {names} is a vantage6 4.x node, which reads only the "
            "legacy encryption format (it has no integrity check). To write it for them, call "
            "client.setup_encryption(<private key>, allow_legacy=True)"
        )
    return legacy


def _public_keys(client, organization_ids: list[int]) -> dict[int, str]:
    params = {"ids": organization_ids, "per_page": max(len(organization_ids), 1)}
    found = client.request("organization", params=params)["data"]
    keys = {organization["id"]: organization["public_key"] for organization in found}
    for id_ in organization_ids:
        if id_ not in keys:
            raise ClientError(f"Organization {id_} does not exist or you may not see it")
        if not keys[id_]:
            raise ClientError(
                f"Organization {id_} has no public key on the server, so no input can be "
                "encrypted for it (its node uploads one when it starts with encryption on)"
            )
    return keys


JSON_MARK = b"json."


def decode(cryptor: CryptorBase, value: str | None, what: str):
    """A stored input or result: decrypted, then the JSON it holds, after the ``json.``
    format mark of the original's clients and R algorithms when there is one (bytes when it
    is not JSON; None while there is none)."""
    if value is None:
        return None
    try:
        data = cryptor.decrypt_str_to_bytes(value)
    except DecryptionError as exc:
        hint = (
            " (is the private key given to client.setup_encryption your organization's?)"
            if isinstance(cryptor, RSACryptor)
            else ""
        )
        raise DecryptionError(f"The {what} cannot be decrypted: {exc}{hint}") from None
    try:
        return json.loads(data.removeprefix(JSON_MARK))
    except ValueError:
        return data


class Decoder:
    """Decodes the inputs and results of runs of any tasks, looking up each task's
    collaboration and initiator once."""

    def __init__(self, client):
        self.client = client
        self._tasks: dict[int, tuple[int, int]] = {}  # task -> (collaboration, initiator)
        self._encrypted: dict[int, bool] = {}

    def know_task(self, task: dict) -> None:
        """Use ``task`` (a task record) instead of fetching it."""
        self._tasks[task["id"]] = (task["collaboration"]["id"], task["init_org"]["id"])

    def result(self, record: dict) -> dict:
        """A result record with its ``result`` decoded, when it is for this organization."""
        collaboration_id, initiator = self._task(record["task"]["id"])
        what = f"result of run {record['id']}"
        record["result"] = self._decode(collaboration_id, initiator, record["result"], what)
        return record

    def input(self, record: dict) -> dict:
        """A run record with its ``input`` decoded, when it is for this organization."""
        task = record["task"]
        if "init_org" in task:  # embedded with include_task
            self.know_task(task)
        collaboration_id, _ = self._task(task["id"])
        organization_id = record["organization"]["id"]
        what = f"input of run {record['id']}"
        record["input"] = self._decode(collaboration_id, organization_id, record["input"], what)
        return record

    def _decode(self, collaboration_id: int, addressee: int, value, what: str):
        """Plain base64 anyone may read; encrypted data only the organization it is for."""
        if collaboration_id not in self._encrypted:
            collaboration = self.client.request(f"collaboration/{collaboration_id}")
            self._encrypted[collaboration_id] = collaboration["encrypted"]
        encrypted = self._encrypted[collaboration_id]
        if encrypted and addressee != self.client.whoami.organization_id:
            return value
        return decode(collaboration_cryptor(self.client, collaboration_id, encrypted), value, what)

    def _task(self, task_id: int) -> tuple[int, int]:
        if task_id not in self._tasks:
            self.know_task(self.client.request(f"task/{task_id}"))
        return self._tasks[task_id]

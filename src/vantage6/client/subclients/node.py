"""``client.node``: the accounts organizations' nodes log in with, one per collaboration."""

from __future__ import annotations

from vantage6.client.subclients.base import SubClient, documented, given


class NewNodeKey(str):
    """The API key of a node just registered (it is shown only this once); the node's record
    is in ``.node``."""

    node: dict

    def __new__(cls, api_key: str, node: dict):
        key = super().__new__(cls, api_key)
        key.node = node
        return key


class NodeSubClient(SubClient):
    """Nodes: list, get, register (create), update, delete, reset the API key, kill tasks."""

    @documented
    def list(
        self,
        name: str | None = None,
        organization: int | None = None,
        collaboration: int | None = None,
        study: int | None = None,
        is_online: bool | None = None,
        ip: str | None = None,
        last_seen_from: str | None = None,
        last_seen_till: str | None = None,
        page: int = 1,
        per_page: int = 20,
        fields: list[str] | None = None,
        field: str | None = None,
    ):
        """List the nodes you may see.

        Parameters
        ----------
        name : str, optional
            Only names like this (SQL LIKE: ``%`` matches any text)
        organization : int, optional
            Only nodes of this organization
        collaboration : int, optional
            Only nodes in this collaboration
        study : int, optional
            Only the nodes of the organizations in this study (one you may see), in its
            collaboration
        is_online : bool, optional
            Only nodes that are online (True) or offline (False)
        ip : str, optional
            Only nodes with this VPN IP address
        last_seen_from : str, optional
            Only nodes seen at or after this date or ISO 8601 time
        last_seen_till : str, optional
            Only nodes seen at or before this date or ISO 8601 time
        {paging}
        {fields}

        Returns
        -------
        {page_returns}
        """
        status = None if is_online is None else ("online" if is_online else "offline")
        params = given(
            name=name,
            organization_id=organization,
            collaboration_id=collaboration,
            study_id=study,
            status=status,
            ip=ip,
            last_seen_from=last_seen_from,
            last_seen_till=last_seen_till,
            page=page,
            per_page=per_page,
        )
        return self._list("node", params, fields, field)

    @documented
    def get(self, id_: int, fields: list[str] | None = None, field: str | None = None):
        """Get one node.

        Parameters
        ----------
        id_ : int
            Id of the node
        {fields}

        Returns
        -------
        dict
            The node (never its API key)
        """
        return self._get(f"node/{id_}", fields, field)

    def create(
        self,
        collaboration: int | None = None,
        organization: int | None = None,
        name: str | None = None,
    ) -> NewNodeKey:
        """Register a node for an organization in a collaboration.

        Parameters
        ----------
        collaboration : int, optional
            Id of the collaboration; by default the one of ``client.setup_collaboration``
        organization : int, optional
            Id of the organization; by default your own
        name : str, optional
            Name of the node; by default '<organization> - <collaboration> Node'

        Returns
        -------
        str
            The node's API key, for its configuration file. It is shown only now: keep it.
            The node's record is in the key's ``.node`` attribute.
        """
        fields = given(
            collaboration_id=self._collaboration(collaboration),
            organization_id=organization,
            name=name,
        )
        node = self._request("node", method="post", json=fields)
        return NewNodeKey(node.pop("api_key"), node)

    def update(
        self,
        id_: int,
        name: str | None = None,
        ip: str | None = None,
        clear_ip: bool | None = None,
    ) -> dict:
        """Change a node; only what is given changes.

        Parameters
        ----------
        id_ : int
            Id of the node
        name : str, optional
            New name
        ip : str, optional
            New VPN IP address
        clear_ip : bool, optional
            True removes the VPN IP address

        Returns
        -------
        dict
            The changed node
        """
        fields = given(name=name, ip=ip, clear_ip=clear_ip)
        return self._request(f"node/{id_}", method="patch", json=fields)

    def delete(self, id_: int) -> dict:
        """Delete a node (its organization's runs stay with their tasks).

        Parameters
        ----------
        id_ : int
            Id of the node

        Returns
        -------
        dict
            The server's confirmation ``{"msg": ...}``
        """
        return self._delete(f"node/{id_}")

    def reset_api_key(self, id_: int) -> str:
        """Give a node a new API key; the old one stops working at once.

        Parameters
        ----------
        id_ : int
            Id of the node

        Returns
        -------
        str
            The new API key (shown only now)
        """
        return self._request("recover/node", method="post", json={"id": id_})["api_key"]

    def kill_tasks(self, id_: int) -> dict:
        """Kill every unfinished run at a node.

        Parameters
        ----------
        id_ : int
            Id of the node

        Returns
        -------
        dict
            ``{"msg": ..., "killed": [{"task_id", "run_id", "organization_id"}, ...]}``
        """
        return self._request("kill/node/tasks", method="post", json={"id": id_})

"""``client.collaboration``: organizations that analyse their data together."""

from __future__ import annotations

from vantage6.client.subclients.base import SubClient, documented, given

SCOPES = ("organization", "global")


class CollaborationSubClient(SubClient):
    """Collaborations: list, get, create, update, delete, and their member organizations
    and nodes. Member organizations are listed in full (``organizations``)."""

    @documented
    def list(
        self,
        scope: str = "organization",
        name: str | None = None,
        encrypted: bool | None = None,
        organization: int | None = None,
        page: int = 1,
        per_page: int = 20,
        fields: list[str] | None = None,
        field: str | None = None,
    ):
        """List collaborations.

        Parameters
        ----------
        scope : str, optional
            ``'organization'`` (default): those of your organization; ``'global'``: all you
            may see
        name : str, optional
            Only names like this (SQL LIKE: ``%`` matches any text)
        encrypted : bool, optional
            Only encrypted (True) or unencrypted (False) collaborations
        organization : int, optional
            Only those this organization is a member of (instead of yours, with the
            'organization' scope)
        {paging}
        {fields}

        Returns
        -------
        {page_returns}
        """
        if scope not in SCOPES:
            raise ValueError(f"scope must be one of {', '.join(SCOPES)}, not {scope!r}")
        if organization is None and scope == "organization":
            organization = self._own_organization
        params = given(
            name=name,
            encrypted=encrypted,
            organization_id=organization,
            include="organizations",
            page=page,
            per_page=per_page,
        )
        return self._list("collaboration", params, fields, field)

    @documented
    def get(self, id_: int, fields: list[str] | None = None, field: str | None = None):
        """Get one collaboration, with its member organizations.

        Parameters
        ----------
        id_ : int
            Id of the collaboration
        {fields}

        Returns
        -------
        dict
            The collaboration
        """
        params = {"include": "organizations"}
        return self._get(f"collaboration/{id_}", fields, field, params)

    def create(self, name: str, organizations: list[int], encrypted: bool = False) -> dict:
        """Create a collaboration.

        Parameters
        ----------
        name : str
            Name of the collaboration (unique on the server)
        organizations : list of int
            Ids of the member organizations
        encrypted : bool, optional
            Whether task input and results are encrypted end to end (default False); every
            member then needs a key pair (see ``client.setup_encryption``)

        Returns
        -------
        dict
            The new collaboration
        """
        fields = {"name": name, "organization_ids": list(organizations), "encrypted": encrypted}
        return self._request("collaboration", method="post", json=fields)

    def update(
        self,
        id_: int,
        name: str | None = None,
        encrypted: bool | None = None,
        organizations: list[int] | None = None,
    ) -> dict:
        """Change a collaboration; only what is given changes.

        Parameters
        ----------
        id_ : int
            Id of the collaboration
        name : str, optional
            New name
        encrypted : bool, optional
            Whether it is encrypted from now on
        organizations : list of int, optional
            The new members (replaces them all)

        Returns
        -------
        dict
            The changed collaboration
        """
        fields = given(name=name, encrypted=encrypted, organization_ids=organizations)
        return self._request(f"collaboration/{id_}", method="patch", json=fields)

    def delete(self, id_: int, delete_dependents: bool = False) -> dict:
        """Delete a collaboration.

        Parameters
        ----------
        id_ : int
            Id of the collaboration
        delete_dependents : bool, optional
            Also delete its nodes and tasks; without it, a collaboration that has those is
            not deleted

        Returns
        -------
        dict
            The server's confirmation ``{"msg": ...}``
        """
        return self._delete(f"collaboration/{id_}", delete_dependents)

    def add_organization(self, organization: int, collaboration: int | None = None) -> list:
        """Make an organization a member.

        Parameters
        ----------
        organization : int
            Id of the organization
        collaboration : int, optional
            Id of the collaboration; by default the one of ``client.setup_collaboration``

        Returns
        -------
        list of dict
            The members (those you may see)
        """
        endpoint = f"collaboration/{self._collaboration(collaboration)}/organization"
        return self._request(endpoint, method="post", json={"id": organization})

    def remove_organization(
        self, organization: int, collaboration: int | None = None, delete_dependents=False
    ) -> list:
        """Remove a member organization.

        Parameters
        ----------
        organization : int
            Id of the organization
        collaboration : int, optional
            Id of the collaboration; by default the one of ``client.setup_collaboration``
        delete_dependents : bool, optional
            Also delete its node, its tasks and runs in this collaboration; without it, an
            organization that has those stays a member

        Returns
        -------
        list of dict
            The remaining members (those you may see)
        """
        endpoint = f"collaboration/{self._collaboration(collaboration)}/organization"
        params = {"delete_dependents": "true"} if delete_dependents else None
        return self._request(endpoint, method="delete", params=params, json={"id": organization})

    def add_node(self, node: int, collaboration: int | None = None) -> list:
        """Move a node into this collaboration (a node is in exactly one).

        Parameters
        ----------
        node : int
            Id of the node
        collaboration : int, optional
            Id of the collaboration; by default the one of ``client.setup_collaboration``

        Returns
        -------
        list of dict
            The nodes of the collaboration (those you may see)
        """
        endpoint = f"collaboration/{self._collaboration(collaboration)}/node"
        return self._request(endpoint, method="post", json={"id": node})

    def remove_node(self, node: int, collaboration: int | None = None) -> dict:
        """Remove a node from its collaboration, which deletes the node.

        Parameters
        ----------
        node : int
            Id of the node
        collaboration : int, optional
            Id of the collaboration; by default the one of ``client.setup_collaboration``

        Returns
        -------
        dict
            The server's confirmation ``{"msg": ...}``
        """
        endpoint = f"collaboration/{self._collaboration(collaboration)}/node"
        return self._request(endpoint, method="delete", json={"id": node})

"""``client.collaboration``: organizations that analyse their data together."""

from __future__ import annotations

import logging

from vantage6.client.errors import ServerError
from vantage6.client.filter import select
from vantage6.client.subclients.base import SubClient, documented, given

log = logging.getLogger(__name__)

SCOPES = ("organization", "global")


def _members(include_organizations: bool) -> str:
    """What the server puts in ``organizations``: the members in full, or each as the
    reference ``{'id', 'link', 'methods'}`` that the documentation shows."""
    return "organizations" if include_organizations else "organization_links"


class CollaborationSubClient(SubClient):
    """Collaborations: list, get, create, update, delete, and their member organizations
    and nodes. A collaboration's ``organizations`` are the members you may see, each as
    ``{'id', 'link', 'methods'}``, or in full with ``include_organizations=True``."""

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
        include_organizations: bool = False,
    ):
        """List collaborations: by default only those of your own organization.

        Parameters
        ----------
        scope : str, optional
            ``'organization'`` (default): those your organization is a member of;
            ``'global'``: every one you may see (root and other users with the global view
            rule see the collaborations of other organizations only this way). When the
            default finds none but you may see others, the client's log says so
        name : str, optional
            Only names like this (SQL LIKE: ``%`` matches any text)
        encrypted : bool, optional
            Only encrypted (True) or unencrypted (False) collaborations
        organization : int, optional
            Only those this organization is a member of (instead of yours, with the
            'organization' scope)
        {paging}
        {fields}
        include_organizations : bool, optional
            Each collaboration's member organizations (those you may see) in full; by
            default each is ``{'id', 'link', 'methods'}``

        Returns
        -------
        {page_returns}

        Examples
        --------
        The collaborations of your organization, then every one you may see (to find the
        collaboration to register a node for, as root):

        >>> client.collaboration.list(fields=['id', 'name'])
        >>> client.collaboration.list(scope='global', fields=['id', 'name'])

        The ids of the members of each:

        >>> client.collaboration.list(scope='global', fields=['id', 'name', 'organizations'])
        [{'id': 1, 'name': 'example_collab1',
          'organizations': [{'id': 2, 'link': '/api/organization/2', 'methods': [...]}, ...]}]
        """
        if scope not in SCOPES:
            raise ValueError(f"scope must be one of {', '.join(SCOPES)}, not {scope!r}")
        own = organization is None and scope == "organization"
        if own:
            organization = self._own_organization
        params = given(
            name=name,
            encrypted=encrypted,
            organization_id=organization,
            include=_members(include_organizations),
            page=page,
            per_page=per_page,
        )
        answer = self._request("collaboration", params=params)
        if own and page == 1 and not answer["data"]:
            self._tell_of_others(organization, given(name=name, encrypted=encrypted))
        return select(answer, fields, field)

    def _tell_of_others(self, organization: int, filters: dict) -> None:
        """After an empty first page of your organization's collaborations: log a line when
        the 'global' scope would show some (as it does root, whose organization is usually
        in none), so that an empty answer is not taken for an empty server."""
        try:
            others = self._request("collaboration", params={**filters, "per_page": 1})
        except ServerError:
            return
        if others["data"]:
            matching = " matching your filters" if filters else ""
            log.warning(
                "Your organization (id %s) is in no collaboration%s, but you may see others: "
                "use client.collaboration.list(scope='global', ...) to list them",
                organization,
                matching,
            )

    @documented
    def get(
        self,
        id_: int,
        fields: list[str] | None = None,
        field: str | None = None,
        include_organizations: bool = False,
    ):
        """Get one collaboration, with its member organizations.

        Parameters
        ----------
        id_ : int
            Id of the collaboration
        {fields}
        include_organizations : bool, optional
            The member organizations (those you may see) in full; by default each is
            ``{'id', 'link', 'methods'}``

        Returns
        -------
        dict
            The collaboration
        """
        params = {"include": _members(include_organizations)}
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

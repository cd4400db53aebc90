"""``client.study``: named subsets of a collaboration's organizations that tasks can target."""

from __future__ import annotations

from vantage6.client.subclients.base import SubClient, documented, given


class StudySubClient(SubClient):
    """Studies: list, get, create, update, delete, and the organizations in them."""

    @documented
    def get(
        self,
        id_: int,
        include_organizations: bool = False,
        fields: list[str] | None = None,
        field: str | None = None,
    ):
        """Get one study.

        Parameters
        ----------
        id_ : int
            Id of the study
        include_organizations : bool, optional
            Embed the organizations in it (those you may see) instead of linking to them
        {fields}

        Returns
        -------
        dict
            The study
        """
        params = {"include": "organizations"} if include_organizations else None
        return self._get(f"study/{id_}", fields, field, params)

    @documented
    def list(
        self,
        name: str | None = None,
        organization: int | None = None,
        collaboration: int | None = None,
        include_organizations: bool = False,
        page: int = 1,
        per_page: int = 20,
        fields: list[str] | None = None,
        field: str | None = None,
    ):
        """List the studies you may see.

        Parameters
        ----------
        name : str, optional
            Only names like this (SQL LIKE: ``%`` matches any text)
        organization : int, optional
            Only the studies this organization is in
        collaboration : int, optional
            Only the studies of this collaboration
        include_organizations : bool, optional
            Embed each study's organizations (those you may see) instead of linking to them
        {paging}
        {fields}

        Returns
        -------
        {page_returns}
        """
        params = given(
            name=name,
            organization_id=organization,
            collaboration_id=collaboration,
            include="organizations" if include_organizations else None,
            page=page,
            per_page=per_page,
        )
        return self._list("study", params, fields, field)

    def create(self, name: str, organizations: list[int], collaboration: int | None = None) -> dict:
        """Create a study.

        Parameters
        ----------
        name : str
            Name of the study (unique on the server)
        organizations : list of int
            Ids of the organizations in it, members of its collaboration (at least one)
        collaboration : int, optional
            Id of its collaboration; by default the one of ``client.setup_collaboration``

        Returns
        -------
        dict
            The new study, with its organizations
        """
        fields = {
            "name": name,
            "organization_ids": list(organizations),
            "collaboration_id": self._collaboration(collaboration),
        }
        return self._request("study", method="post", json=fields)

    def update(
        self, id_: int, name: str | None = None, organizations: list[int] | None = None
    ) -> dict:
        """Change a study; only what is given changes.

        Parameters
        ----------
        id_ : int
            Id of the study
        name : str, optional
            New name
        organizations : list of int, optional
            The organizations in it from now on (replaces them all)

        Returns
        -------
        dict
            The changed study, with its organizations
        """
        fields = given(name=name, organization_ids=organizations)
        return self._request(f"study/{id_}", method="patch", json=fields)

    def delete(self, id_: int, delete_dependents: bool = False) -> dict:
        """Delete a study.

        Parameters
        ----------
        id_ : int
            Id of the study
        delete_dependents : bool, optional
            Also delete its tasks; without it, a study that has tasks is not deleted

        Returns
        -------
        dict
            The server's confirmation ``{"msg": ...}``
        """
        return self._delete(f"study/{id_}", delete_dependents)

    def organizations(self, study: int | None = None) -> list:
        """The organizations in a study (those you may see).

        Parameters
        ----------
        study : int
            Id of the study

        Returns
        -------
        list of dict
            The organizations
        """
        return self._request(f"study/{_required(study)}/organization")

    def add_organization(self, organization: int, study: int | None = None) -> list:
        """Add an organization (a member of the study's collaboration) to a study.

        Parameters
        ----------
        organization : int
            Id of the organization
        study : int
            Id of the study

        Returns
        -------
        list of dict
            The organizations in the study (those you may see)
        """
        endpoint = f"study/{_required(study)}/organization"
        return self._request(endpoint, method="post", json={"id": organization})

    def remove_organization(self, organization: int, study: int | None = None) -> list:
        """Take an organization out of a study (its tasks and runs stay).

        Parameters
        ----------
        organization : int
            Id of the organization
        study : int
            Id of the study

        Returns
        -------
        list of dict
            The organizations left in the study (those you may see)
        """
        endpoint = f"study/{_required(study)}/organization"
        return self._request(endpoint, method="delete", json={"id": organization})


def _required(study: int | None) -> int:
    """The study's id (the original's methods take ``study=None`` but need one)."""
    if study is None:
        raise TypeError("no study given: pass study=<id>")
    return study

"""``client.organization``: the parties of collaborations."""

from __future__ import annotations

from vantage6.client.subclients.base import SubClient, documented, given


class OrganizationSubClient(SubClient):
    """Organizations: list, get, create, update (e.g. the public key) and delete."""

    @documented
    def list(
        self,
        name: str | None = None,
        country: str | None = None,
        collaboration: int | None = None,
        study: int | None = None,
        page: int = 1,
        per_page: int = 20,
        fields: list[str] | None = None,
        field: str | None = None,
    ):
        """List the organizations you may see.

        Parameters
        ----------
        name : str, optional
            Only names like this (SQL LIKE: ``%`` matches any text)
        country : str, optional
            Only organizations in this country
        collaboration : int, optional
            Only the members of this collaboration
        study : int, optional
            Only the organizations in this study (one you may see)
        {paging}
        {fields}

        Returns
        -------
        {page_returns}
        """
        params = given(
            name=name,
            country=country,
            collaboration_id=collaboration,
            study_id=study,
            page=page,
            per_page=per_page,
        )
        return self._list("organization", params, fields, field)

    @documented
    def get(self, id_: int | None = None, fields: list[str] | None = None, field=None):
        """Get one organization.

        Parameters
        ----------
        id_ : int, optional
            Id of the organization; by default your own
        {fields}

        Returns
        -------
        dict
            The organization
        """
        return self._get(f"organization/{id_ or self._own_organization}", fields, field)

    def create(
        self,
        name: str,
        address1: str | None = None,
        address2: str | None = None,
        zipcode: str | None = None,
        country: str | None = None,
        domain: str | None = None,
        public_key: str | None = None,
    ) -> dict:
        """Create an organization.

        Parameters
        ----------
        name : str
            Name of the organization (unique on the server)
        address1 : str, optional
            First address line
        address2 : str, optional
            Second address line
        zipcode : str, optional
            Postal code
        country : str, optional
            Country
        domain : str, optional
            Web domain, e.g. ``example.org``
        public_key : str, optional
            Base64 of the PEM public key its nodes and users encrypt for (see
            ``RSACryptor.create_public_key_bytes`` and ``bytes_to_base64s``); None when the
            organization does not use encryption (yet)

        Returns
        -------
        dict
            The new organization
        """
        fields = given(
            name=name,
            address1=address1,
            address2=address2,
            zipcode=zipcode,
            country=country,
            domain=domain,
            public_key=public_key,
        )
        return self._request("organization", method="post", json=fields)

    def update(
        self,
        id_: int | None = None,
        name: str | None = None,
        address1: str | None = None,
        address2: str | None = None,
        zipcode: str | None = None,
        country: str | None = None,
        domain: str | None = None,
        public_key: str | None = None,
    ) -> dict:
        """Change an organization; only the fields given change.

        Parameters
        ----------
        id_ : int, optional
            Id of the organization; by default your own
        name : str, optional
            New name
        address1 : str, optional
            New first address line
        address2 : str, optional
            New second address line
        zipcode : str, optional
            New postal code
        country : str, optional
            New country
        domain : str, optional
            New web domain
        public_key : str, optional
            New public key (base64 of the PEM). Everyone who encrypts for this organization
            uses it from then on, so its nodes and users need the matching private key.

        Returns
        -------
        dict
            The changed organization
        """
        fields = given(
            name=name,
            address1=address1,
            address2=address2,
            zipcode=zipcode,
            country=country,
            domain=domain,
            public_key=public_key,
        )
        endpoint = f"organization/{id_ or self._own_organization}"
        return self._request(endpoint, method="patch", json=fields)

    def delete(self, id_: int, delete_dependents: bool = False) -> dict:
        """Delete an organization.

        Parameters
        ----------
        id_ : int
            Id of the organization
        delete_dependents : bool, optional
            Also delete its users, nodes, tasks and runs; without it, an organization that
            still has those is not deleted (the server says which it has)

        Returns
        -------
        dict
            The server's confirmation ``{"msg": ...}``
        """
        return self._delete(f"organization/{id_}", delete_dependents)

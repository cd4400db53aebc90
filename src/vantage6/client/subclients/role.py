"""``client.role``: named bundles of rules, of an organization or (default roles) of none."""

from __future__ import annotations

from vantage6.client.subclients.base import SubClient, documented, given


class RoleSubClient(SubClient):
    """Roles: list, get, create, update, delete, and the rules in them."""

    @documented
    def list(
        self,
        name: str | None = None,
        description: str | None = None,
        organization: int | None = None,
        rule: int | None = None,
        user: int | None = None,
        include_root: bool | None = None,
        page: int = 1,
        per_page: int = 20,
        fields: list[str] | None = None,
        field: str | None = None,
    ):
        """List the roles you may see.

        Parameters
        ----------
        name : str, optional
            Only names like this (SQL LIKE: ``%`` matches any text)
        description : str, optional
            Only descriptions like this
        organization : int, optional
            Only roles of this organization
        rule : int, optional
            Only roles with this rule
        user : int, optional
            Only roles of this user
        include_root : bool, optional
            With ``organization``: also the default roles (of no organization)
        {paging}
        {fields}

        Returns
        -------
        {page_returns}
        """
        params = given(
            name=name,
            description=description,
            organization_id=organization,
            rule_id=rule,
            user_id=user,
            include_root=include_root,
            page=page,
            per_page=per_page,
        )
        return self._list("role", params, fields, field)

    @documented
    def get(self, id_: int, fields: list[str] | None = None, field: str | None = None):
        """Get one role.

        Parameters
        ----------
        id_ : int
            Id of the role
        {fields}

        Returns
        -------
        dict
            The role
        """
        return self._get(f"role/{id_}", fields, field)

    def create(
        self,
        name: str,
        description: str | None,
        rules: list[int],
        organization: int | None = None,
    ) -> dict:
        """Create a role.

        Parameters
        ----------
        name : str
            Name of the role (not one of the default roles' names)
        description : str or None
            What the role is for
        rules : list of int
            Ids of its rules (you must hold them yourself)
        organization : int, optional
            Id of its organization; by default yours

        Returns
        -------
        dict
            The new role
        """
        fields = given(
            name=name, description=description, rules=list(rules), organization_id=organization
        )
        return self._request("role", method="post", json=fields)

    def update(
        self,
        role: int,
        name: str | None = None,
        description: str | None = None,
        rules: list[int] | None = None,
    ) -> dict:
        """Change a role (not a default role); only what is given changes.

        Parameters
        ----------
        role : int
            Id of the role
        name : str, optional
            New name
        description : str, optional
            New description
        rules : list of int, optional
            Its rules (replaces them; you must hold every rule added or removed)

        Returns
        -------
        dict
            The changed role
        """
        fields = given(name=name, description=description, rules=rules)
        return self._request(f"role/{role}", method="patch", json=fields)

    def delete(self, role: int, delete_dependents: bool = False) -> dict:
        """Delete a role (not a default role).

        Parameters
        ----------
        role : int
            Id of the role
        delete_dependents : bool, optional
            Delete it even while users hold it (they lose it); without it, a role that users
            hold is not deleted

        Returns
        -------
        dict
            The server's confirmation ``{"msg": ...}``
        """
        return self._delete(f"role/{role}", delete_dependents)

    def add_rule(self, role: int, rule: int) -> list:
        """Add a rule (that you hold) to a role.

        Parameters
        ----------
        role : int
            Id of the role
        rule : int
            Id of the rule

        Returns
        -------
        list of dict
            The role's rules
        """
        return self._request(f"role/{role}/rule/{rule}", method="post")

    def remove_rule(self, role: int, rule: int) -> list:
        """Take a rule (that you hold) out of a role.

        Parameters
        ----------
        role : int
            Id of the role
        rule : int
            Id of the rule

        Returns
        -------
        list of dict
            The role's rules
        """
        return self._request(f"role/{role}/rule/{rule}", method="delete")

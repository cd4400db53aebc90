"""``client.user``: the people of organizations and the roles and rules they hold."""

from __future__ import annotations

from vantage6.client.subclients.base import SubClient, documented, given


class UserSubClient(SubClient):
    """Users: list, get, create, update and delete."""

    @documented
    def list(
        self,
        username: str | None = None,
        organization: int | None = None,
        collaboration: int | None = None,
        firstname: str | None = None,
        lastname: str | None = None,
        email: str | None = None,
        role: int | None = None,
        rule: int | None = None,
        last_seen_from: str | None = None,
        last_seen_till: str | None = None,
        page: int = 1,
        per_page: int = 20,
        fields: list[str] | None = None,
        field: str | None = None,
    ):
        """List the users you may see.

        Parameters
        ----------
        username : str, optional
            Only usernames like this (SQL LIKE: ``%`` matches any text)
        organization : int, optional
            Only users of this organization
        collaboration : int, optional
            Only users of the organizations in this collaboration
        firstname : str, optional
            Only first names like this
        lastname : str, optional
            Only last names like this
        email : str, optional
            Only email addresses like this
        role : int, optional
            Only users with this role
        rule : int, optional
            Only users with this rule given to them directly
        last_seen_from : str, optional
            Only users seen at or after this date or ISO 8601 time
        last_seen_till : str, optional
            Only users seen at or before this date or ISO 8601 time
        {paging}
        {fields}

        Returns
        -------
        {page_returns}
        """
        params = given(
            username=username,
            organization_id=organization,
            collaboration_id=collaboration,
            firstname=firstname,
            lastname=lastname,
            email=email,
            role_id=role,
            rule_id=rule,
            last_seen_from=last_seen_from,
            last_seen_till=last_seen_till,
            page=page,
            per_page=per_page,
        )
        return self._list("user", params, fields, field)

    @documented
    def get(
        self,
        id_: int | None = None,
        include_permissions: bool = False,
        fields: list[str] | None = None,
        field: str | None = None,
    ):
        """Get one user.

        Parameters
        ----------
        id_ : int, optional
            Id of the user; by default yourself
        include_permissions : bool, optional
            Add ``permissions``: the user's role ids, the ids of every rule held and the
            organizations of the user's collaborations
        {fields}

        Returns
        -------
        dict
            The user
        """
        id_ = id_ or self.parent.require_login().id_
        params = {"include_permissions": "true"} if include_permissions else None
        return self._get(f"user/{id_}", fields, field, params)

    def create(
        self,
        username: str,
        firstname: str | None,
        lastname: str | None,
        password: str,
        email: str,
        organization: int | None = None,
        roles: list[int] | None = None,
        rules: list[int] | None = None,
    ) -> dict:
        """Create a user.

        Parameters
        ----------
        username : str
            Login name: 3 to 128 letters, digits, '.', '_' or '-', starting with a letter
        firstname : str or None
            First name
        lastname : str or None
            Last name
        password : str
            Password: at least 8 characters with an uppercase letter, a lowercase letter, a
            digit and a special character
        email : str
            Email address (for password resets)
        organization : int, optional
            Id of the user's organization; by default yours
        roles : list of int, optional
            Ids of roles to give (you must hold all their rules yourself)
        rules : list of int, optional
            Ids of extra rules to give (you must hold them yourself)

        Returns
        -------
        dict
            The new user
        """
        fields = given(
            username=username,
            firstname=firstname,
            lastname=lastname,
            password=password,
            email=email,
            organization_id=organization,
            roles=roles,
            rules=rules,
        )
        return self._request("user", method="post", json=fields)

    def update(
        self,
        id_: int | None = None,
        firstname: str | None = None,
        lastname: str | None = None,
        organization: int | None = None,
        rules: list[int] | None = None,
        roles: list[int] | None = None,
        email: str | None = None,
        username: str | None = None,
    ) -> dict:
        """Change a user; only what is given changes.

        Parameters
        ----------
        id_ : int, optional
            Id of the user; by default yourself
        firstname : str, optional
            New first name
        lastname : str, optional
            New last name
        organization : int, optional
            The user's organization (it cannot change; the server refuses another one)
        rules : list of int, optional
            The user's extra rules (replaces them)
        roles : list of int, optional
            The user's roles (replaces them)
        email : str, optional
            New email address
        username : str, optional
            New username (users change only their own)

        Returns
        -------
        dict
            The changed user
        """
        fields = given(
            firstname=firstname,
            lastname=lastname,
            organization_id=organization,
            rules=rules,
            roles=roles,
            email=email,
            username=username,
        )
        id_ = id_ or self.parent.require_login().id_
        return self._request(f"user/{id_}", method="patch", json=fields)

    def delete(self, id_: int, delete_dependents: bool = False) -> dict:
        """Delete a user.

        Parameters
        ----------
        id_ : int
            Id of the user
        delete_dependents : bool, optional
            Also delete the tasks the user created; without it, a user who created tasks
            is not deleted

        Returns
        -------
        dict
            The server's confirmation ``{"msg": ...}``
        """
        return self._delete(f"user/{id_}", delete_dependents)

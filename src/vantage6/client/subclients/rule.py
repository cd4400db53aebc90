"""``client.rule``: the permissions that roles bundle (read only)."""

from __future__ import annotations

from vantage6.client.subclients.base import SubClient, documented, given


class RuleSubClient(SubClient):
    """Rules: list and get. A rule allows one operation on one resource within a scope."""

    @documented
    def list(
        self,
        name: str | None = None,
        operation: str | None = None,
        scope: str | None = None,
        role: int | None = None,
        user: int | None = None,
        page: int = 1,
        per_page: int = 20,
        fields: list[str] | None = None,
        field: str | None = None,
    ):
        """List rules.

        Parameters
        ----------
        name : str, optional
            Only rules of this resource, e.g. ``'task'``
        operation : str, optional
            Only this operation: view, edit, create, delete, send or receive
        scope : str, optional
            Only this scope: own, organization, collaboration or global
        role : int, optional
            Only the rules of this role
        user : int, optional
            Only the rules this user holds (through roles or directly)
        {paging}
        {fields}

        Returns
        -------
        {page_returns}
        """
        params = given(
            name=name,
            operation=operation,
            scope=scope,
            role_id=role,
            user_id=user,
            page=page,
            per_page=per_page,
        )
        return self._list("rule", params, fields, field)

    @documented
    def get(self, id_: int, fields: list[str] | None = None, field: str | None = None):
        """Get one rule.

        Parameters
        ----------
        id_ : int
            Id of the rule
        {fields}

        Returns
        -------
        dict
            The rule
        """
        return self._get(f"rule/{id_}", fields, field)

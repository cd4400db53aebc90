"""``client.result``: what runs produced, decrypted for the organization that asked."""

from __future__ import annotations

from vantage6.client.filter import select
from vantage6.client.payload import Decoder
from vantage6.client.subclients.base import SubClient, documented, given


class ResultSubClient(SubClient):
    """Results: list, get, and all results of a task. Each ``result`` is decrypted (when the
    task is your organization's) and decoded from JSON, e.g. ``{'average': 53.25}``; None
    while its run has not finished."""

    @documented
    def get(self, id_: int, fields: list[str] | None = None, field: str | None = None):
        """Get the result of one run.

        Parameters
        ----------
        id_ : int
            Id of the run
        {fields}

        Returns
        -------
        dict
            ``{'id', 'result', 'run', 'task'}``; ``field='result'`` gives just the result
        """
        record = Decoder(self.parent).result(self._request(f"result/{id_}"))
        return select(record, fields, field)

    @documented
    def list(
        self,
        task: int | None = None,
        organization: int | None = None,
        node: int | None = None,
        page: int = 1,
        per_page: int = 20,
        fields: list[str] | None = None,
        field: str | None = None,
    ):
        """List the results you may see.

        Parameters
        ----------
        task : int, optional
            Only the results of this task
        organization : int, optional
            Only results of runs at this organization
        node : int, optional
            Only results of runs for this node
        {paging}
        {fields}

        Returns
        -------
        {page_returns}
        """
        params = given(
            task_id=task, organization_id=organization, node_id=node, page=page, per_page=per_page
        )
        return self._list("result", params, fields, field, Decoder(self.parent).result)

    def from_task(self, task_id: int) -> dict:
        """All results of a task (every page).

        Parameters
        ----------
        task_id : int
            Id of the task

        Returns
        -------
        dict
            ``{'data': [{'id', 'result', 'run', 'task'}, ...]}``, in run order
        """
        decoder = Decoder(self.parent)
        return {"data": [decoder.result(r) for r in self._all("result", {"task_id": task_id})]}

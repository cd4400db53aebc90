"""``client.run``: each organization's execution of a task (status, log, input)."""

from __future__ import annotations

from vantage6.client.filter import select
from vantage6.client.payload import Decoder
from vantage6.client.subclients.base import SubClient, documented, given


class RunSubClient(SubClient):
    """Runs: list, get, and all runs of a task. Inputs meant for your organization (or
    unencrypted ones) are decoded; results are read through ``client.result``."""

    @documented
    def get(
        self,
        id_: int,
        include_task: bool = False,
        decrypt_input: bool = True,
        fields: list[str] | None = None,
        field: str | None = None,
    ):
        """Get one run.

        Parameters
        ----------
        id_ : int
            Id of the run
        include_task : bool, optional
            Embed its task instead of linking to it
        decrypt_input : bool, optional
            Decode the input (default True) when it is readable for you
        {fields}

        Returns
        -------
        dict
            The run
        """
        params = {"include": "task"} if include_task else None
        run = self._request(f"run/{id_}", params=params)
        if decrypt_input:
            Decoder(self.parent).input(run)
        return select(run, fields, field)

    @documented
    def list(
        self,
        task: int | None = None,
        organization: int | None = None,
        state: str | None = None,
        node: int | None = None,
        include_task: bool = False,
        started: tuple[str | None, str | None] | None = None,
        assigned: tuple[str | None, str | None] | None = None,
        finished: tuple[str | None, str | None] | None = None,
        status: str | None = None,
        decrypt_input: bool = True,
        page: int = 1,
        per_page: int = 20,
        fields: list[str] | None = None,
        field: str | None = None,
    ):
        """List the runs you may see.

        Parameters
        ----------
        task : int, optional
            Only runs of this task
        organization : int, optional
            Only runs at this organization
        state : str, optional
            'open': only runs that have not finished
        node : int, optional
            Only runs for this node (its organization, in its collaboration)
        include_task : bool, optional
            Embed each run's task instead of linking to it
        started : tuple of str, optional
            ``(from, till)``: only runs started in this period (dates or ISO 8601 times;
            either may be None)
        assigned : tuple of str, optional
            ``(from, till)``: only runs created in this period
        finished : tuple of str, optional
            ``(from, till)``: only runs finished in this period
        status : str, optional
            Only runs with this status, e.g. 'crashed'
        decrypt_input : bool, optional
            Decode the inputs (default True) that are readable for you
        {paging}
        {fields}

        Returns
        -------
        {page_returns}
        """
        params = given(
            task_id=task,
            organization_id=organization,
            state=state,
            node_id=node,
            include="task" if include_task else None,
            status=status,
            page=page,
            per_page=per_page,
            **periods(started=started, assigned=assigned, finished=finished),
        )
        decode = Decoder(self.parent).input if decrypt_input else None
        return self._list("run", params, fields, field, decode)

    def from_task(self, task_id: int, include_task: bool = False) -> list[dict]:
        """All runs of a task (every page), inputs decoded when readable for you.

        Parameters
        ----------
        task_id : int
            Id of the task
        include_task : bool, optional
            Embed the task in each run

        Returns
        -------
        list of dict
            The runs
        """
        params = given(task_id=task_id, include="task" if include_task else None)
        decoder = Decoder(self.parent)
        return [decoder.input(run) for run in self._all("run", params)]


def periods(**ranges) -> dict:
    """``started=(a, b)`` as ``started_from=a, started_till=b`` (either may be None)."""
    params = {}
    for name, period in ranges.items():
        if period is None:
            continue
        if not isinstance(period, tuple | list) or len(period) != 2:
            raise TypeError(f"{name} must be a (from, till) pair, not {period!r}")
        params[f"{name}_from"], params[f"{name}_till"] = period
    return params

"""``client.task``: computation requests to organizations of a collaboration."""

from __future__ import annotations

from functools import partial

from vantage6.client.filter import select
from vantage6.client.payload import Decoder, encrypt_input
from vantage6.client.subclients.base import SubClient, documented, given

JSON = "json"
DEFAULT_DATABASE = "default"  # the label the seeds' examples and demo nodes use


class TaskSubClient(SubClient):
    """Tasks: list, get, create, delete and kill."""

    @documented
    def get(
        self,
        id_: int,
        include_results: bool = False,
        fields: list[str] | None = None,
        field: str | None = None,
    ):
        """Get one task.

        Parameters
        ----------
        id_ : int
            Id of the task
        include_results : bool, optional
            Embed its results (decoded, see ``client.result``) instead of linking to them
        {fields}

        Returns
        -------
        dict
            The task; ``status`` is derived from its runs and ``complete`` tells whether
            all of them have finished
        """
        params = {"include": "results"} if include_results else None
        task = self._request(f"task/{id_}", params=params)
        if include_results:
            self._decode_results(Decoder(self.parent), task)
        return select(task, fields, field)

    @documented
    def list(
        self,
        initiating_org: int | None = None,
        initiating_user: int | None = None,
        collaboration: int | None = None,
        study: int | None = None,
        image: str | None = None,
        parent: int | None = None,
        job: int | None = None,
        name: str | None = None,
        include_results: bool = False,
        description: str | None = None,
        database: str | None = None,
        run: int | None = None,
        status: str | None = None,
        user_created: bool | None = None,
        page: int = 1,
        per_page: int = 20,
        fields: list[str] | None = None,
        field: str | None = None,
    ):
        """List the tasks you may see, newest first.

        Parameters
        ----------
        initiating_org : int, optional
            Only tasks created by this organization
        initiating_user : int, optional
            Only tasks created by this user
        collaboration : int, optional
            Only tasks in this collaboration
        study : int, optional
            Only tasks for this study
        image : str, optional
            Only images like this (SQL LIKE: ``%`` matches any text)
        parent : int, optional
            Only subtasks of this task
        job : int, optional
            Only tasks of this job (a task and all its subtasks)
        name : str, optional
            Only names like this
        include_results : bool, optional
            Embed each task's results (decoded) instead of linking to them
        description : str, optional
            Only descriptions like this
        database : str, optional
            Only tasks that use the database with this label
        run : int, optional
            Only the task of this run
        status : str, optional
            Only tasks with this status, e.g. 'completed' or 'active'
        user_created : bool, optional
            Only tasks created by users (True) or only subtasks (False)
        {paging}
        {fields}

        Returns
        -------
        {page_returns}
        """
        params = given(
            init_org_id=initiating_org,
            init_user_id=initiating_user,
            collaboration_id=collaboration,
            study_id=study,
            image=image,
            parent_id=parent,
            job_id=job,
            name=name,
            include="results" if include_results else None,
            description=description,
            database=database,
            run_id=run,
            status=status,
            is_user_created=None if user_created is None else int(user_created),
            page=page,
            per_page=per_page,
        )
        decode = partial(self._decode_results, Decoder(self.parent)) if include_results else None
        return self._list("task", params, fields, field, decode)

    def create(
        self,
        collaboration: int | None = None,
        organizations: list[int] | None = None,
        name: str | None = None,
        image: str | None = None,
        description: str | None = None,
        input: dict | None = None,  # the original name, as the seed docs use it
        data_format: str | None = None,
        database: str | None = None,
        *,
        input_: dict | None = None,
        databases: list[dict] | None = None,
        study: int | None = None,
        store: int | None = None,
        server_url: str | None = None,
    ) -> dict:
        """Create a new task

        Parameters
        ----------
        collaboration : int
            Id of the collaboration to which this task belongs; by default the study's
            when ``study`` is given, else the one of ``client.setup_collaboration``
        organizations : list
            Organization ids (within the collaboration) which need
            to execute this task; with ``study``, all within the study
        name : str
            Human readable name
        image : str
            Docker image name which contains the algorithm
        description : str
            Human readable description
        input : dict
            Algorithm input, e.g. ``{'method': 'central_average', 'kwargs':
            {'column_name': 'age'}}`` (3.x algorithms also take ``'master': True``).
            It is sent as JSON, encrypted for each organization when the collaboration is
            encrypted. ``input_=`` is the same.
        data_format : str, optional
            IO data format used; only 'json' (the default) is supported
        database : str, optional
            Name of the database to use. This should match the key
            in the node configuration files. If not specified the
            database labelled ``default`` is used (pass ``databases=[]`` for none).
        databases : list of dict, optional
            Instead of ``database``: several databases, each ``{'label': ...}`` with
            optionally ``query``, ``sheet_name``, ``preprocessing`` or ``arguments``
        study : int, optional
            Id of the study this task is for: its organizations must all be in the study
            (the study's nodes refuse it otherwise)
        store, server_url : optional
            Algorithm stores of newer servers; this server has none

        Returns
        -------
        dict
            Containing the task information
        """
        if input is not None and input_ is not None:
            raise TypeError("give the task input as input= or input_=, not both")
        if input is None:
            input = input_
        if database is not None and databases is not None:
            raise TypeError("give database= or databases=, not both")
        if data_format is not None and data_format.lower() != JSON:
            raise ValueError(
                f"data_format {data_format!r} is not supported: task input is always JSON "
                "(pickle was removed for security)"
            )
        required = {"organizations": organizations, "image": image, "input": input}
        missing = [name for name, value in required.items() if value is None]
        if missing:
            raise TypeError(f"create() needs {' and '.join(missing)}")
        if collaboration is None and study is not None:
            collaboration = self._request(f"study/{study}")["collaboration"]["id"]
        collaboration_id = self._collaboration(collaboration)
        collaboration_record = self._request(f"collaboration/{collaboration_id}")
        organization_ids = list(organizations)
        fields = {
            "name": name,
            "description": description,
            "image": image,
            "collaboration_id": collaboration_id,
            "organizations": encrypt_input(
                self.parent, collaboration_record, organization_ids, input
            ),
        }
        if databases is None:  # as the seeds' 3.x clients: the node's "default" database
            databases = [{"label": database or DEFAULT_DATABASE}]
        fields.update(
            given(databases=databases, study_id=study, store_id=store, server_url=server_url)
        )
        return self._request("task", method="post", json=fields)

    def delete(self, id_: int) -> dict:
        """Delete a task with its runs and subtasks; what still runs is killed first.

        Parameters
        ----------
        id_ : int
            Id of the task

        Returns
        -------
        dict
            The server's confirmation ``{"msg": ...}``
        """
        return self._delete(f"task/{id_}")

    def kill(self, id_: int) -> dict:
        """Kill the unfinished runs of a task and its subtasks.

        Parameters
        ----------
        id_ : int
            Id of the task

        Returns
        -------
        dict
            ``{"msg": ..., "killed": [{"task_id", "run_id", "organization_id"}, ...]}``
        """
        return self._request("kill/task", method="post", json={"id": id_})

    def status(self, id_: int) -> str:
        """The status of a task, cheaply (for polling).

        Parameters
        ----------
        id_ : int
            Id of the task

        Returns
        -------
        str
            E.g. 'pending', 'active', 'completed', 'failed'
        """
        return self._request(f"task/{id_}/status")["status"]

    @staticmethod
    def _decode_results(decoder: Decoder, task: dict) -> dict:
        decoder.know_task(task)
        task["results"] = [decoder.result(record) for record in task["results"]]
        return task

"""The environment an algorithm runs in: its variables and, in a container, its mounts.

The variable names are the original's (reference §6.3), read by ``vantage6.algorithm``:
``HOST``/``PORT``/``API_PATH`` (the node proxy), ``INPUT_FILE``/``OUTPUT_FILE``/``TOKEN_FILE``
(the run's folder), ``TEMPORARY_FOLDER`` (shared by the runs of a job),
``USER_REQUESTED_DATABASE_LABELS`` (in task order), ``DB_LABELS`` and per configured database
``<LABEL>_DATABASE_URI``/``_TYPE``, per requested one ``<LABEL>_QUERY``/``_SHEET_NAME``/
``_PREPROCESSING``, plus the node owner's ``algorithm_env``, which never replaces the node's own.

In a container, file databases are mounted read-only at ``/mnt/data/<label><suffix>`` and
folders at ``/mnt/data/<label>`` (the original used ``/mnt/<label>``, which a label such as
``tmp`` would clash with); ``other`` URIs are passed as they are. An ``sql`` URI never is (it
holds credentials, and the container has no network but the node proxy, so the server is out
of its reach): the node runs the task's query and the run reads the result (``loaded``), as
CSV for any algorithm tools (``_DATABASE_URI``/``_TYPE``) and typed, as parquet, for ours
(``<LABEL>_DATABASE_PARQUET_URI``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from vantage6.algorithm import env
from vantage6.node.config import ENV_NAME, FILE_TYPES, LABEL, Database
from vantage6.node.data_loading import NODE_ONLY
from vantage6.node.runtime.folders import as_csv

log = logging.getLogger(__name__)

RUN_DIR = "/mnt/run"
TMP_DIR = "/mnt/tmp"
DATA_DIR = "/mnt/data"
# set by the node (or, PKG_NAME, by the image): algorithm_env cannot replace them
RESERVED = frozenset(
    {
        "HOST",
        "PORT",
        "API_PATH",
        "INPUT_FILE",
        "OUTPUT_FILE",
        "TOKEN_FILE",
        "TEMPORARY_FOLDER",
        "USER_REQUESTED_DATABASE_LABELS",
        "DB_LABELS",
        "PKG_NAME",
        "VTG_ALLOW_RDS",
    }
)
DATABASE_SUFFIXES = ("DATABASE_URI", "DATABASE_TYPE", "DATABASE_PARQUET_URI")
REQUEST_KEYS = {"query": "QUERY", "sheet_name": "SHEET_NAME"}


@dataclass(frozen=True)
class Mount:
    source: str  # a path on the node's machine
    target: str  # where the container sees it
    read_only: bool = True


def database_setup(
    databases: Iterable[Database], in_container: bool, loaded: Mapping[str, str] | None = None
) -> tuple[dict[str, str], list[Mount]]:
    """The variables describing the node's databases and, in a container, their mounts.
    A file that disappeared since the node started is not mounted (the algorithm then reports
    it missing) rather than failing every run. ``loaded`` maps the labels a node plugin loaded
    for the run to the parquet file the run reads instead (nothing of the original is mounted).
    """
    databases = list(databases)
    variables = {"DB_LABELS": ",".join(db.label for db in databases)}
    mounts = []
    for db in databases:
        uri, type_ = db.uri, db.type
        if loaded and db.label in loaded:
            uri, type_ = as_csv(loaded[db.label]), "csv"
            variables[f"{db.label.upper()}_DATABASE_PARQUET_URI"] = loaded[db.label]
        elif in_container and db.type in FILE_TYPES:
            suffix = "" if db.type == "folder" else Path(db.uri).suffix
            uri = f"{DATA_DIR}/{db.label}{suffix}"
            if Path(db.uri).exists():
                mounts.append(Mount(db.uri, uri))
            else:
                log.warning("database %r: %s no longer exists; not mounted", db.label, db.uri)
        prefix = db.label.upper()
        if type_ not in NODE_ONLY:  # an sql database this run did not ask for: no URI
            variables[f"{prefix}_DATABASE_URI"] = uri
        variables[f"{prefix}_DATABASE_TYPE"] = type_
    return variables, mounts


def requested_variables(requested: list[dict]) -> dict[str, str]:
    """Variables for the databases a task asks for; ValueError names a label that is unfit
    for a variable name (it comes from whoever created the task)."""
    labels, variables = [], {}
    for item in requested:
        label = item.get("label") if isinstance(item, dict) else None
        if not isinstance(label, str) or not LABEL.match(label):
            raise ValueError(f"the task requests database {label!r}, which is not a valid label")
        labels.append(label)
        prefix = label.upper()
        for key, suffix in REQUEST_KEYS.items():
            if item.get(key) is not None:
                variables[f"{prefix}_{suffix}"] = str(item[key])
        if item.get("preprocessing") is not None:
            variables[f"{prefix}_PREPROCESSING"] = json.dumps(item["preprocessing"])
    variables["USER_REQUESTED_DATABASE_LABELS"] = ",".join(labels)
    return variables


def algorithm_variables(
    algorithm_env: dict, databases: Iterable[Database], allow_rds: bool = False
) -> dict[str, str]:
    """The node owner's extra variables, without those the node sets itself (each dropped one
    is logged: call once, at start), and ``VTG_ALLOW_RDS`` where the node's policy lets R
    algorithms read R's serialize format (the R wrapper reads it only then)."""
    taken = RESERVED | {f"{db.label.upper()}_{s}" for db in databases for s in DATABASE_SUFFIXES}
    kept = {}
    for name, value in algorithm_env.items():
        if not ENV_NAME.match(name):
            log.warning("algorithm_env %r is ignored: not a variable name", name)
        elif name in taken:
            log.warning("algorithm_env %s is ignored: the node sets %s itself", name, name)
        else:
            kept[name] = str(value)
    if allow_rds:
        kept["VTG_ALLOW_RDS"] = "true"
    return kept


def run_environment(
    *,
    host: str,
    port: int,
    run_dir: str,
    tmp_dir: str,
    databases: dict[str, str],
    requested: list[dict],
    extra: dict[str, str],
) -> dict[str, str]:
    """All variables of one run, plain; ``extra`` (algorithm_env) loses every clash."""
    return {
        **extra,
        "HOST": host,
        "PORT": str(port),
        "API_PATH": "",
        "INPUT_FILE": f"{run_dir}/input",
        "OUTPUT_FILE": f"{run_dir}/output",
        "TOKEN_FILE": f"{run_dir}/token",
        "TEMPORARY_FOLDER": tmp_dir,
        **databases,
        **requested_variables(requested),
    }


def encoded(variables: dict[str, str]) -> dict[str, str]:
    """The values as the node passes them: base32, as the original (``vantage6.algorithm``
    decodes them, and so do the original's algorithm tools)."""
    return {name: env.encode(value) for name, value in variables.items()}

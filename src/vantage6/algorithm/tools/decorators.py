"""The decorators of the original 4.x tools, built from ours (:mod:`vantage6.algorithm.decorators`)
but stacked as the original's: the decorator nearest the function gives the first arguments.
So, as in the original's documentation,

    @data(1)
    @algorithm_client
    def my_function(client, df, column_name): ...

The mock client's ``mock_client=`` and ``mock_data=`` work as there. ``@data(n)`` gives the
databases in the order the task requested them.

OMOP connections (``@database_connection``) need the original's OHDSI base image and are not
supported: a function using one fails with a clear message when it is called.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vantage6.algorithm import env
from vantage6.algorithm.client import AlgorithmClient
from vantage6.algorithm.decorators import (
    CLIENT_FLAG,
    DATA_FLAG,
    RunMetaData,
    client_provider,
    frames_provider,
    injecting,
    metadata_provider,
)
from vantage6.algorithm.errors import AlgorithmError, EnvironmentVariableNotFoundError
from vantage6.algorithm.mock import MockAlgorithmClient

algorithm_client = injecting(client_provider, CLIENT_FLAG, nearest_first=True)
algorithm_client.__doc__ = "Pass an AlgorithmClient (talking to the node proxy)."

metadata = injecting(metadata_provider, nearest_first=True)
metadata.__doc__ = "Pass the run's RunMetaData (task, node, organization, its files)."


def data(number_of_databases: int = 1):
    """Pass the first ``number_of_databases`` databases the task requested, as DataFrames."""
    return injecting(frames_provider(number_of_databases), DATA_FLAG, nearest_first=True)


@dataclass
class OHDSIMetaData:
    """The OMOP database's settings from the node configuration."""

    database: str | None
    cdm_schema: str | None
    results_schema: str | None
    incremental_folder: Path | None
    cohort_statistics_folder: Path | None
    export_folder: Path | None
    dbms: str | None


def get_ohdsi_metadata(label: str) -> OHDSIMetaData:
    """The OMOP settings the node passes for database ``label`` (its ``CDM_DATABASE``,
    ``CDM_SCHEMA``, ``RESULTS_SCHEMA`` and ``DBMS``)."""
    prefix = f"{label.upper()}_DB_PARAM_"
    values = {}
    for name in ("CDM_DATABASE", "CDM_SCHEMA", "RESULTS_SCHEMA", "DBMS"):
        values[name] = env.get(prefix + name)
        if values[name] is None:
            raise EnvironmentVariableNotFoundError(
                f"Environment variable '{prefix}{name}' is not set"
            )
    temporary = Path(env.require("TEMPORARY_FOLDER", "the job's temporary folder"))
    return OHDSIMetaData(
        database=values["CDM_DATABASE"],
        cdm_schema=values["CDM_SCHEMA"],
        results_schema=values["RESULTS_SCHEMA"],
        incremental_folder=temporary / "incremental",
        cohort_statistics_folder=temporary / "cohort_statistics",
        export_folder=temporary / "export",
        dbms=values["DBMS"],
    )


def database_connection(types: list[str], include_metadata: bool = True):
    """The original's OMOP connection decorator; calling a function it decorates fails."""

    def unsupported(_mocks: dict) -> list:
        raise AlgorithmError(
            f"@database_connection({list(types)}): OMOP database connections are not"
            " supported by these algorithm tools"
        )

    return injecting(unsupported, nearest_first=True)


__all__ = [
    "AlgorithmClient",
    "MockAlgorithmClient",
    "OHDSIMetaData",
    "RunMetaData",
    "algorithm_client",
    "data",
    "database_connection",
    "get_ohdsi_metadata",
    "metadata",
]

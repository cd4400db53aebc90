"""The files of runs on the node's disk, under the configured task dir.

Each run has its own folder (``run-<run id>``, mode 0700) with ``input``, ``output`` and
``token`` (0600). Only that folder is mounted into the run's container, so no run reads
another's input or token (the original mounted one folder with every run's files). Runs of one
job share a temporary folder (``job-<job id>-tmp``). Databases a node plugin loaded for the run
are parquet files in its folder (``data/<label>.parquet``). A marker next to the run folder
(outside what the container sees) records that the node killed the run, so a restarted node
still reports it as killed.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

FILES = ("input", "output", "token")
LOADED = "data"  # the run folder's subfolder of databases loaded by node plugins


class RunFolder:
    def __init__(self, task_dir: Path, run_id: int):
        self.run_id = run_id
        self.path = Path(task_dir) / f"run-{run_id:09d}"
        self._killed = self.path.with_name(self.path.name + ".killed")

    @classmethod
    def existing(cls, task_dir: Path) -> list[RunFolder]:
        """The folders of the runs in ``task_dir``."""
        return [
            cls(task_dir, int(path.name.removeprefix("run-")))
            for path in Path(task_dir).glob("run-*")
            if path.name.removeprefix("run-").isdigit() and path.is_dir()
        ]

    @classmethod
    def create(
        cls, task_dir: Path, run_id: int, input_: bytes, token: str, loaded: dict | None = None
    ) -> RunFolder:
        """A fresh folder for the run (an earlier attempt's is replaced), with the parquet
        content of ``loaded`` databases (per label); OSError leaves none."""
        folder = cls(task_dir, run_id)
        folder.remove()
        try:
            folder.path.mkdir(mode=0o700)
            folder.path.chmod(0o700)  # whatever the umask
            for name, content in zip(FILES, (input_, b"", token.encode()), strict=True):
                _write_private(folder.file(name), content)
            if loaded:
                folder.file(LOADED).mkdir(mode=0o700)
                for label, content in loaded.items():
                    parquet = Path(loaded_uri(str(folder.path), label))
                    _write_private(parquet, content)
                    _write_private(Path(as_csv(str(parquet))), _csv_of(content))
        except OSError:
            folder.remove()
            raise
        return folder

    def file(self, name: str) -> Path:
        return self.path / name

    def token(self) -> str | None:
        """The container token the run was started with (None: it cannot be read)."""
        try:
            return self.file("token").read_text()
        except OSError:
            return None

    def output(self) -> bytes:
        try:
            return self.file("output").read_bytes()
        except FileNotFoundError:
            return b""

    def mark_killed(self) -> None:
        self._killed.touch(mode=0o600)

    def unmark_killed(self) -> None:
        self._killed.unlink(missing_ok=True)

    @property
    def killed(self) -> bool:
        return self._killed.exists()

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        self.unmark_killed()


def loaded_uri(run_dir: str, label: str) -> str:
    """Where a run whose folder is ``run_dir`` (as it sees it) finds a loaded database."""
    return f"{run_dir}/{LOADED}/{label}.parquet"


def as_csv(parquet_uri: str) -> str:
    """The CSV copy beside a loaded database: the original 4.x algorithm images read parquet
    with pandas alone, which cannot without pyarrow (their base image has none)."""
    return parquet_uri.removesuffix(".parquet") + ".csv"


def _csv_of(parquet: bytes) -> bytes:
    import pandas  # the node loaded the data, so it has pandas and pyarrow

    return pandas.read_parquet(io.BytesIO(parquet)).to_csv(index=False).encode()


def job_path(task_dir: Path, job_id: int) -> Path:
    return Path(task_dir) / f"job-{job_id}-tmp"


def job_folder(task_dir: Path, job_id: int) -> Path:
    """The job's temporary folder, created (0700) when missing."""
    path = job_path(task_dir, job_id)
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def remove_job_folder(task_dir: Path, job_id: int) -> None:
    shutil.rmtree(job_path(task_dir, job_id), ignore_errors=True)


def _write_private(path: Path, content: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)

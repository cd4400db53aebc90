"""R algorithms in the process runtime: an algorithm's R package and ``vtg`` (its wrapper), both
from source folders, installed with ``R CMD INSTALL`` into a library of the node's own, once,
and again whenever a source changed. Runs then start as ``Rscript`` with that library.

A folder holding an R package is told by its ``DESCRIPTION`` file.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

VTG_SOURCE = Path(__file__).resolve().parents[4] / "R" / "vtg"
WRAPPER = "vtg::docker.wrapper(Sys.getenv('PKG_NAME'))"  # what the R base image runs
INSTALL_TIMEOUT_SECONDS = 600


class InstallFailed(Exception):
    """An R package could not be installed; the message says which and why."""


def is_r_package(folder: Path | None) -> bool:
    return folder is not None and (folder / "DESCRIPTION").is_file()


def command() -> list[str]:
    """The command that runs an R algorithm (``PKG_NAME`` names its package)."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        raise InstallFailed("Rscript is not installed: R algorithms need R (r-base-core)")
    return [rscript, "-e", WRAPPER]


def library_with(library: Path, *sources: Path) -> Path:
    """``library`` holding the packages of ``sources``, each as its source is now. Runs that
    start together wait for one another's install (a lock file), not install twice."""
    library.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(library / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for source in sources:
            _install(library, source)
    return library


def _install(library: Path, source: Path) -> None:
    stamp = library / f".{source.name}.source"
    digest = _digest(source)
    if stamp.exists() and stamp.read_text() == digest:
        return
    install = ["R", "CMD", "INSTALL", "--no-docs", "--no-multiarch", f"--library={library}"]
    try:
        # From a copy: R compiles a package's C code in its source folder.
        with tempfile.TemporaryDirectory() as build:
            copy = shutil.copytree(source, Path(build) / source.name)
            done = subprocess.run(
                [*install, str(copy)],
                capture_output=True,
                text=True,
                timeout=INSTALL_TIMEOUT_SECONDS,
            )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InstallFailed(f"R package {source.name} could not be installed: {exc}") from None
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip().splitlines()[-15:]
        raise InstallFailed(
            f"R package {source.name} could not be installed:\n" + "\n".join(output)
        )
    stamp.write_text(digest)


def _digest(source: Path) -> str:
    """What the package's files are now: their paths and contents, tests aside."""
    digest = hashlib.sha256()
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.is_file() and relative.parts[0] != "tests":
            digest.update(str(relative).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()

"""A throwaway PostgreSQL server for the tests: ``initdb`` into a temporary folder, started
with ``pg_ctl`` on 127.0.0.1 and a free port (its socket in the same folder), stopped and
deleted at the end. Debian's ``postgresql`` package provides the programs
(``/usr/lib/postgresql/<version>/bin``; ``.ci/run`` installs it). PostgreSQL refuses to
run as root, so as root the server runs as the ``postgres`` user the package creates.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.web.conftest import free_port

USER = "dlgrade"


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder holding initdb and pg_ctl, or None."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    return Path(found[-1]).parent if found else None


def why_not() -> str | None:
    """Why a PostgreSQL server cannot be started here, or None when it can."""
    if postgres_bin() is None:
        return (
            "PostgreSQL is not installed (/usr/lib/postgresql/*/bin/initdb; apt install postgresql)"
        )
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run PostgreSQL as"
        if shutil.which("runuser") is None:
            return "running as root and runuser (util-linux) is missing"
    return None


def _run(command: list[str]) -> None:
    """Run a PostgreSQL program as the user that owns the data (``postgres`` as root)."""
    owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    done = subprocess.run(
        [*owner, *command], check=False, capture_output=True, text=True, timeout=120
    )
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()}")


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a fresh PostgreSQL; yields its ``postgresql://`` URL; stops it afterwards."""
    bin_dir = postgres_bin()
    assert bin_dir is not None, why_not()
    folder = Path(tempfile.mkdtemp(prefix="dlgrade-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    port = free_port()
    _run([str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8"])
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder} "
        "-c fsync=off -c max_connections=200"  # a test server: durability is not tested here
    )
    pg_ctl = str(bin_dir / "pg_ctl")
    _run([pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"])
    try:
        yield f"postgresql://{USER}@127.0.0.1:{port}/postgres"
    finally:
        _run([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"])
        shutil.rmtree(folder, ignore_errors=True)

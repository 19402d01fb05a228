"""Finding the dbt project and running dbt in it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from trainset.errors import TrainsetError


def find_project(start: Path | None = None) -> Path:
    """The folder holding dbt_project.yml: start or its nearest parent."""
    start = Path(start or os.environ.get("TRAINSET_PROJECT_DIR") or Path.cwd())
    for folder in (start.resolve(), *start.resolve().parents):
        if (folder / "dbt_project.yml").is_file():
            return folder
    raise TrainsetError(f"no dbt project found in {start} or its parents (no dbt_project.yml)")


def dbt_environment(project_dir: Path) -> dict[str, str]:
    """Settings every dbt call needs: our profile, and no usage statistics."""
    return {
        # dbt reads DBT_PROJECT_DIR before its working folder: an inherited
        # one would build another project.
        "DBT_PROJECT_DIR": str(project_dir),
        "DBT_PROFILES_DIR": os.environ.get("DBT_PROFILES_DIR", str(project_dir)),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }


def run_dbt(args: list[str], project_dir: Path, env: dict[str, str] | None = None) -> bool:
    """Run dbt with args in the project, its output shown; True on success.
    env adds to the environment (a scratch database or target folder).

    dbt runs in its own process: its DuckDB connection is closed when it
    returns, so the caller can read the build right away.
    """
    dbt = Path(sys.executable).parent / "dbt"
    if not dbt.is_file():
        raise TrainsetError(f"dbt is not installed beside {sys.executable}: run `make setup`")
    env = {**os.environ, **dbt_environment(project_dir), **(env or {})}
    # raw_dir and the DuckDB path are relative to the project folder.
    done = subprocess.run([str(dbt), *args], cwd=project_dir, env=env)
    return done.returncode == 0

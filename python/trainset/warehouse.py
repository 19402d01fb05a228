"""Reading a built relation: the one module that knows each engine."""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from pathlib import Path

from trainset.errors import TrainsetError


def duckdb_path(project_dir: Path) -> Path:
    """The DuckDB file the duckdb target writes (profiles.yml's rule)."""
    path = Path(os.environ.get("TRAINSET_DB", "target/trainset.duckdb"))
    return path if path.is_absolute() else project_dir / path


def memory_settings() -> dict[str, str]:
    """DuckDB's memory limit, as the profile sets it. The spill folder is
    left at DuckDB's default beside the database file, so that a reader
    never shares one with a running build."""
    return {"memory_limit": os.environ.get("TRAINSET_MEMORY_LIMIT", "4GB")}


@contextmanager
def duckdb_connection(project_dir: Path, db: Path | None = None):
    """A read-only connection to the project's DuckDB build (or to db)."""
    import duckdb

    path = Path(db) if db else duckdb_path(project_dir)
    if not path.is_file():
        raise TrainsetError(f"no DuckDB build at {path}: run `dbt build` first")
    try:
        con = duckdb.connect(str(path), read_only=True, config=memory_settings())
    except duckdb.IOException as error:
        raise _open_error(path, error) from None
    try:
        yield con
    finally:
        con.close()


def _open_error(path: Path, error: Exception) -> TrainsetError:
    """One line for a DuckDB file that would not open: who holds its lock."""
    if "lock" not in str(error).lower():
        return TrainsetError(f"cannot open {path}: {error}")
    holder = re.search(r"held in (.*?\(PID \d+\))", str(error))
    return TrainsetError(
        f"{path} is locked by another build"
        f"{f' ({holder.group(1)})' if holder else ''}; try again when it has finished"
    )


def ensure_unlocked(project_dir: Path) -> None:
    """Fail in one line when another process holds the DuckDB build's lock.

    dbt would fail too, but inside its multi-line error block; this says it
    first. A build that grabs the lock after this check still fails in dbt.
    """
    import duckdb

    path = duckdb_path(project_dir)
    if not path.is_file():
        return
    try:
        duckdb.connect(str(path)).close()
    except duckdb.IOException as error:
        raise _open_error(path, error) from None


def preview(project_dir: Path, relation: str, limit: int = 5) -> tuple[list[str], list[tuple]]:
    """Column names and the first rows of a relation in the DuckDB build."""
    with duckdb_connection(project_dir) as con:
        result = con.sql(f"select * from {relation} limit {int(limit)}")
        return list(result.columns), result.fetchall()

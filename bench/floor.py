"""Run the floor statement (bench/floor.sql) on a raw desk into a Parquet file.

python bench/floor.py RAW_DIR OUT.parquet
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
from split_vars import split_vars

PROJECT = Path(__file__).resolve().parents[1]


def floor_sql(raw_dir: Path) -> tuple[str, str]:
    """The masking macros and the statement, with the project's split settings."""
    text = (PROJECT / "bench" / "floor.sql").read_text()
    train, validation, salt = split_vars()
    for name, value in {
        "{raw_dir}": str(raw_dir),
        "{seeds_dir}": str(PROJECT / "seeds"),
        "{train}": repr(train),
        "{train_plus_validation}": repr(train + validation),
        "{salt}": salt,
    }.items():
        text = text.replace(name, value)
    macro, _, statement = text.rpartition(";")
    return macro, statement


def main(raw_dir: str, out: str, memory_limit: str = "4GB") -> None:
    macro, statement = floor_sql(Path(raw_dir))
    con = duckdb.connect()
    con.execute(f"set memory_limit = '{memory_limit}'; set TimeZone = 'UTC'")
    con.execute(macro)
    con.execute(f"copy ({statement}) to '{out}' (format parquet)")


if __name__ == "__main__":
    main(*sys.argv[1:3])

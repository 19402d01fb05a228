"""DuckDB's own Parquet write of the built ticket_triage v2: every row,
sorted by its id, into one zstd file (the export's writer options), from a
fresh process. The ceiling that an export of the same rows can approach on
this machine, measured beside it in the same run.

python bench/write.py TRAINSET_DUCKDB OUT.parquet
"""

from __future__ import annotations

import sys

import duckdb

from trainset.warehouse import DuckDBWarehouse

# The export's own writer options.
OPTIONS = DuckDBWarehouse.options["parquet"]


def main(db: str, out: str, memory_limit: str = "4GB") -> None:
    con = duckdb.connect(db, read_only=True)
    con.execute(f"set memory_limit = '{memory_limit}'")
    target = out.replace("'", "''")
    con.execute(
        f"copy (select * from ticket_triage_v2 order by ticket_id) to '{target}' ({OPTIONS})"
    )


if __name__ == "__main__":
    main(*sys.argv[1:4])

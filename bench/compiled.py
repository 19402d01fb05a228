"""Run the project's compiled model SQL straight in one DuckDB connection.

The gap between this and `dbt build` of the models is what dbt itself adds.
Models run in the order the dbt run finished them (parents first), each as
its materialization: a table or a view. The seed is loaded from its CSV.

    python bench/compiled.py TARGET_DIR RUN_RESULTS OUT.duckdb
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb

PROJECT = Path(__file__).resolve().parents[1]


def main(target: str, run_results: str, out: str, memory_limit: str = "4GB") -> None:
    target = Path(target)
    manifest = json.loads((target / "manifest.json").read_text())
    results = json.loads(Path(run_results).read_text())["results"]
    out_path = Path(out)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.unlink(missing_ok=True)
    # The compiled SQL names the database after the dbt build's file; the
    # caller gives this file the same name.
    con = duckdb.connect(str(out_path))
    con.execute(f"set memory_limit = '{memory_limit}'; set TimeZone = 'UTC'")
    for result in results:
        node = manifest["nodes"].get(result["unique_id"])
        if node is None:  # an exposure or the like: nothing to run
            continue
        relation = node.get("relation_name")
        if node["resource_type"] == "seed":
            types = node["config"].get("column_types") or {}
            columns = ", ".join(f"'{c}': '{t}'" for c, t in types.items())
            path = PROJECT / node["original_file_path"]
            options = f", types = {{{columns}}}" if columns else ""
            con.execute(
                f"create or replace table {relation} as "
                f"select * from read_csv('{path}', header = true{options})"
            )
        elif node["resource_type"] == "model":
            sql = (
                target / "compiled" / node["package_name"] / node["original_file_path"]
            ).read_text()
            kind = "view" if node["config"]["materialized"] == "view" else "table"
            started = time.perf_counter()
            con.execute(f"create or replace {kind} {relation} as {sql}")
            print(f"{time.perf_counter() - started:7.2f} s  {node['name']}", flush=True)
    con.close()


if __name__ == "__main__":
    main(*sys.argv[1:4])

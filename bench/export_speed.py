"""Export speed: rows per second written by `trainset export`, per format.

Generates a synthetic desk, builds ticket_triage into a scratch DuckDB file
(models and unit tests; the data tests are not what is measured here), then
times the export in each format. Writes the table into docs/benchmarks.md.
Run with `make bench` (or `python bench/export_speed.py --tickets N`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--out", default=str(PROJECT / "docs" / "benchmarks.md"))
    args = parser.parse_args()

    from trainset.export import export_dataset
    from trainset.sample import generator

    with tempfile.TemporaryDirectory(prefix="trainset-bench-") as scratch:
        scratch = Path(scratch)
        started = time.perf_counter()
        desk = generator.generate(n_tickets=args.tickets, seed=1)
        generator.write(desk, scratch / "raw", fmt="parquet")
        generated = time.perf_counter() - started
        print(f"generated {args.tickets:,} tickets in {generated:.1f} s", file=sys.stderr)

        db, target = scratch / "bench.duckdb", scratch / "target"
        env = {
            **os.environ,
            "TRAINSET_DB": str(db),
            "DBT_PROFILES_DIR": str(PROJECT),
            "TRAINSET_TEMP_DIR": str(scratch / "tmp"),
        }
        started = time.perf_counter()
        done = subprocess.run(
            [
                str(BIN / "dbt"),
                "build",
                "--exclude",
                "test_type:data",
                "--target-path",
                str(target),
                "--log-path",
                str(scratch / "logs"),
                "--vars",
                json.dumps({"raw_dir": str(scratch / "raw")}),
            ],
            cwd=PROJECT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        built = time.perf_counter() - started
        if done.returncode != 0:
            print("error: the dbt build failed", file=sys.stderr)
            return 1
        rows = []
        for fmt in ("parquet", "csv", "jsonl"):
            started = time.perf_counter()
            result = export_dataset(
                PROJECT, "ticket_triage", out=scratch / fmt, fmt=fmt, dbt_target=target, db=db
            )
            seconds = time.perf_counter() - started
            n = sum(s["rows"] for s in result.manifest["splits"].values())
            size = sum(f["bytes"] for f in result.manifest["files"])
            rows.append((fmt, n, seconds, n / seconds, size))
            print(
                f"{fmt}: {n:,} rows in {seconds:.2f} s = {n / seconds:,.0f} rows/s", file=sys.stderr
            )

    lines = [
        "# Benchmarks",
        "",
        "## Export",
        "",
        f"`python bench/export_speed.py --tickets {args.tickets}` on "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}: "
        f"a {args.tickets:,}-ticket synthetic desk (generated in {generated:.1f} s), "
        f"ticket_triage v2 built in {built:.1f} s (models and unit tests), then exported. "
        "The time covers everything `trainset export` does: reading dbt's artifacts, "
        "writing both files of every split through DuckDB's COPY, hashing them, and the "
        "manifest and card.",
        "",
        "| format | rows | seconds | rows per second | bytes |",
        "|---|---:|---:|---:|---:|",
        *(f"| {fmt} | {n:,} | {s:.2f} | {r:,.0f} | {b:,} |" for fmt, n, s, r, b in rows),
        "",
    ]
    Path(args.out).write_text("\n".join(lines))
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

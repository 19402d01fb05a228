"""The Spark row of the benchmark: ticket_triage v2 at 1M tickets on Spark
(dbt-spark, session method, local[2]) beside DuckDB, in one run.

On one generated desk (Parquet), each step in its own process, timed and
measured as bench/run.py does (wall time; peak memory here is the larger of
wait4's peak RSS and the sampled RSS of the whole process tree, because
Spark's JVM is a grandchild of the dbt process that wait4 does not count):
  generate        trainset sample (set-based, DuckDB)
  duckdb models   dbt build of the models, --target duckdb
  spark models    dbt build of the models, --target spark
  spark tests     dbt test --target spark: every data and unit test
  duckdb export   trainset export of v2
  spark export    trainset export of v2, written by Spark
then the two exports are compared value by value (trainset.compare), and the
Spark models' slowest nodes say where its time goes. Results go between the
bench:spark markers of docs/benchmarks.md.

    python bench/spark.py [--tickets 1000000] [--work DIR] [--no-doc]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from trainset.project import dbt_command

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import (
    DOC,
    PROJECT,
    dbt_env,
    export_command,
    generate_command,
    machine,
    models_build,
    run,
)

START, END = "<!-- bench:spark:start -->", "<!-- bench:spark:end -->"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--work", default=str(PROJECT / "target" / "bench-spark"))
    parser.add_argument("--no-doc", action="store_true", help="print only; leave docs/ alone")
    args = parser.parse_args()

    from trainset.compare import content_differences

    work = Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    raw, logs = work / "raw", work / "logs"
    vars_ = {"raw_dir": str(raw)}
    duck = {**dbt_env(work / "duckdb")}
    spark = {
        **dbt_env(work / "spark"),
        "TRAINSET_SPARK_DIR": str(work / "spark" / "spark"),
        "SPARK_LOCAL_IP": "127.0.0.1",
    }
    steps = {}
    steps["generate"] = run("generate", generate_command(raw, args.tickets), logs / "generate.log")
    steps["duckdb models"] = run("duckdb", models_build(vars_), logs / "duckdb.log", duck)
    steps["spark models"] = run(
        "spark", [*models_build(vars_), "--target", "spark"], logs / "spark.log", spark
    )
    slowest = _slowest(
        work / "spark" / "target" / "run_results.json",
        work / "duckdb" / "target" / "run_results.json",
    )
    for engine, env in (("duckdb", duck), ("spark", spark)):
        steps[f"{engine} export"] = run(
            "export",
            export_command(work / engine / "exports"),
            logs / f"{engine}_export.log",
            env,
        )
    # Tests after the exports: the export's gate reads the models' run.
    steps["spark tests"] = run(
        "tests",
        dbt_command(["test", "--target", "spark", "--vars", json.dumps(vars_)]),
        logs / "spark_tests.log",
        spark,
    )
    v2 = Path("ticket_triage") / "v2"
    differences = (
        content_differences(work / "duckdb" / "exports" / v2, work / "spark" / "exports" / v2)
        if steps["spark export"].ok and steps["duckdb export"].ok
        else ["an export failed"]
    )
    rows = 0
    if steps["spark export"].ok:
        manifest = json.loads((work / "spark" / "exports" / v2 / "manifest.json").read_text())
        rows = sum(s["rows"] for s in manifest["splits"].values())
    block = render(args.tickets, rows, steps, slowest, differences)
    print(block)
    if not args.no_doc:
        text = DOC.read_text()
        if START in text:
            head, rest = text.split(START, 1)
            text = head + START + "\n" + block + END + rest.split(END, 1)[1]
        else:
            text += f"\n## Spark\n\n{START}\n{block}{END}\n"
        DOC.write_text(text)
        print(f"wrote {DOC}")
    shutil.rmtree(raw, ignore_errors=True)
    return 0 if all(s.ok for s in steps.values()) and not differences else 1


def _node_seconds(run_results: Path) -> dict[str, float]:
    if not run_results.is_file():
        return {}
    results = json.loads(run_results.read_text())
    return {r["unique_id"].split(".")[-1]: r["execution_time"] for r in results["results"]}


def _slowest(spark_results: Path, duckdb_results: Path, n: int = 6) -> list[tuple]:
    """(node, Spark seconds, DuckDB seconds) for Spark's slowest nodes, and
    a last row for what no Spark node accounts for: starting the session,
    dbt's own work, and the metastore calls between nodes."""
    spark, duck = _node_seconds(spark_results), _node_seconds(duckdb_results)
    if not spark:
        return []
    rows = [(name, seconds, duck.get(name)) for name, seconds in spark.items()]
    rows.sort(key=lambda row: -row[1])
    # Only Spark's: DuckDB runs two nodes at a time, so its node times
    # add up to more than its run.
    rest = json.loads(spark_results.read_text())["elapsed_time"] - sum(spark.values())
    return [*rows[:n], ("(outside any node)", rest, None)]


def render(tickets, rows, steps, slowest, differences) -> str:
    duck, spark = steps["duckdb models"], steps["spark models"]
    lines = [
        f"Measured on {machine()}, {tickets:,} tickets ({rows:,} rows of v2), "
        "each step in its own process.",
        "",
        "| step | seconds | peak MB (process tree) | ok |",
        "|---|---:|---:|---|",
    ]
    for name, step in steps.items():
        ok = "yes" if step.ok else step.note
        peak = max(step.peak_mb, step.tree_peak_mb)
        lines.append(f"| {name} | {step.seconds:.1f} | {peak:.0f} | {ok} |")
    if duck.ok and spark.ok:
        lines += ["", f"Spark models / DuckDB models: **{spark.seconds / duck.seconds:.1f}×**."]
    lines += [
        "",
        "Exported v2, Spark against DuckDB: "
        + ("**identical content**." if not differences else f"**differs**: {differences[:3]}"),
        "",
        "Where the Spark models' time goes (dbt's node timings, seconds; nodes "
        "run one at a time on Spark, two at a time on DuckDB):",
        "",
        "| node | Spark | DuckDB |",
        "|---|---:|---:|",
    ]
    lines += [
        f"| `{name}` | {seconds:.1f} | {'' if other is None else f'{other:.1f}'} |"
        for name, seconds, other in slowest
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())

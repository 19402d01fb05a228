"""The same project on Apache Spark (dbt-spark, session method): it builds,
its tests pass as DuckDB's do, and ticket_triage v2 exported from Spark holds
what DuckDB's export holds. `make test-spark` runs these; they need its
extras (pyspark, dbt-spark) and Java 17."""

from __future__ import annotations

import csv
import json
import os
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest
from conftest import (
    BIN,
    PROJECT,
    Build,
    dbt,
    fixture_tests,
    unexpected_fixture_statuses,
    write_desk,
)

from trainset.compare import content_differences

pytestmark = pytest.mark.spark
pytest.importorskip("pyspark", reason="the Spark extras are not installed: run make test-spark")


def spark_env(workdir: Path) -> dict:
    """The spark target's warehouse, metastore and dbt target in workdir."""
    return {
        "TRAINSET_SPARK_DIR": str(workdir / "spark"),
        "DBT_TARGET_PATH": str(workdir / "target"),
        "SPARK_LOCAL_IP": os.environ.get("SPARK_LOCAL_IP", "127.0.0.1"),
    }


def build_and_export(workdir: Path, target: str, raw_dir: Path | None = None) -> tuple[Build, Path]:
    """dbt build on one engine (datasets selector), then trainset export of
    ticket_triage v2 into workdir/exports."""
    env = spark_env(workdir)
    vars_ = {"raw_dir": str(raw_dir)} if raw_dir else None
    build = dbt(["build", "--target", target], workdir, vars=vars_, env=env)
    assert build.returncode == 0, build.output[-4000:]
    done = subprocess.run(
        [BIN / "trainset", "export", "ticket_triage", "--out", str(workdir / "exports")],
        cwd=PROJECT,
        env={**os.environ, **env, "TRAINSET_DB": str(build.db)},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return build, workdir / "exports" / "ticket_triage" / "v2"


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> dict:
    """The bundled sample built and exported by each engine."""
    root = tmp_path_factory.mktemp("engines")
    return {engine: build_and_export(root / engine, engine) for engine in ("duckdb", "spark")}


NEAR_DUPLICATE_TESTS = ("no_cross_split_near_duplicates", "no_near_conflicting_labels")


def probabilistic(unique_id: str) -> bool:
    return unique_id.startswith("test.") and unique_id.split(".")[2].startswith(
        NEAR_DUPLICATE_TESTS
    )


def test_spark_build_passes_every_node_as_duckdb_does(sample):
    spark, _ = sample["spark"]
    duck, _ = sample["duckdb"]
    bad = {k: v["status"] for k, v in spark.results.items() if v["status"] in ("error", "fail")}
    assert not bad
    unit_tests = [k for k in spark.results if k.startswith("unit_test.")]
    assert unit_tests, "no unit test ran on Spark"

    # Same nodes, same outcome, same number of failing rows (the sample's
    # planted damage warns on both). The near-duplicate search is
    # probabilistic and each engine hashes with its own function, so its
    # candidates differ: there, a row in ten (at least one) may differ.
    def outcome(build):
        return {
            k: (v["status"], None if probabilistic(k) else v.get("failures"))
            for k, v in build.results.items()
        }

    assert outcome(spark) == outcome(duck)
    for key in filter(probabilistic, duck.results):
        found = spark.results[key]["failures"], duck.results[key]["failures"]
        assert abs(found[0] - found[1]) <= max(1, max(found) // 10), (key, found)
    # The one test Spark cannot run says so, not only passes.
    assert "language_mismatch: not checked on Spark" in spark.output


def test_every_planted_bug_is_caught_on_spark(sample, tmp_path):
    """The generic tests' Spark versions (regular expressions, string
    aggregation, hashing) fail on the same fixtures as DuckDB's."""
    spark, _ = sample["spark"]
    # In the sample's Spark warehouse: some fixtures read its staging.
    env = spark_env(spark.target.parent)
    run = dbt(
        ["build", "--selector", "fixtures", "--target", "spark"],
        tmp_path,
        vars={"fixtures": True},
        env=env,
    )
    manifest = json.loads((run.target / "manifest.json").read_text())
    assert len(fixture_tests(manifest)) > 30
    assert unexpected_fixture_statuses(run, manifest) == {}


def test_spark_export_records_its_engine_and_keeps_the_layout(sample):
    spark, spark_dir = sample["spark"]
    _, duck_dir = sample["duckdb"]
    spark_manifest = json.loads((spark_dir / "manifest.json").read_text())
    duck_manifest = json.loads((duck_dir / "manifest.json").read_text())
    assert spark_manifest["dbt"]["adapter"] == "spark"
    # The test outcomes came from the build record in the Spark warehouse.
    built = json.loads((spark.target / "run_results.json").read_text())["metadata"]
    assert spark_manifest["dbt"]["invocation_id"] == built["invocation_id"]
    assert spark_manifest["tests"]["summary"] == duck_manifest["tests"]["summary"]
    assert {t["invocation_id"] for t in spark_manifest["tests"]["results"]} == {
        built["invocation_id"]
    }
    assert spark_manifest["writer"].startswith("spark ")
    assert duck_manifest["writer"].startswith("duckdb ")
    assert [f["path"] for f in spark_manifest["files"]] == [
        f["path"] for f in duck_manifest["files"]
    ]
    assert spark_manifest["splits"] == duck_manifest["splits"]
    assert "files written by spark " in (spark_dir / "README.md").read_text()
    # One file per split and kind, sorted by id, written by Spark.
    features = pq.ParquetFile(spark_dir / "train" / "features.parquet")
    assert "spark" in (features.metadata.created_by or "").lower() or any(
        b"spark" in key for key in (features.metadata.metadata or {})
    )
    ids = features.read(columns=["ticket_id"])["ticket_id"].to_pylist()
    assert ids == sorted(ids)


def test_exported_v2_is_identical_on_both_engines(sample):
    _, spark_dir = sample["spark"]
    _, duck_dir = sample["duckdb"]
    assert content_differences(duck_dir, spark_dir) == []


def test_the_comparison_catches_one_changed_value(sample, tmp_path):
    """Negative control: a copy of the Spark export with one feature value
    nudged by more than the tolerance is reported."""
    import shutil

    import pyarrow as pa

    _, spark_dir = sample["spark"]
    _, duck_dir = sample["duckdb"]
    copy = tmp_path / "v2"
    shutil.copytree(spark_dir, copy)
    path = copy / "train" / "features.parquet"
    table = pq.read_table(path)
    ages = table["account_age_days"].to_pylist()
    ages[0] += 1
    index = table.schema.get_field_index("account_age_days")
    table = table.set_column(index, table.schema.field(index), pa.array(ages, pa.int32()))
    pq.write_table(table, path)
    problems = content_differences(duck_dir, copy)
    assert len(problems) == 1 and "account_age_days" in problems[0]


def _someone_elses_desk(folder: Path) -> Path:
    """A desk export in the contract's forms that our own writer does not
    use: offsets other than UTC, fractional seconds, padded fields, a
    byte-order mark, CRLF records, columns in another order with an extra
    one, multi-line and non-ASCII bodies, and two tables in Parquet."""

    def vary(desk):
        for i, row in enumerate(desk.rows["ticket_messages"]):
            if i % 7 == 0 and row.get("body"):
                row["body"] = row["body"] + "\nsent from my phone, ça va 🙂"
            if i % 11 == 0 and row.get("created_at") and len(row["created_at"]) == 19:
                moment = datetime.fromisoformat(row["created_at"]) + timedelta(hours=5, minutes=30)
                row["created_at"] = moment.isoformat() + ".250000+05:30"
        for i, row in enumerate(desk.rows["tickets"]):
            if i % 9 == 0 and row.get("created_at") and len(row["created_at"]) == 19:
                moment = datetime.fromisoformat(row["created_at"]) - timedelta(hours=8)
                row["created_at"] = " " + moment.strftime("%Y-%m-%dT%H:%M:%S") + "-0800\t"
            if i % 13 == 0 and row.get("subject"):
                row["subject"] = "  " + row["subject"] + "  "

    write_desk(folder, n_tickets=3000, seed=23, mutate=vary)
    # Parquet for two tables: the reader prefers it over CSV.
    for table in ("players", "purchases"):
        path = folder / f"{table}.csv"
        frame = pcsv.read_csv(
            path,
            convert_options=pcsv.ConvertOptions(
                column_types={n: "string" for n in _header(path)}, strings_can_be_null=True
            ),
        )
        pq.write_table(frame, folder / f"{table}.parquet")
        path.unlink()
    # ticket_messages: BOM, CRLF, reversed columns and an extra one.
    path = folder / "ticket_messages.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    columns = [*reversed(list(rows[0])), "exported_by"]
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows({**row, "exported_by": "helpdesk-v9"} for row in rows)
    return folder


def _header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return next(csv.reader(handle))


def test_someone_elses_export_gives_the_same_dataset_on_both_engines(tmp_path):
    raw = _someone_elses_desk(tmp_path / "raw")
    exports = {
        engine: build_and_export(tmp_path / engine, engine, raw_dir=raw)[1]
        for engine in ("duckdb", "spark")
    }
    assert content_differences(exports["duckdb"], exports["spark"]) == []
    # The varied forms reached the dataset rather than quarantine.
    manifest = json.loads((exports["spark"] / "manifest.json").read_text())
    assert sum(s["rows"] for s in manifest["splits"].values()) > 2000


def test_export_while_another_session_holds_the_metastore_fails_in_one_line(sample):
    """Embedded Derby serves one JVM: a second one would retry, logging
    thousands of lines. A process holding the lock as Derby does stands in
    for a running Spark build."""
    import sys

    spark, _ = sample["spark"]
    env = {**os.environ, **spark_env(spark.target.parent)}
    lock = Path(env["TRAINSET_SPARK_DIR"]) / "metastore_db" / "dbex.lck"
    assert lock.is_file()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time\n"
            f"f = open({str(lock)!r}, 'rb+')\n"
            "fcntl.lockf(f, fcntl.LOCK_EX)\n"
            "print('locked', flush=True)\n"
            "time.sleep(120)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        for command in (
            ["export", "ticket_triage", "--out", "unused"],
            ["build", "--target", "spark"],
        ):
            done = subprocess.run(
                [BIN / "trainset", *command], cwd=PROJECT, env=env, capture_output=True, text=True
            )
            assert done.returncode == 2, done.stdout + done.stderr
            assert done.stderr.strip().splitlines() == [
                f"error: {lock.parent} is in use by another Spark build; "
                "try again when it has finished"
            ], done.stderr
    finally:
        holder.kill()


@pytest.mark.parametrize(
    ("vars_", "model", "says"),
    [
        ({"incremental": True}, "base_desk__tickets", "the incremental path is not built on Spark"),
        ({"cfpb_path": "/nowhere/complaints.csv"}, "base_cfpb__complaints", "not built on Spark"),
        ({"raw_dir": "{empty}"}, "base_desk__tickets", "not found: looked for {empty}/"),
    ],
)
def test_what_spark_cannot_build_stops_with_one_message(vars_, model, says, tmp_path):
    # A raw_dir that exists but lacks the table (one that does not exist
    # at all gets Spark's own PATH_NOT_FOUND naming it).
    empty = tmp_path / "empty"
    empty.mkdir()
    vars_ = {
        k: v.replace("{empty}", str(empty)) if isinstance(v, str) else v for k, v in vars_.items()
    }
    says = says.replace("{empty}", str(empty))
    run = dbt(
        ["compile", "--target", "spark", "--select", model],
        tmp_path / "run",
        vars=vars_,
        env=spark_env(tmp_path),
    )
    assert run.returncode != 0
    assert says in run.output

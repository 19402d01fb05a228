"""The build record: the export pairs a warehouse's data with that
warehouse's own test outcomes, whatever dbt ran since and wherever."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import replace

import duckdb
import pytest
from conftest import BIN, PROJECT, dbt, write_desk

from trainset.errors import TrainsetError
from trainset.export import export_dataset
from trainset.record import MAX_CAUSES, NodeRun, build_record, outcomes_of_tests, refusal


def _copy(build, folder):
    """The build's database and target folder, copied: a test may run more
    dbt commands on them."""
    folder.mkdir(parents=True)
    shutil.copy(build.db, folder / "trainset.duckdb")
    shutil.copytree(build.target, folder / "target")
    return folder / "trainset.duckdb", folder / "target"


def _export(db, target, out, **options):
    return export_dataset(
        PROJECT, options.pop("name", "ticket_triage"), out=out, dbt_target=target, db=db, **options
    ).manifest.to_dict()


def _statuses(manifest) -> set[str]:
    return {t["status"] for t in manifest["tests"]["results"]}


@pytest.mark.slow("runs five dbt commands on a copy of the sample build")
def test_export_ignores_commands_that_build_nothing(sample_build, tmp_path):
    """dbt compile, ls, show and a run of an unrelated model leave what the
    export reports as it was: never a compile status, always the build's."""
    db, target = _copy(sample_build, tmp_path / "copy")
    before = _export(db, target, tmp_path / "before")
    for command in (
        ["compile"],
        ["compile", "--inline", "select 1 as one"],
        ["ls"],
        ["show", "--inline", "select 1 as one"],
        ["run", "--select", "stg_desk__players"],
    ):
        done = dbt(command, tmp_path / "copy", db=db)
        assert done.returncode == 0, done.output[-2000:]
    # The last run's record in the target folder is now a `dbt run`'s.
    assert json.loads((target / "run_results.json").read_text())["args"]["which"] == "run"
    after = _export(db, target, tmp_path / "after")
    assert _statuses(after) <= {"pass", "warn"}
    assert after["dbt"]["invocation_id"] == before["dbt"]["invocation_id"]
    assert after["tests"] == before["tests"]
    built = {t["invocation_id"] for t in after["tests"]["results"]}
    assert built == {before["dbt"]["invocation_id"]}


@pytest.mark.slow("runs dbt test on a copy of the sample build")
def test_a_later_dbt_test_counts(sample_build, tmp_path):
    db, target = _copy(sample_build, tmp_path / "copy")
    build = _export(db, target, tmp_path / "before")["dbt"]["invocation_id"]
    done = dbt(["test", "--select", "ticket_triage"], tmp_path / "copy", db=db)
    assert done.returncode == 0, done.output[-2000:]
    manifest = _export(db, target, tmp_path / "after")
    assert manifest["dbt"]["invocation_id"] == build
    invocations = {t["invocation_id"] for t in manifest["tests"]["results"]}
    assert len(invocations) == 2 and build in invocations
    # Upstream tests that did not run again still speak from the build.
    upstream = [t for t in manifest["tests"]["results"] if "base_desk__tickets" in t["unique_id"]]
    assert upstream and {t["invocation_id"] for t in upstream} == {build}


@pytest.mark.slow("builds a second desk")
def test_two_databases_each_export_their_own(sample_build, tmp_path):
    """The record of one build in one file, the data of another in another:
    whichever target folder dbt last wrote, each file exports its own."""
    variant = dbt(
        ["build"],
        tmp_path / "variant",
        vars={"raw_dir": str(write_desk(tmp_path / "raw", n_tickets=2400, seed=23))},
        db=tmp_path / "variant" / "variant.duckdb",
    )
    assert variant.returncode == 0, variant.output[-2000:]
    # The sample's data with the variant's target folder, and back.
    first = _export(sample_build.db, variant.target, tmp_path / "first")
    second = _export(variant.db, sample_build.target, tmp_path / "second")
    assert first["dbt"]["invocation_id"] != second["dbt"]["invocation_id"]
    for manifest, build in ((first, sample_build), (second, variant)):
        rows = build.query("select count(*) from ticket_triage_v2")[0][0]
        assert sum(s["rows"] for s in manifest["splits"].values()) == rows
        with duckdb.connect(str(build.db), read_only=True) as con:
            built_by = con.execute(
                "select invocation_id from trainset_run_results "
                "where unique_id = 'model.trainset.ticket_triage.v2'"
            ).fetchall()
        assert [(manifest["dbt"]["invocation_id"],)] == built_by


@pytest.fixture(scope="module")
def failed_upstream(sample_build, tmp_path_factory):
    """The sample built, then built again with a quarantine limit that every
    raw table breaks: the datasets are skipped, the first build's tables stay."""
    folder = tmp_path_factory.mktemp("failed-upstream")
    db, target = _copy(sample_build, folder / "copy")
    done = dbt(["build"], folder / "copy", db=db, vars={"max_rejected_fraction": 0})
    assert done.returncode != 0
    return db, target


@pytest.mark.slow("builds the sample again with a failing upstream test")
def test_failing_upstream_test_is_named(failed_upstream, sample_build, tmp_path):
    db, target = failed_upstream
    with pytest.raises(TrainsetError) as refused:
        _export(db, target, tmp_path / "out")
    message = str(refused.value)
    lines = message.splitlines()
    assert "ticket_triage v2 was skipped in the latest build" in lines[0]
    causes = [line for line in lines if line.startswith("  - ")]
    assert 1 <= len(causes) <= MAX_CAUSES
    # dbt stops at the first table that breaks the limit: players feed all.
    assert any("rejected_rows_within_base_desk__" in c and "failing rows" in c for c in causes)
    assert "--allow-failed-tests" in lines[-1]
    assert not (tmp_path / "out" / "ticket_triage" / "v2").exists()

    # The earlier build's relation is still there: it may be exported, and
    # the manifest says which build it came from.
    earlier = json.loads((sample_build.target / "run_results.json").read_text())
    manifest = _export(db, target, tmp_path / "out", allow_failed_tests=True)
    card = (tmp_path / "out" / "ticket_triage" / "v2" / "README.md").read_text()
    assert "**an earlier build**" in card
    assert manifest["dbt"]["invocation_id"] == earlier["metadata"]["invocation_id"]
    assert manifest["dbt"]["latest_attempt"]["status"] == "skipped"
    assert manifest["dbt"]["latest_attempt"]["invocation_id"] != manifest["dbt"]["invocation_id"]


@pytest.mark.slow("builds the sample again with a failing upstream test")
def test_cli_names_the_cause_and_lists_history(failed_upstream, tmp_path):
    db, target = failed_upstream
    env = {**os.environ, "TRAINSET_DB": str(db), "DBT_TARGET_PATH": str(target)}

    def trainset(*args):
        return subprocess.run(
            [BIN / "trainset", *args], cwd=PROJECT, env=env, capture_output=True, text=True
        )

    refused = trainset("export", "ticket_triage", "--out", str(tmp_path))
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "rejected_rows_within" in refused.stderr
    earlier = trainset("export", "ticket_triage", "--out", str(tmp_path), "--allow-failed-tests")
    assert earlier.returncode == 0, earlier.stderr
    assert "exported the earlier build" in earlier.stderr

    listed = trainset("history", "ticket_triage", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    entries = json.loads(listed.stdout)
    assert [e["dataset_status"] for e in entries] == ["skipped", "success"]
    assert entries[0]["started_at"] >= entries[1]["started_at"]
    assert entries[0]["tests"].get("fail", 0) >= 1
    table = trainset("history", "ticket_triage")
    assert table.returncode == 0 and entries[0]["invocation_id"] in table.stdout


def test_a_warehouse_without_record(sample_build, tmp_path):
    db, target = _copy(sample_build, tmp_path / "copy")
    with duckdb.connect(str(db)) as con:
        con.execute("drop table trainset_run_results")
    with pytest.raises(TrainsetError, match="has no record of a build of ticket_triage v2"):
        _export(db, target, tmp_path / "out")
    # A target folder that one build wrote alone may stand in (review's base).
    manifest = _export(db, target, tmp_path / "out", record_fallback=True)
    assert _statuses(manifest) <= {"pass", "warn"}
    assert manifest["tests"]["summary"]["pass"] > 50


def _run(uid, status, started, kind="test", failures=None):
    from datetime import datetime

    return NodeRun(
        invocation_id=f"inv-{started}",
        unique_id=uid,
        resource_type=kind,
        name=uid.split(".")[-1],
        status=status,
        failures=failures,
        message=None,
        started=datetime(2026, 1, started),
        completed_at=None,
        command="build",
        target="duckdb",
    )


def _dataset(tests=(), unit_tests=()):
    from trainset.artifacts import Dataset, TestOutcome

    return Dataset(
        name="d",
        version=1,
        latest_version=1,
        unique_id="model.p.d",
        relation="main.d",
        description="",
        columns=[],
        adapter="duckdb",
        dbt_version="1.11",
        invocation_id=None,
        build_status=None,
        tests=[TestOutcome(t, f"test.p.{t}", "not_run", None, "model.p.d") for t in tests],
        upstream={"model.p.d", "model.p.up"},
        unit_tests=set(unit_tests),
    )


def test_a_failing_unit_test_upstream_is_named():
    dataset = _dataset(unit_tests=["unit_test.p.up.checks"])
    runs = [
        _run("model.p.d", "success", 1, kind="model"),
        _run("unit_test.p.up.checks", "fail", 2, kind="unit_test"),
        _run("model.p.d", "skipped", 2, kind="model"),
    ]
    record = build_record(dataset, runs)
    assert [c.unique_id for c in record.causes] == ["unit_test.p.up.checks"]
    assert "unit test checks failed" in refusal(replace(dataset, record=record), "x")


def test_a_skipped_test_keeps_what_it_said_of_the_earlier_build():
    dataset = _dataset(tests=["t"])
    runs = [
        _run("model.p.d", "success", 1, kind="model"),
        _run("test.p.t", "warn", 1, failures=3),
        _run("model.p.d", "skipped", 2, kind="model"),
        _run("test.p.t", "skipped", 2),
    ]
    (outcome,) = outcomes_of_tests(dataset, build_record(dataset, runs).built, runs)
    assert (outcome.status, outcome.failures, outcome.invocation_id) == ("warn", 3, "inv-1")


def test_a_refusal_is_at_most_five_lines():
    dataset = _dataset(tests=[f"t{i}" for i in range(9)])
    runs = [_run("model.p.d", "success", 1, kind="model")]
    runs += [_run(f"test.p.t{i}", "fail", 2, failures=i + 1) for i in range(9)]
    runs += [_run("model.p.d", "skipped", 2, kind="model")]
    message = refusal(replace(dataset, record=build_record(dataset, runs)), "x")
    lines = message.splitlines()
    assert len(lines) <= 5
    assert "and 7 more failing nodes" in lines[-2]


def test_the_guard_on_the_users_artifacts_sees_a_change(tmp_path):
    """conftest fails the session when the user's target/ changed."""
    from conftest import artifacts_fingerprint

    (tmp_path / "run_results.json").write_text("{}")
    before = artifacts_fingerprint(tmp_path)
    assert before["run_results.json"] is not None and before["trainset.duckdb"] is None
    (tmp_path / "run_results.json").write_text('{"results": []}')
    assert artifacts_fingerprint(tmp_path) != before

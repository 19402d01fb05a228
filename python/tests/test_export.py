"""Export, verify and load, end to end on the bundled sample."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import duckdb
import pytest
from conftest import BIN, PROJECT, dbt, write_desk

from trainset.errors import TrainsetError
from trainset.export import export_dataset
from trainset.load import load, load_hf
from trainset.manifest import verify_export


@pytest.fixture()
def env_for(monkeypatch):
    """Point trainset at a build's DuckDB file and target folder."""

    def use(build):
        monkeypatch.setenv("TRAINSET_DB", str(build.db))
        monkeypatch.setenv("DBT_TARGET_PATH", str(build.target))

    return use


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_export_layout_verify_and_load(sample_build, env_for, tmp_path, fmt):
    env_for(sample_build)
    result = export_dataset(PROJECT, "ticket_triage", out=tmp_path, fmt=fmt)
    version = tmp_path / "ticket_triage" / "v2"
    assert result.path == version and result.status == "written"
    assert sorted(p.name for p in version.iterdir()) == [
        "README.md",
        "manifest.json",
        "test",
        "train",
        "validation",
    ]
    for split in ("train", "validation", "test"):
        assert sorted(p.name for p in (version / split).iterdir()) == [
            f"features.{fmt}",
            f"labels.{fmt}",
        ]
    manifest = json.loads((version / "manifest.json").read_text())
    assert (
        manifest["dbt"]["invocation_id"]
        == json.loads((sample_build.target / "run_results.json").read_text())["metadata"][
            "invocation_id"
        ]
    )
    assert manifest["dbt"]["adapter"] == "duckdb"
    assert {c["role"] for c in manifest["columns"]} == {"id", "feature", "label", "split", "as_of"}
    assert manifest["tests"]["summary"].get("fail", 0) == 0
    assert manifest["tests"]["summary"]["pass"] > 50
    assert verify_export(version) == []

    X, y = load(version, "train")
    assert list(X.columns) == manifest["roles"]["features"]
    assert X.index.name == "ticket_id" and X.index.is_monotonic_increasing
    assert (X.index == y.index).all() and y.name == "category"
    assert len(X) == manifest["splits"]["train"]["rows"]
    db = sample_build.frame(
        "select * from ticket_triage_v2 where split = 'train' order by ticket_id"
    )
    assert list(X["first_message"]) == list(db["first_message"])
    assert [str(v) for v in X["spend_usd_30d"]] == [str(v) for v in db["spend_usd_30d"]]
    card = (version / "README.md").read_text()
    for needed in (
        "Dataset structure",
        "Splits",
        "Data quality",
        "<email>",
        "How to load",
        manifest["dbt"]["invocation_id"],
    ):
        assert needed in card


def test_same_build_exports_identical_bytes(sample_build, env_for, tmp_path):
    env_for(sample_build)
    first = export_dataset(PROJECT, "ticket_triage", out=tmp_path / "a").manifest.to_dict()
    second = export_dataset(PROJECT, "ticket_triage", out=tmp_path / "b").manifest.to_dict()
    assert first["files"] == second["files"]
    differing = {k for k in first if first[k] != second[k]}
    assert differing <= {"created_at"}
    again = export_dataset(PROJECT, "ticket_triage", out=tmp_path / "a")
    assert again.status == "unchanged"


def test_provenance_rows_are_sorted_whatever_order_the_engine_gives():
    """int_splits_player_overlap is a grouped view: its rows arrive in the
    order DuckDB's threads finish, and two exports of one build once wrote
    two manifests. The export sorts what it records."""
    from types import SimpleNamespace

    from trainset.export import _provenance
    from trainset.warehouse import DuckDBWarehouse

    con = duckdb.connect()
    con.sql("create table shares as select * from (values ('validation', 2), ('test', 1)) t(s, n)")
    con.sql("create table files as select * from (values ('b', null), ('a', 'x')) t(f, p)")
    dataset = SimpleNamespace(provenance={"split_overlap": "db.main.shares", "raw": "main.files"})
    found = _provenance(DuckDBWarehouse(con), dataset)
    assert found == {
        "raw": [{"f": "a", "p": "x"}, {"f": "b", "p": None}],
        "split_overlap": [{"s": "test", "n": 1}, {"s": "validation", "n": 2}],
    }


def test_an_older_manifest_beside_the_same_data_re_exports_as_unchanged(
    sample_build, env_for, tmp_path, not_an_export
):
    """The content of a version decides, not its manifest's bytes: the
    manifest of a trainset from before schema versions does not block a
    re-export of the same data."""
    env_for(sample_build)
    version = export_dataset(PROJECT, "ticket_triage", out=tmp_path).path
    path = version / "manifest.json"
    old = json.loads(path.read_text())
    del old["schema_version"], old["writer"], old["csv_formula_cells"]
    old["trainset_version"] = "0.0.1"
    path.write_text(json.dumps(old, indent=4))
    not_an_export(version)
    again = export_dataset(PROJECT, "ticket_triage", out=tmp_path)
    assert again.status == "unchanged"
    assert again.manifest.schema_version == 0
    assert json.loads(path.read_text()) == old


def test_tampered_file_fails_verify_naming_it(sample_build, env_for, tmp_path):
    env_for(sample_build)
    version = export_dataset(PROJECT, "ticket_triage", out=tmp_path).path
    labels = version / "test" / "labels.parquet"
    labels.write_bytes(labels.read_bytes()[:-1] + b"\0")
    (version / "train" / "features.parquet").unlink()
    problems = verify_export(version, raise_on_error=False)
    assert any("test/labels.parquet: checksum mismatch" in p for p in problems)
    assert any("train/features.parquet: missing" in p for p in problems)
    cli = subprocess.run([BIN / "trainset", "verify", str(version)], capture_output=True, text=True)
    assert cli.returncode == 1 and "labels.parquet" in cli.stderr
    assert "Traceback" not in cli.stderr
    with pytest.raises(TrainsetError, match="verify failed"):
        load(version, "test")


@pytest.mark.slow("builds a second desk")
def test_existing_version_with_other_data_needs_force(sample_build, env_for, tmp_path):
    env_for(sample_build)
    version = export_dataset(PROJECT, "ticket_triage", out=tmp_path).path
    manifest = json.loads((version / "manifest.json").read_text())
    # Another build of the same version with different data.
    other = dbt(
        ["build"],
        tmp_path / "other",
        vars={"raw_dir": str(write_desk(tmp_path / "raw", n_tickets=2400, seed=23))},
    )
    assert other.returncode == 0, other.output[-2000:]
    env_for(other)
    with pytest.raises(TrainsetError, match="already holds different data"):
        export_dataset(PROJECT, "ticket_triage", out=tmp_path)
    assert json.loads((version / "manifest.json").read_text()) == manifest
    replaced = export_dataset(PROJECT, "ticket_triage", out=tmp_path, force=True)
    assert replaced.status == "replaced"
    assert verify_export(version) == []
    assert replaced.manifest.to_dict()["files"] != manifest["files"]
    assert not [p for p in (tmp_path / "ticket_triage").iterdir() if p.name != "v2"]


def _db_with(sample_build, tmp_path, *statements: str):
    """A copy of the sample build whose build record the statements edit."""
    db = tmp_path / "planted.duckdb"
    shutil.copy(sample_build.db, db)
    with duckdb.connect(str(db)) as con:
        for statement in statements:
            con.execute(statement)
    return db


def test_gate_refuses_failing_tests_unless_overridden(sample_build, monkeypatch, tmp_path):
    db = _db_with(
        sample_build,
        tmp_path,
        "update trainset_run_results set status = 'fail', failures = 999 where unique_id"
        " like 'test.trainset.no_conflicting_labels_ticket_triage_v2%'",
        "update trainset_run_results set status = 'error' where unique_id"
        " like 'test.trainset.raw_rows_conserved_base_desk__tickets%'",
    )
    monkeypatch.setenv("TRAINSET_DB", str(db))
    monkeypatch.setenv("DBT_TARGET_PATH", str(sample_build.target))
    with pytest.raises(TrainsetError) as refused:
        export_dataset(PROJECT, "ticket_triage", out=tmp_path / "out")
    message = str(refused.value)
    assert "no_conflicting_labels_ticket_triage_v2" in message
    assert "raw_rows_conserved_base_desk__tickets" in message  # upstream counts too
    assert not (tmp_path / "out" / "ticket_triage" / "v2").exists()
    result = export_dataset(PROJECT, "ticket_triage", out=tmp_path / "out", allow_failed_tests=True)
    assert result.manifest.allow_failed_tests is True
    assert len(result.manifest.failing_tests_overridden) == 2
    assert "--allow-failed-tests" in (result.path / "README.md").read_text()


def test_gate_refuses_a_model_that_was_not_built(sample_build, monkeypatch, tmp_path):
    db = _db_with(
        sample_build,
        tmp_path,
        "delete from trainset_run_results where unique_id = 'model.trainset.ticket_triage.v2'",
    )
    monkeypatch.setenv("TRAINSET_DB", str(db))
    monkeypatch.setenv("DBT_TARGET_PATH", str(sample_build.target))
    with pytest.raises(TrainsetError, match="has no record of a build of ticket_triage v2"):
        export_dataset(PROJECT, "ticket_triage", out=tmp_path / "out")
    # Version 1 was built by that run, so it exports.
    assert (
        export_dataset(PROJECT, "ticket_triage", version=1, out=tmp_path / "out").status
        == "written"
    )


def test_cli_errors_are_one_line(sample_build, tmp_path):
    env = {
        **os.environ,
        "TRAINSET_DB": str(sample_build.db),
        "DBT_TARGET_PATH": str(sample_build.target),
    }
    for args, expected in (
        (["export", "no_such_dataset"], "unknown dataset"),
        (["export", "ticket_triage", "--version", "7"], "no version 7"),
        (["verify", str(tmp_path)], "not an exported dataset"),
        (["build", "--target", "nope"], "no target 'nope'"),
    ):
        done = subprocess.run(
            [BIN / "trainset", *args], cwd=PROJECT, env=env, capture_output=True, text=True
        )
        assert done.returncode != 0
        assert expected in done.stderr and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_killed_export_leaves_previous_version_intact(sample_build, tmp_path):
    env = {
        **os.environ,
        "TRAINSET_DB": str(sample_build.db),
        "DBT_TARGET_PATH": str(sample_build.target),
    }
    out = tmp_path / "out"
    first = subprocess.run(
        [BIN / "trainset", "export", "ticket_triage", "--out", str(out)],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert first.returncode == 0, first.stderr
    before = (out / "ticket_triage" / "v2" / "manifest.json").read_bytes()
    # A forced re-export in CSV that stops after its first file, then kill -9.
    script = (
        "import time, pathlib\n"
        "from trainset.export import export_dataset\n"
        "def slow(step):\n"
        "    if step.startswith('train/labels'): time.sleep(60)\n"
        f"export_dataset(pathlib.Path({str(PROJECT)!r}), 'ticket_triage', "
        f"out=pathlib.Path({str(out)!r}), fmt='csv', force=True, on_step=slow)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], env=env)
    deadline = time.time() + 60
    while time.time() < deadline and not list(out.glob("ticket_triage/.v2.tmp-*/train/*.csv")):
        time.sleep(0.1)
    assert list(out.glob("ticket_triage/.v2.tmp-*/train/*.csv")), "export never started"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    version = out / "ticket_triage" / "v2"
    assert (version / "manifest.json").read_bytes() == before
    assert verify_export(version) == []
    # The next export clears what the killed one left behind.
    again = subprocess.run(
        [BIN / "trainset", "export", "ticket_triage", "--out", str(out)],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert again.returncode == 0 and "unchanged" in again.stderr, again.stderr
    assert sorted(p.name for p in (out / "ticket_triage").iterdir()) == ["v2"]


def test_load_feeds_a_scikit_learn_pipeline(sample_build, env_for, tmp_path):
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    env_for(sample_build)
    version = export_dataset(PROJECT, "ticket_triage", out=tmp_path).path
    X, y = load(version, "train")
    X_test, y_test = load(version, "test")
    model = make_pipeline(
        ColumnTransformer(
            [
                ("text", TfidfVectorizer(), "first_message"),
                ("cat", OneHotEncoder(handle_unknown="ignore"), ["channel", "platform"]),
            ]
        ),
        LogisticRegression(max_iter=500),
    )
    model.fit(X, y)
    assert model.score(X_test, y_test) > 0.5


def test_load_hf_gives_a_dataset_dict_with_class_labels(sample_build, env_for, tmp_path):
    env_for(sample_build)
    version = export_dataset(PROJECT, "ticket_triage", out=tmp_path).path
    data = load_hf(version)
    assert set(data) == {"train", "validation", "test"}
    label = data["train"].features["category"]
    assert label.names == sorted(label.names) and "billing" in label.names
    assert (
        data["test"].num_rows
        == json.loads((version / "manifest.json").read_text())["splits"]["test"]["rows"]
    )


def test_build_on_spark_without_its_extras_says_how_to_get_them(monkeypatch, capsys):
    import importlib.util

    from trainset import cli

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *rest: (
            None if name in ("dbt.adapters.spark", "pyspark") else real(name, *rest)
        ),
    )
    assert cli.main(["--project-dir", str(PROJECT), "build", "--target", "spark"]) == 2
    assert "needs dbt-spark and pyspark: run `make spark-setup`" in capsys.readouterr().err


def test_build_on_spark_without_java_says_so(monkeypatch, capsys):
    import importlib.util
    import shutil

    from trainset import cli

    # The extras present (make test runs before make test-spark installs
    # them), Java absent.
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *rest: (
            object() if name in ("dbt.adapters.spark", "pyspark") else real(name, *rest)
        ),
    )
    monkeypatch.setattr(shutil, "which", lambda name, *rest: None)
    assert cli.main(["--project-dir", str(PROJECT), "build", "--target", "spark"]) == 2
    assert "runs Spark here, which needs Java 17" in capsys.readouterr().err


def test_formula_cells_of_an_all_null_text_column_count_zero():
    """A desk without tickets.product exports an all-null text column."""
    from trainset.export import _formula_cells
    from trainset.warehouse import DuckDBWarehouse

    with duckdb.connect() as con:
        con.execute("create table t as select cast(null as varchar) as product, '=1' as body")
        warehouse = DuckDBWarehouse(con)
        assert _formula_cells(warehouse, "t", "", ["product"]) == 0
        assert _formula_cells(warehouse, "t", "", ["product", "body"]) == 1

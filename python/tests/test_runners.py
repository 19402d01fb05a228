"""The one place that starts each outside program (project.py: dbt, git),
and the engine knowledge that only warehouse.py holds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT

from trainset import project as runner
from trainset.errors import TrainsetError
from trainset.warehouse import duckdb_type, ensure_buildable, is_numeric, is_text

PROFILES = """
trainset:
  target: duckdb
  outputs:
    duckdb:
      type: duckdb
      path: "{{ env_var('TRAINSET_DB', 'target/trainset.duckdb') }}"
    spark:
      type: spark
      method: session
      host: NA
      schema: trainset
"""


@pytest.fixture
def tiny_project(tmp_path, monkeypatch):
    (tmp_path / "dbt_project.yml").write_text("name: tiny\nprofile: trainset\n")
    (tmp_path / "profiles.yml").write_text(PROFILES)
    monkeypatch.setenv("DBT_PROFILES_DIR", str(tmp_path))
    monkeypatch.setenv("TRAINSET_DB", str(tmp_path / "t.duckdb"))
    return tmp_path


def test_duckdb_builds_in_this_process_and_spark_in_its_own(tiny_project, monkeypatch):
    import importlib.util
    import shutil

    assert ensure_buildable(tiny_project) is True
    # The Spark extras and Java present, as `make spark-setup` leaves them.
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *rest: object())
    monkeypatch.setattr(shutil, "which", lambda name, *rest: "/usr/bin/java")
    assert ensure_buildable(tiny_project, "spark") is False


def test_a_duckdb_file_another_process_holds_is_refused_before_dbt_starts(tiny_project):
    db = tiny_project / "t.duckdb"
    duckdb.connect(str(db)).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(db)!r}); "
            "print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(TrainsetError, match="is locked by another build"):
            ensure_buildable(tiny_project)
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize(
    ("data_type", "numeric", "text", "in_duckdb"),
    [
        ("INTEGER", True, False, "integer"),
        ("int", True, False, "integer"),
        ("bigint", True, False, "bigint"),
        ("long", True, False, "bigint"),
        ("DOUBLE", True, False, "double"),
        ("decimal(18,2)", True, False, "decimal(18,2)"),
        ("VARCHAR", False, True, "varchar"),
        ("string", False, True, "varchar"),
        ("BOOLEAN", False, False, "boolean"),
        ("TIMESTAMP", False, False, "timestamp"),
        (None, False, False, "varchar"),
    ],
)
def test_either_engines_type_names(data_type, numeric, text, in_duckdb):
    assert is_numeric(data_type) is numeric
    assert is_text(data_type) is text
    assert duckdb_type(data_type) == in_duckdb


def test_git_raises_in_one_line_or_gives_none(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    with pytest.raises(TrainsetError, match=r"^git rev-parse HEAD failed: "):
        runner.git(["rev-parse", "HEAD"], tmp_path)
    assert runner.git(["rev-parse", "HEAD"], tmp_path, check=False) is None
    assert runner.git(["status", "--porcelain"], tmp_path) == ""
    assert runner.git(["status"], tmp_path / "missing", check=False) is None


def test_dbt_missing_beside_python_is_refused_in_one_line(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    with pytest.raises(TrainsetError, match="dbt is not installed beside"):
        runner.run_dbt(["--version"], PROJECT)


def test_dbt_in_this_process_leaves_the_duckdb_file_free_and_the_environment_as_it_was(
    tmp_path, monkeypatch
):
    """dbt-duckdb keeps its database open after an invocation: run_dbt closes
    it, or the caller's read-only connection is refused."""
    monkeypatch.chdir(tmp_path)
    before = dict(os.environ)
    db = tmp_path / "show.duckdb"
    scratch = {
        "TRAINSET_DB": str(db),
        "TRAINSET_TEMP_DIR": str(tmp_path / "tmp"),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
        "DBT_PROFILES_DIR": str(PROJECT),
    }
    done = runner.run_dbt(
        ["show", "--inline", "select 42 as answer"],
        PROJECT,
        env=scratch,
        capture=True,
        in_process=True,
    )
    assert done.ok, done.stdout[-2000:]
    assert "42" in done.stdout
    assert dict(os.environ) == before and Path.cwd() == tmp_path
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.sql("select 1").fetchall() == [(1,)]

"""The export format's owner (trainset.manifest): its typed model, schema
versions, the published JSON Schema and the session's schema check. Pure
functions: no dbt build."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from manifest_schema import SCHEMA, invalid_manifests, schema_errors

from trainset.errors import TrainsetError
from trainset.manifest import (
    SCHEMA_VERSION,
    declared_kinds,
    feature_kinds,
    from_dict,
    read_manifest,
    same_content,
    schema_text,
    sha256_of,
    verify_export,
)

PROJECT = Path(__file__).resolve().parents[2]


def _manifest() -> dict:
    """A small classification manifest in the current shape."""
    return {
        "schema_version": 1,
        "trainset_version": "0.1.0",
        "dataset": "tickets",
        "version": 2,
        "latest_version": 2,
        "description": "Tickets and their category.",
        "created_at": "2026-12-01T22:00:00+00:00",
        "format": "parquet",
        "writer": "duckdb 1.4.2",
        "dbt": {
            "unique_id": "model.trainset.tickets.v2",
            "relation": "main.tickets_v2",
            "dbt_version": "1.11.0",
            "adapter": "duckdb",
            "target": "dev",
            "invocation_id": "abc",
            "built_at": "2026-12-01T21:59:00Z",
            "latest_attempt": {
                "invocation_id": "abc",
                "status": "success",
                "started_at": "2026-12-01 21:58:00",
            },
        },
        "git": {"commit": "0123abcd", "dirty": False},
        "vars": {"split_strategy": "hash"},
        "columns": [
            {"name": "ticket_id", "role": "id", "data_type": "VARCHAR", "description": "Id."},
            {"name": "body", "role": "feature", "data_type": "VARCHAR", "description": "Text."},
            {"name": "amount", "role": "feature", "data_type": "DOUBLE", "description": ""},
            {"name": "category", "role": "label", "data_type": "VARCHAR", "description": "C."},
            {"name": "split", "role": "split", "data_type": "VARCHAR", "description": "S."},
        ],
        "all_null_features": [],
        "task": "classification",
        "roles": {
            "id": "ticket_id",
            "label": "category",
            "split": "split",
            "features": ["body", "amount"],
        },
        "splits": {
            "train": {"rows": 3, "labels": {"billing": 2, "bug": 1}},
            "test": {"rows": 1, "labels": {"bug": 1}},
        },
        "files": [
            {"path": "test/features.parquet", "bytes": 3, "sha256": "a" * 64},
            {"path": "train/features.parquet", "bytes": 3, "sha256": "b" * 64},
        ],
        "tests": {
            "summary": {"pass": 1},
            "results": [
                {
                    "name": "unique_tickets_ticket_id",
                    "unique_id": "test.trainset.unique_tickets_ticket_id",
                    "status": "pass",
                    "failures": 0,
                    "attached_to": "model.trainset.tickets.v2",
                    "message": None,
                    "invocation_id": "abc",
                }
            ],
        },
        "exposures": [],
        "provenance": {"raw_tables": [{"table_name": "tickets", "is_present": True}]},
        "allow_failed_tests": False,
        "failing_tests_overridden": [],
        "csv_safe": False,
        "csv_formula_cells": 0,
    }


def _pre_versioned() -> dict:
    """The same manifest as an export written before schema versions:
    no schema_version, and none of the keys that came later."""
    data = _manifest()
    for key in ("schema_version", "task", "writer", "all_null_features", "csv_formula_cells"):
        del data[key]
    return data


def test_published_schema_is_the_one_the_model_generates():
    assert SCHEMA.read_text() == schema_text(), (
        "docs/manifest.schema.json is stale: regenerate it with "
        '.venv/bin/python -c "from trainset.manifest import schema_text; '
        "print(schema_text(), end='')\" > docs/manifest.schema.json"
    )


def test_manifest_round_trips_key_for_key_in_order():
    data = _manifest()
    manifest = from_dict(data)
    assert manifest.schema_version == SCHEMA_VERSION
    assert manifest.roles.features == ["body", "amount"]
    assert manifest.class_labels() == ["billing", "bug"]
    assert manifest.total_rows == 4
    assert json.dumps(manifest.to_dict()) == json.dumps(data)
    assert schema_errors(manifest.to_dict()) == []


def test_scoring_and_regression_shapes_round_trip_and_validate():
    scoring = _manifest()
    scoring |= {"task": "scoring", "splits": {}, "rows": 4}
    scoring["roles"] |= {"label": None, "split": None}
    scoring["scores"] = {"dataset": "tickets", "version": 2, "features": ["body", "amount"]}
    regression = _manifest()
    stats = {"mean": 1.5, "std": 0.5, "min": 1.0, "p25": 1.0, "median": 1.5, "p75": 2.0}
    regression["task"] = "regression"
    regression["splits"] = {
        "train": {"rows": 3, "label_stats": stats | {"max": None}, "as_of_range": ["a", "b"]}
    }
    for data in (scoring, regression):
        assert json.dumps(from_dict(data).to_dict()) == json.dumps(data)
        assert schema_errors(data) == []


def test_pre_versioned_manifest_is_read_as_version_0():
    manifest = from_dict(_pre_versioned())
    assert manifest.schema_version == 0
    assert manifest.task == "classification"
    assert manifest.writer is None and manifest.csv_formula_cells == 0


@pytest.mark.parametrize("version", [SCHEMA_VERSION + 1, 99])
def test_newer_schema_version_is_refused_in_one_line_naming_it(tmp_path, version, not_an_export):
    data = _manifest() | {"schema_version": version}
    (tmp_path / "manifest.json").write_text(json.dumps(data))
    not_an_export(tmp_path)
    with pytest.raises(TrainsetError) as raised:
        read_manifest(tmp_path)
    message = str(raised.value)
    assert f"schema version {version}" in message and "\n" not in message
    assert verify_export(tmp_path, raise_on_error=False) == [message]
    cli = subprocess.run(
        [Path(sys.executable).parent / "trainset", "verify", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert cli.returncode != 0 and f"schema version {version}" in cli.stderr
    assert "Traceback" not in cli.stderr and len(cli.stderr.strip().splitlines()) == 1


def test_a_manifest_of_another_shape_is_refused_naming_the_key():
    data = _manifest()
    del data["roles"]
    with pytest.raises(TrainsetError, match="no key 'roles'"):
        from_dict(data)
    with pytest.raises(TrainsetError, match="unknown key 'surprise'"):
        from_dict(_manifest() | {"surprise": 1})
    with pytest.raises(TrainsetError, match="expected int"):
        from_dict(_manifest() | {"csv_formula_cells": "3"})


def test_same_content_ignores_the_writer_not_the_data():
    new = from_dict(_manifest())
    old = from_dict(_pre_versioned() | {"trainset_version": "0.0.9", "created_at": "then"})
    assert same_content(old, new)
    changed = copy.deepcopy(_manifest())
    changed["files"][0]["sha256"] = "c" * 64
    assert not same_content(from_dict(changed), new)
    relabelled = copy.deepcopy(_manifest())
    relabelled["splits"]["test"]["labels"] = {"billing": 1}
    assert not same_content(from_dict(relabelled), new)


def test_the_schema_check_catches_a_broken_manifest(tmp_path):
    """The fixture of the session's check: a manifest that lost a key and
    has a wrong type is named, a valid one and dbt's own are not."""
    good, broken, dbt_target = (tmp_path / name for name in ("good", "broken", "target"))
    for folder in (good, broken, dbt_target):
        folder.mkdir()
    (good / "manifest.json").write_text(json.dumps(_manifest()))
    data = _manifest()
    del data["files"]
    data["splits"]["train"]["rows"] = "three"
    (broken / "manifest.json").write_text(json.dumps(data))
    (dbt_target / "manifest.json").write_text(
        json.dumps({"metadata": {"dbt_schema_version": "v12"}, "nodes": {}})
    )
    try:
        found = invalid_manifests(tmp_path)
        assert list(found) == [broken / "manifest.json"]
        assert any("'files' is a required property" in e for e in found[broken / "manifest.json"])
        assert any("splits/train/rows" in e for e in found[broken / "manifest.json"])
    finally:
        # Not left for the session's own check to fail on.
        (broken / "manifest.json").unlink()


def test_declared_types_decide_numeric_and_the_data_the_rest():
    manifest = from_dict(_manifest())
    assert declared_kinds(manifest) == {"body": None, "amount": "numeric"}
    frame = pd.DataFrame({"body": ["a long text about a refund " * 2] * 3, "amount": [1.0] * 3})
    assert feature_kinds(manifest, frame) == {"body": "text", "amount": "numeric"}


def test_verify_names_a_tampered_file(tmp_path):
    (tmp_path / "train").mkdir()
    data_file = tmp_path / "train" / "features.parquet"
    data_file.write_bytes(b"abc")
    data = _manifest()
    data["files"] = [
        {"path": "train/features.parquet", "bytes": 3, "sha256": sha256_of(data_file)},
        {"path": "test/features.parquet", "bytes": 3, "sha256": "a" * 64},
    ]
    (tmp_path / "manifest.json").write_text(json.dumps(data))
    problems = verify_export(tmp_path, raise_on_error=False)
    assert problems == [f"{tmp_path}/test/features.parquet: missing"]
    data_file.write_bytes(b"abd")
    assert "checksum mismatch" in verify_export(tmp_path, raise_on_error=False)[0]


def test_readers_import_neither_the_writer_nor_scikit_learn():
    code = (
        "import sys, trainset.load, trainset.diff, trainset.profile, trainset.scan; "
        "bad = [m for m in ('trainset.export', 'trainset.baseline', 'sklearn') "
        "if m in sys.modules]; print(bad)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"

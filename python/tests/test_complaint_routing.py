"""complaint_routing on the real CFPB sample in ../shared (skipped without it)."""

from __future__ import annotations

import os
import subprocess

import pytest
from conftest import BIN, PROJECT, SHARED, dbt

from trainset.baseline import run_baseline
from trainset.export import export_dataset

SAMPLE = SHARED / "data" / "real" / "cfpb-complaints-sample"
CLEAN = SAMPLE / "complaints_sample.csv"
RESAVED = SAMPLE / "variant-resaved" / "complaints_sample.csv"

pytestmark = pytest.mark.skipif(
    not (CLEAN.is_file() and RESAVED.is_file()),
    reason=f"the CFPB sample is not at {SAMPLE} (it sits in ../shared beside the repo)",
)


def _build(tmp_path_factory, path):
    build = dbt(["build"], tmp_path_factory.mktemp("cfpb"), vars={"cfpb_path": str(path)})
    assert build.returncode == 0, build.output[-3000:]
    return build


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    return _build(tmp_path_factory, CLEAN)


@pytest.fixture(scope="module")
def resaved(tmp_path_factory):
    return _build(tmp_path_factory, RESAVED)


@pytest.mark.slow("builds the CFPB sample")
def test_every_error_test_is_green_and_boilerplate_is_named(clean):
    statuses = clean.status_of("test.trainset.")
    assert "fail" not in statuses.values() and "error" not in statuses.values()
    units = clean.status_of("unit_test.trainset.")
    assert {k.split(".")[-1] for k in units} >= {
        "cfpb_dates_parse_iso_and_spreadsheet_forms",
        "old_product_names_map_to_the_current_taxonomy",
    }
    assert set(units.values()) == {"pass"}
    conflicts = clean.query(
        "select text_key from main_dbt_test__audit."
        "no_conflicting_labels_complaint_routing_v1_narrative__product"
    )
    assert ("inaccurate information",) in conflicts
    dup = [k for k, v in statuses.items() if "no_cross_split_duplicates_complaint" in k]
    assert dup and statuses[dup[0]] == "pass"
    assert clean.query("select count(distinct product) from complaint_routing_v1")[0][0] == 9


@pytest.mark.slow("builds the CFPB sample")
def test_reconciliation_covers_every_row(clean):
    row = clean.frame("select * from complaint_routing_reconciliation").iloc[0]
    assert row.raw_rows == 6623 and row.unaccounted_rows == 0
    assert row.dataset_rows == 1532  # every narrative, all with consent (SOURCE.md)
    assert row.raw_rows == (
        row.collapsed_duplicate_rows
        + row.rejected_rows
        + row.without_narrative_or_consent_rows
        + row.unmapped_product_rows
        + row.dataset_rows
    )
    env = {**os.environ, "TRAINSET_DB": str(clean.db), "DBT_TARGET_PATH": str(clean.target)}
    done = subprocess.run(
        [BIN / "trainset", "reconcile", "complaint_routing"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "6,623" in done.stderr and "1,532" in done.stderr


@pytest.mark.slow("builds the CFPB sample and its spreadsheet-damaged copy")
def test_resaved_variant_gives_the_same_dataset(clean, resaved):
    sql = "select complaint_id, product, split, narrative from complaint_routing_v1 order by 1"
    a, b = clean.frame(sql), resaved.frame(sql)
    assert list(a.complaint_id) == list(b.complaint_id)
    assert list(a["product"]) == list(b["product"])
    assert list(a["split"]) == list(b["split"])
    differing = a[a.narrative != b.narrative]
    assert 0 < len(differing) <= 9  # the mojibake rows of SOURCE.md
    assert all("__" in n for n in b.loc[differing.index, "narrative"])


@pytest.mark.slow("builds the CFPB sample and trains on it")
def test_baseline_beats_the_majority(clean, tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINSET_DB", str(clean.db))
    monkeypatch.setenv("DBT_TARGET_PATH", str(clean.target))
    version = export_dataset(PROJECT, "complaint_routing", out=tmp_path).path
    report = run_baseline(version)
    test = report["splits"]["test"]
    assert test["macro_f1"] > test["majority_baseline"]["macro_f1"] + 0.2, test


def test_without_the_export_nothing_of_it_builds(sample_build):
    assert not [k for k in sample_build.results if "complaint" in k or "cfpb__" in k]


@pytest.mark.slow("builds a damaged copy of the CFPB sample")
def test_unreadable_records_are_rejected_and_reconciled(tmp_path):
    damaged = tmp_path / "complaints.csv"
    data = CLEAN.read_bytes()
    bad = (
        b'2019-09-24,Mortgage,,Issue,,"caf\xe9 narrative",,X,FL,33000,,Consent provided,'
        b"Web,2019-09-24,Closed,Yes,N/A,999999901\n"
        b"2019-09-24,Mortgage,,Issue,,narrative,,X,FL,33000,,Consent provided,Web\n"
    )
    damaged.write_bytes(data + bad)
    build = dbt(["build"], tmp_path / "build", vars={"cfpb_path": str(damaged)})
    assert build.returncode == 0, build.output[-3000:]
    row = build.frame("select * from complaint_routing_reconciliation").iloc[0]
    assert row.raw_rows == 6625 and row.rejected_rows == 2 and row.unaccounted_rows == 0
    details = build.query("select reject_reason, reject_detail from stg_cfpb__complaints_rejected")
    assert {r for r, _ in details} == {"unreadable_row"}
    assert any("INVALID ENCODING" in d for _, d in details)

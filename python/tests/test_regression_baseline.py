"""baseline and audit on a numeric label: resolution_time v1.

The sample's generator draws a ticket's hours to resolution at random
(1 to 72 hours, more when it was reopened), whatever its features, so on
the sample itself no test can ask the model to beat the train median. The
tests that prove the model learns, and that the audit finds wrong values,
plant labels that depend on the features, or plant outliers, in a copy of
the export.
"""

from __future__ import annotations

import io
import json
import math
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from trainset import cli
from trainset.audit import run_audit
from trainset.baseline import run_baseline
from trainset.load import load
from trainset.manifest import sha256_of
from trainset.scan import LABEL_BINS, load_sample


@pytest.fixture
def version(regression_export, tmp_path) -> Path:
    """This test's own copy of the export: baseline and audit write beside it."""
    return Path(shutil.copytree(regression_export, tmp_path / "v1"))


def plant_labels(version: Path, label_sql: str, where: str = "true") -> None:
    """Set the label to label_sql (over the features of each row) where
    the condition holds, in every split, and re-hash the manifest."""
    manifest = json.loads((version / "manifest.json").read_text())
    ident, label = manifest["roles"]["id"], manifest["roles"]["label"]
    for split in manifest["splits"]:
        features, labels = version / split / "features.parquet", version / split / "labels.parquet"
        planted = version / split / "planted.parquet"
        with duckdb.connect() as con:
            con.execute(
                f"""copy (
                    select l.{ident},
                        case when {where} then cast({label_sql} as double)
                        else l.{label} end as {label}
                    from read_parquet('{labels}') as l
                    inner join read_parquet('{features}') as f using ({ident})
                    order by l.{ident}
                ) to '{planted}' (format parquet)"""
            )
        planted.replace(labels)
    rehash(version, manifest)


def rehash(version: Path, manifest: dict) -> None:
    """Write manifest to version with the sizes and hashes of its files as
    they are now (after a test changed them)."""
    for entry in manifest["files"]:
        file = version / entry["path"]
        entry["bytes"], entry["sha256"] = file.stat().st_size, sha256_of(file)
    (version / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


def test_regression_baseline_scores_beside_the_train_median(version):
    report = run_baseline(version)
    manifest = json.loads((version / "manifest.json").read_text())
    assert report["task"] == "regression"
    assert "ridge regression" in report["model"]
    _, y_train = load(version, "train")
    assert report["train_median"] == pytest.approx(y_train.median())
    for split in ("validation", "test"):
        scores = report["splits"][split]
        assert scores["rows"] == manifest["splits"][split]["rows"]
        for metric in ("mae", "rmse", "r2"):
            assert math.isfinite(scores[metric]), (split, metric)
            assert math.isfinite(scores["median_baseline"][metric]), (split, metric)
        assert 0 < scores["mae"] <= scores["rmse"]
        # The median baseline, computed here on its own.
        _, y = load(version, split)
        median_mae = (y - y_train.median()).abs().mean()
        assert scores["median_baseline"]["mae"] == pytest.approx(median_mae)
        assert scores["lift_mae"] == pytest.approx(scores["median_baseline"]["mae"] - scores["mae"])
        assert "accuracy" not in scores and "confusion_matrix" not in scores
    assert json.loads((version / "baseline.json").read_text()) == report
    # Segments of test, by MAE: a higher error is a wider gap.
    found = report["segments"]
    assert found["metric"] == "mae"
    assert found["overall"]["mae"] == pytest.approx(report["splits"]["test"]["mae"])
    assert found["segments"] and all(s["rows"] >= 30 for s in found["segments"])
    for s in found["segments"]:
        assert s["gap"] == pytest.approx(s["mae"] - found["overall"]["mae"])
    assert (version / "predicted_vs_actual.png").stat().st_size > 1000
    assert not (version / "confusion_matrix.png").exists()


def test_regression_baseline_records_its_sample_and_repeats(version):
    first = run_baseline(version, max_train_rows=700, seed=5)
    sample = first["train_sample"]
    assert sample["sampled"] and sample["rows"] <= 700 and sample["seed"] == 5
    assert sample["strata"] == f"{LABEL_BINS} quantile bins of the label"
    again = run_baseline(version, max_train_rows=700, seed=5)
    assert again == first
    other = run_baseline(version, max_train_rows=700, seed=6)
    assert other["splits"] != first["splits"]


def test_regression_sample_keeps_the_label_distribution(version):
    X, y, facts = load_sample(version, "train", 500, seed=3)
    # Strata of single values (the label as classes) would keep every row.
    assert facts["sampled"] and facts["max_rows"] == 500 and len(X) <= 500
    _, y_all, _ = load_sample(version, "train", None)
    bins = y_all.quantile([i / LABEL_BINS for i in range(LABEL_BINS + 1)]).to_numpy().copy()
    bins[0], bins[-1] = -math.inf, math.inf
    shares = y.groupby(pd.cut(y, bins), observed=False).size() / len(y)
    assert shares.between(0.09, 0.11).all(), shares
    again, _, _ = load_sample(version, "train", 500, seed=3)
    assert list(again.index) == list(X.index)


def test_regression_baseline_learns_from_the_features(version):
    # A label made of a numeric, a categorical and a text feature: a
    # baseline that ignored the features could not explain it.
    plant_labels(
        version,
        "coalesce(f.prior_tickets_90d, 0) * 10 + if(f.channel = 'email', 20, 0)"
        " + if(f.first_message ilike '%refund%' or f.first_message ilike '%reembolso%', 30, 0)",
    )
    report = run_baseline(version)
    for split in ("validation", "test"):
        scores = report["splits"][split]
        assert scores["r2"] > 0.8, scores
        assert scores["mae"] < scores["median_baseline"]["mae"] / 2, scores
        assert scores["median_baseline"]["r2"] <= 0.01


def test_regression_audit_ranks_by_out_of_fold_residual(version):
    frame = run_audit(version)
    assert "out-of-fold absolute residual" in frame.attrs["method"]
    assert frame["abs_residual"].is_monotonic_decreasing
    assert (
        frame["abs_residual"] - (frame["given_label"] - frame["predicted_label"]).abs()
    ).abs().max() < 1e-5
    facts = json.loads((version / "label_issues.json").read_text())
    assert facts["task"] == "regression" and facts["method"] == frame.attrs["method"]
    assert facts["rows"] == len(frame) and facts["flagged"] == int(frame["is_label_issue"].sum())
    header = (version / "label_issues.csv").read_text().splitlines()[0]
    assert header.startswith("ticket_id,given_label,predicted_label,abs_residual,is_label_issue,")
    # Datalab's neighbour checks beside it; a regression has no class imbalance.
    assert "is_outlier_issue,outlier_score" in header and "class_imbalance" not in header
    assert header.endswith(",text")
    assert list(facts["issue_types"]) == ["label", "outlier", "near_duplicate", "non_iid"]


def test_regression_audit_records_its_sample_and_repeats(version):
    first = run_audit(version, max_rows=700, seed=2)
    facts = json.loads((version / "label_issues.json").read_text())
    assert facts["sample"]["sampled"] and facts["rows"] == len(first) <= 700
    csv = (version / "label_issues.csv").read_text()
    again = run_audit(version, max_rows=700, seed=2)
    assert (version / "label_issues.csv").read_text() == csv
    assert list(again.index) == list(first.index)
    assert list(again["abs_residual"]) == list(first["abs_residual"])


def test_regression_audit_flags_planted_outliers_first(version):
    train = load(version, "train")[1]
    planted = set(train.sample(8, random_state=1).index)
    ids = ", ".join(f"'{i}'" for i in planted)
    plant_labels(version, "2000", where=f"l.ticket_id in ({ids})")
    frame = run_audit(version)
    assert set(frame.index[:8]) == planted
    assert frame.loc[list(planted), "is_label_issue"].all()
    # Out of fold: no model saw the value it is judged against.
    assert (frame.loc[list(planted), "predicted_label"] < 500).all()
    flagged = (version / "label_issues.csv").read_text().splitlines()[1:]
    assert {line.split(",")[0] for line in flagged} >= planted


def test_regression_commands_say_what_they_did(version, monkeypatch):
    from rich.console import Console

    def said(argv: list[str]) -> str:
        out = io.StringIO()
        monkeypatch.setattr(cli, "console", Console(file=out, width=200))
        assert cli.main(argv) == 0
        return out.getvalue()

    baseline = said(["baseline", str(version)])
    assert "MAE" in baseline and "R²" in baseline and "train median" in baseline
    assert "predicted_vs_actual.png" in baseline
    assert "segments of test (at least 30 rows), worst first: MAE against" in baseline
    audit = said(["audit", str(version), "--max-rows", "600"])
    assert "ranked by out-of-fold absolute residual" in audit

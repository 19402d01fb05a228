"""resolution_time v1, the regression dataset: its rows, export, card and loaders."""

from __future__ import annotations

import json

import pytest
from conftest import PROJECT, dbt, write_desk

from trainset.checkpit import check_pit
from trainset.load import load, load_all, load_hf


def test_resolution_time_has_v2s_tickets_and_features(sample_build):
    v2 = sample_build.frame("select * from main.ticket_triage_v2 order by ticket_id")
    rt = sample_build.frame("select * from main.resolution_time_v1 order by ticket_id")
    # No resolution of the sample precedes its ticket: the same tickets.
    assert list(rt.ticket_id) == list(v2.ticket_id)
    shared = [c for c in v2.columns if c != "category"]
    assert rt[shared].equals(v2[shared])
    assert (rt.hours_to_resolution >= 0).all()


def test_hours_to_resolution_is_created_to_final_resolution(sample_build):
    wrong = sample_build.query(
        """
        select count(*)
        from main.resolution_time_v1 as d
        inner join main.int_tickets_final_resolution as r using (ticket_id)
        where abs(d.hours_to_resolution
                  - (epoch(r.resolved_at) - epoch(d.created_at)) / 3600.0) > 1e-9
        """
    )
    assert wrong == [(0,)]


def test_a_resolution_before_creation_leaves_the_ticket_out_with_a_warning(sample_build):
    statuses = sample_build.status_of("test.trainset.resolved_after_created")
    assert set(statuses.values()) == {"pass"}


def test_regression_export_gives_label_statistics(regression_export):
    manifest = json.loads((regression_export / "manifest.json").read_text())
    assert manifest["task"] == "regression"
    assert manifest["roles"]["label"] == "hours_to_resolution"
    frame, _ = load_all(regression_export)
    for split, facts in manifest["splits"].items():
        assert "labels" not in facts
        hours = frame.loc[frame.split == split, "hours_to_resolution"]
        assert facts["rows"] == len(hours)
        stats = facts["label_stats"]
        assert abs(stats["mean"] - hours.mean()) < 1e-5
        assert abs(stats["median"] - hours.median()) < 1e-5
        assert abs(stats["p25"] - hours.quantile(0.25)) < 1e-5
        assert stats["min"] == round(hours.min(), 6)


def test_regression_card_shows_statistics_not_classes(regression_export):
    card = (regression_export / "README.md").read_text()
    assert "tabular-regression" in card
    assert "| split | rows | mean | std | min | p25 | median | p75 | max |" in card
    assert "- label: `hours_to_resolution`, a number (regression)" in card


def test_regression_loads_as_numbers(regression_export):
    X, y = load(regression_export, "validation")
    assert y.dtype.kind == "f"
    assert "category" not in X.columns and "hours_to_resolution" not in X.columns


@pytest.mark.slow("check-pit builds the sample twice")
def test_check_pit_finds_no_future_in_resolution_time(sample_build, tmp_path):
    [(cutoff,)] = sample_build.query(
        "select strftime(quantile_disc(created_at, 0.5), '%Y-%m-%d %H:%M:%S') "
        "from main.resolution_time_v1"
    )
    report = check_pit(PROJECT, "resolution_time", cutoffs=[cutoff], keep=tmp_path)
    [check] = report.cutoffs
    assert report.as_of == "created_at"
    assert {f.name for f in check.features} >= {"first_message", "prior_tickets_90d"}
    assert min(f.compared for f in check.features) > 50
    assert report.leaking_features == []


def test_regression_loads_into_hugging_face_as_floats(regression_export):
    dataset = load_hf(regression_export)
    assert dataset["train"].features["hours_to_resolution"].dtype == "float64"
    assert set(dataset) == {"train", "validation", "test"}


@pytest.mark.slow("builds a desk with resolutions before their tickets")
def test_a_resolution_before_its_ticket_is_left_out_and_counted(tmp_path):
    early = set()

    def resolve_before_creation(desk):
        for row in desk.rows["ticket_resolutions"]:
            if len(early) < 3 or row["ticket_id"] in early:
                early.add(row["ticket_id"])
                row["resolved_at"] = "2000-01-01 00:00:00"

    raw = write_desk(tmp_path / "raw", n_tickets=1500, seed=41, mutate=resolve_before_creation)
    build = dbt(["build", "--exclude", "tag:fixture"], tmp_path, vars={"raw_dir": str(raw)})
    assert build.returncode == 0, build.output[-3000:]
    [warned] = [r for u, r in build.results.items() if ".resolved_after_created" in u]
    assert warned["status"] == "warn"
    eligible = {
        t for (t,) in build.query("select ticket_id from main.int_tickets_with_features")
    } & early
    assert eligible and warned["failures"] == len(eligible)
    kept = {t for (t,) in build.query("select ticket_id from main.resolution_time_v1")}
    assert not kept & early
    assert build.query("select min(hours_to_resolution) >= 0 from main.resolution_time_v1") == [
        (True,)
    ]


def test_a_regression_whose_label_is_not_a_number_is_refused(sample_build, tmp_path, monkeypatch):
    from dataclasses import replace

    import pytest

    from trainset import export
    from trainset.errors import TrainsetError

    monkeypatch.setenv("TRAINSET_DB", str(sample_build.db))
    monkeypatch.setenv("DBT_TARGET_PATH", str(sample_build.target))
    load = export.load_dataset
    # ticket_triage v2 declared a regression: its label, category, is text.
    monkeypatch.setattr(
        export, "load_dataset", lambda *a, **k: replace(load(*a, **k), task="regression")
    )
    with pytest.raises(TrainsetError) as error:
        export.export_dataset(PROJECT, "ticket_triage", out=tmp_path)
    assert str(error.value) == (
        "ticket_triage is a regression (meta.task) but its label category is VARCHAR, not a number"
    )

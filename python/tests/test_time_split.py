"""split_strategy time: train, validation and test in time order, the
tests that guard it, and what the card says."""

from __future__ import annotations

import json

import pytest
from conftest import PROJECT, dbt

from trainset.baseline import run_baseline
from trainset.export import export_dataset


@pytest.fixture(scope="module")
def time_build(tmp_path_factory):
    build = dbt(
        ["build", "--exclude", "tag:fixture"],
        tmp_path_factory.mktemp("time"),
        vars={"split_strategy": "time"},
    )
    assert build.returncode == 0, build.output[-3000:]
    return build


@pytest.mark.slow("builds the sample under a time split")
def test_a_time_split_builds_green_in_time_order(time_build):
    statuses = {uid.split(".")[2]: s for uid, s in time_build.status_of("test.").items()}
    order = [s for name, s in statuses.items() if name.startswith("split_time_order")]
    # On v1, v2 and resolution_time, and passing.
    assert order == ["pass"] * 3
    assert not [n for n in statuses if n.startswith("split_fractions")]
    assert statuses["split_player_overlap"] == "warn"
    bounds = time_build.query(
        "select split, min(created_at), max(created_at) from main.ticket_triage_v2 "
        "group by split order by 2"
    )
    assert [b[0] for b in bounds] == ["train", "validation", "test"]
    assert bounds[0][2] < bounds[1][1] and bounds[1][2] < bounds[2][1]


@pytest.mark.slow("builds the sample under a time split")
def test_the_default_cuts_sit_at_80_and_90_percent_of_the_range(time_build):
    [(first, last, train_end, validation_end)] = time_build.query(
        """
        select
            min(epoch(created_at)), max(epoch(created_at)),
            max(case when split = 'train' then epoch(created_at) end),
            max(case when split = 'validation' then epoch(created_at) end)
        from main.ticket_triage_v2
        """
    )
    span = last - first
    assert (
        train_end
        < first + 0.8 * span
        <= time_build.query(
            "select min(epoch(created_at)) from main.ticket_triage_v2 where split = 'validation'"
        )[0][0]
    )
    assert validation_end < first + 0.9 * span


@pytest.mark.slow("builds the sample under a time split with start dates")
def test_explicit_start_dates_cut_there(tmp_path):
    build = dbt(
        ["build", "--select", "+ticket_triage", "--exclude", "resource_type:test"],
        tmp_path,
        vars={
            "split_strategy": "time",
            "split_validation_start": "2024-06-01",
            "split_test_start": "2024-09-01 00:00:00",
        },
    )
    assert build.returncode == 0, build.output[-3000:]
    ranges = dict(
        (split, (lo, hi))
        for split, lo, hi in build.query(
            "select split, strftime(min(created_at), '%Y-%m-%d'), "
            "strftime(max(created_at), '%Y-%m-%d') from main.ticket_triage_v2 group by 1"
        )
    )
    assert ranges["train"][1] < "2024-06-01" <= ranges["validation"][0]
    assert ranges["validation"][1] < "2024-09-01" <= ranges["test"][0]


@pytest.mark.parametrize(
    ("vars", "message"),
    [
        ({"split_strategy": "random"}, "var split_strategy is 'random': use player_hash or time"),
        (
            {"split_strategy": "time", "split_test_start": "June"},
            "var split_test_start is 'June': give a date",
        ),
        (
            {
                "split_strategy": "time",
                "split_validation_start": "2024-09-01",
                "split_test_start": "2024-06-01",
            },
            "var split_validation_start (2024-09-01) is after split_test_start (2024-06-01)",
        ),
    ],
)
@pytest.mark.slow("starts a build once per wrong var")
def test_a_wrong_split_var_stops_the_build_in_one_line(tmp_path, vars, message):
    build = dbt(["compile", "--select", "int_tickets_with_features"], tmp_path, vars=vars)
    assert build.returncode != 0
    assert message in build.output


@pytest.fixture(scope="module")
def time_export(time_build, tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("TRAINSET_DB", str(time_build.db))
    mp.setenv("DBT_TARGET_PATH", str(time_build.target))
    try:
        return export_dataset(PROJECT, "ticket_triage", out=tmp_path_factory.mktemp("x")).path
    finally:
        mp.undo()


@pytest.mark.slow("builds the sample under a time split")
def test_baseline_runs_unchanged_on_a_time_split(time_export):
    report = run_baseline(time_export)
    assert set(report["splits"]) == {"validation", "test"}
    assert 0 < report["splits"]["test"]["macro_f1"] <= 1


@pytest.mark.slow("builds the sample under a time split")
def test_the_card_states_each_splits_time_and_the_player_overlap(time_build, time_export):
    version = time_export
    manifest = json.loads((version / "manifest.json").read_text())
    ranges = {s: f["as_of_range"] for s, f in manifest["splits"].items()}
    assert ranges["train"][1] < ranges["validation"][0] <= ranges["validation"][1]
    assert ranges["validation"][1] < ranges["test"][0]
    card = (version / "README.md").read_text()
    assert "Split by time; the `created_at` each split covers:" in card
    assert f"| train | {ranges['train'][0]} | {ranges['train'][1]} |" in card
    [(overlapping, rows)] = time_build.query(
        "select overlapping_rows, split_rows from main.int_splits_player_overlap "
        "where split_name = 'test'"
    )
    assert overlapping > 0
    assert f"test {overlapping} of {rows} (" in card

"""The benchmark's arithmetic: repeated steps and the ratios between them."""

from __future__ import annotations

import json
import sys

import pytest
from conftest import PROJECT

sys.path.insert(0, str(PROJECT / "bench"))
import run as bench


def test_a_ratio_of_rounds_is_the_median_of_each_rounds_own_ratio():
    # Round 2 ran in a slow spell that slowed both sides; the medians of
    # each side (12 and 12) would give 1.00×, the rounds say 2×.
    r, text = bench.round_ratio([10.0, 40.0, 12.0], [5.0, 20.0, 12.0])
    assert r == pytest.approx(2.0)
    assert text == "2.00× (median of 3 rounds: 1.00× to 2.00×)"


def test_a_ratio_of_single_runs_or_unequal_rounds_divides_the_medians():
    assert bench.round_ratio([30.0], [10.0]) == (pytest.approx(3.0), "3.00×")
    r, text = bench.round_ratio([9.0, 12.0, 10.0], [40.0], percent=True)
    assert r == pytest.approx(0.25)
    assert text == "25%"


def test_a_step_run_again_keeps_every_round_and_reports_their_median():
    step = bench.Step("models", 30.0, 2000.0, True)
    step = bench.again(step, bench.Step("models", 50.0, 2500.0, True))
    step = bench.again(step, bench.Step("models", 20.0, 1500.0, False, "exit 1: boom"))
    assert step.runs == [30.0, 50.0, 20.0]
    assert step.seconds == 30.0
    assert step.peak_mb == 2500.0
    # One failed round fails the step, and says why.
    assert not step.ok
    assert step.note == "exit 1: boom"
    assert bench.again(None, step) is step


def _tests_run(tmp_path, *results):
    path = tmp_path / "run_results.json"
    path.write_text(
        json.dumps(
            {
                "metadata": {"generated_at": "2026-12-03T06:47:03Z", "invocation_id": "i"},
                "elapsed_time": 9.0,
                "results": [
                    {"unique_id": f"{kind}.trainset.{name}.abc", "status": status, "failures": n}
                    for kind, name, status, n in results
                ],
            }
        )
    )
    return path


def test_tests_that_ran_to_the_end_and_found_rows_are_findings_not_a_broken_step(tmp_path):
    failed = bench.Step("tests", 500.0, 4000.0, False, "exit 1: Done. PASS=2 ERROR=1")
    run_results = _tests_run(
        tmp_path,
        ("test", "not_null_v2_id", "pass", 0),
        # dbt test runs the unit tests too.
        ("unit_test", "v2.test_split", "pass", 0),
        ("test", "template_rows_v2_text__ticket_id", "warn", 12),
        ("test", "no_cross_split_near_duplicates_v2_text__ticket_id__0_8", "fail", 2128),
        # The build record's on-run-end hook runs after them.
        ("operation", "on-run-end.0", "success", None),
    )
    step = bench.findings(failed, run_results)
    assert step.ok
    assert step.seconds == 500.0
    assert step.note == (
        "found by 1 test(s), none errored: no_cross_split_near_duplicates_v2_text (2,128 rows)"
    )


@pytest.mark.parametrize(
    "note, results",
    [
        # A test that could not run: the step's time is not the tests' cost.
        ("exit 1: Done.", [("test", "a", "fail", 3), ("test", "b", "error", None)]),
        # Not this run's results: the models' run is still on disk.
        ("exit 1: Done.", [("model", "v2", "success", None)]),
        # dbt itself failed, or the step was stopped.
        ("exit 2: boom", [("test", "a", "fail", 3)]),
        ("killed by signal 9 (out of memory?)", [("test", "a", "fail", 3)]),
        ("exit 1: Done.", [("test", "a", "pass", 0)]),
        # A unit test that fails is broken logic, not a finding in the data.
        ("exit 1: Done.", [("test", "a", "fail", 3), ("unit_test", "v2.u", "fail", 1)]),
        # The build record's hook failed: the run is not whole.
        ("exit 1: Done.", [("test", "a", "fail", 3), ("operation", "on-run-end.0", "error", None)]),
    ],
)
def test_a_tests_step_that_errored_or_crashed_stays_failed(tmp_path, note, results):
    failed = bench.Step("tests", 500.0, 4000.0, False, note)
    assert bench.findings(failed, _tests_run(tmp_path, *results)) is failed
    assert bench.findings(failed, tmp_path / "missing.json") is failed


def test_the_downstream_share_counts_the_rebuilt_models_and_the_tests_that_read_them(
    tmp_path, not_an_export
):
    """A review's least cost: the rebuilt models and every test (data or
    unit) with one of them as a parent; a model upstream and the tests that
    read only it are not counted."""
    times = {
        "model.trainset.stg": 4.0,
        "model.trainset.int": 3.0,
        "model.trainset.ticket_triage.v2": 2.0,
        "test.trainset.unique_stg_id.1": 5.0,
        "test.trainset.relationships_int_stg.2": 1.0,
        "test.trainset.no_conflicting_labels_ticket_triage_v2.3": 1.5,
        "unit_test.trainset.ticket_triage.test_split": 0.5,
        "model.trainset.elsewhere": 3.0,
    }
    parents = {
        "model.trainset.int": ["model.trainset.stg"],
        "model.trainset.ticket_triage.v2": ["model.trainset.int"],
        "test.trainset.unique_stg_id.1": ["model.trainset.stg"],
        "test.trainset.relationships_int_stg.2": ["model.trainset.int", "model.trainset.stg"],
        "test.trainset.no_conflicting_labels_ticket_triage_v2.3": [
            "model.trainset.ticket_triage.v2"
        ],
    }
    (tmp_path / "run_results.json").write_text(
        json.dumps({"results": [{"unique_id": u, "execution_time": t} for u, t in times.items()]})
    )
    manifest = {
        "nodes": {u: {"depends_on": {"nodes": p}} for u, p in parents.items()},
        "unit_tests": {
            "unit_test.trainset.ticket_triage.test_split": {
                "depends_on": {"nodes": ["model.trainset.ticket_triage.v2"]}
            }
        },
    }
    # dbt's manifest, not an export's.
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    not_an_export(tmp_path)
    share = bench.downstream_share(tmp_path, ["int", "ticket_triage.v2"])
    assert share == pytest.approx((3.0 + 2.0 + 1.0 + 1.5 + 0.5) / 20.0)
    assert bench.downstream_share(tmp_path, ["ticket_triage.v2"]) == pytest.approx(4.0 / 20.0)
    assert bench.downstream_share(tmp_path, []) == 0.0


def test_the_export_is_reported_against_the_engines_own_write_of_the_same_rows():
    sizes = {}
    for n, export, write in ((1_000_000, 2.0, 0.8), (10_000_000, 12.0, 6.0)):
        size = bench.Size(n, rows=n * 85 // 100)
        size.steps["models"] = bench.Step("models", 40.0, 2000.0, True)
        size.steps["tests"] = bench.Step("tests", 30.0, 2000.0, True)
        size.steps["export"] = bench.Step("export", export, 500.0, True)
        size.steps["write"] = bench.Step("write", write, 400.0, True)
        sizes[n] = size
    lines = {target: (text, met) for target, text, _, met in bench.ratios(sizes)}
    assert lines["export against DuckDB's own write of the same rows at 1,000,000 (report)"] == (
        "0.42M rows/s; DuckDB's own sorted write of the same rows, alone: 1.06M rows/s "
        "(the export takes 2.5× its time)",
        None,
    )
    text, met = lines["export ≥ 2M rows/s to Parquet at 10M"]
    assert text == (
        "0.71M rows/s; DuckDB's own sorted write of the same rows, alone: 1.42M rows/s "
        "(the export takes 2.0× its time)"
    )
    assert met is False
    # Without a write step (an earlier run merged in), the rate stands alone.
    del sizes[10_000_000].steps["write"]
    lines = {target: text for target, text, _, _ in bench.ratios(sizes)}
    assert lines["export ≥ 2M rows/s to Parquet at 10M"] == "0.71M rows/s"


def test_a_reviews_cap_is_twice_its_sizes_build_and_never_under_the_commands_cap():
    size = bench.Size(10_000_000)
    size.steps["models"] = bench.Step("models", 466.7, 4474.0, True)
    size.steps["tests"] = bench.Step("tests", 444.5, 4381.0, True)
    # At 10M the base side alone builds and tests the whole project: the
    # fixed cap stopped it after 420 s.
    assert bench.review_timeout(size) == pytest.approx(2 * (466.7 + 444.5))
    small = bench.Size(100_000)
    small.steps["models"] = bench.Step("models", 11.7, 550.0, True)
    assert bench.review_timeout(small) == bench.COMMAND_TIMEOUT

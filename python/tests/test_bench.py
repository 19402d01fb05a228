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
    ],
)
def test_a_tests_step_that_errored_or_crashed_stays_failed(tmp_path, note, results):
    failed = bench.Step("tests", 500.0, 4000.0, False, note)
    assert bench.findings(failed, _tests_run(tmp_path, *results)) is failed
    assert bench.findings(failed, tmp_path / "missing.json") is failed

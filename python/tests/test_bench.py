"""The benchmark's arithmetic: repeated steps and the ratios between them."""

from __future__ import annotations

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

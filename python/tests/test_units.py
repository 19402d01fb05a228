"""Pure rules, tested without dbt or a warehouse: they run in milliseconds,
so every edge case gets its own line here rather than its own build."""

from __future__ import annotations

import os

import pytest

from trainset.diff import broken_rules
from trainset.errors import TrainsetError
from trainset.export import _safe_child


def _diff(task: str = "classification", **labels) -> dict:
    """The parts of a diff the --fail-on rules read."""
    return {
        "task": task,
        "old": {"rows": 200},
        "totals": {"added": 3, "removed": 10, "changed": 0},
        "labels": {"flips": 4, "changed": 7, "total_variation": 0.02, **labels},
        "split_moves": {"rows": 0},
        "schema": {"removed": ["a"], "retyped": []},
    }


@pytest.mark.parametrize(
    ("rule", "broken"),
    [
        ("rows-removed>9", True),
        ("rows-removed>10", False),
        ("rows-removed>=10", True),
        ("rows-removed<=10", True),
        ("rows-removed==10", True),
        ("rows-removed<10", False),
        # A percentage is of the old version's rows: 10 of 200 is 5%.
        ("rows-removed>4.9%", True),
        ("rows-removed>5%", False),
        ("rows-added>0", True),
        ("rows-changed>0", False),
        ("split-moves>0", False),
        ("columns-removed>0", True),
        ("columns-retyped>0", False),
        ("label-flips>3", True),
        ("label-flips>4", False),
        ("label-shift>0.01", True),
        ("label-shift>0.02", False),
        (" rows-added > 2 ", True),
    ],
)
def test_a_fail_on_rule_breaks_exactly_past_its_limit(rule, broken):
    assert bool(broken_rules(_diff(), [rule])) is broken


def test_fail_on_rules_name_each_broken_part_with_its_value():
    assert broken_rules(_diff(), ["rows-added>0,split-moves>0", "label-flips>1"]) == [
        "rows-added>0: rows-added is 3",
        "label-flips>1: label-flips is 4",
    ]


def test_a_regression_diff_reads_its_own_label_metrics():
    diff = _diff("regression", all={"ks": 0.3})
    # label-flips counts changed values; label-shift is the KS statistic.
    assert broken_rules(diff, ["label-flips>6"]) == ["label-flips>6: label-flips is 7"]
    assert broken_rules(diff, ["label-shift>0.25"]) and not broken_rules(diff, ["label-shift>0.3"])


@pytest.mark.parametrize("rule", ["nonsense>1", "rows-added", "rows-added>x", "rows-added=>1"])
def test_a_bad_fail_on_rule_is_refused_in_one_line(rule):
    with pytest.raises(TrainsetError, match="bad --fail-on rule") as error:
        broken_rules(_diff(), [rule])
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    "parts", [("..",), ("a", ".."), ("/etc",), ("a/b",), (".hidden",), ("",), ("a\nb",)]
)
def test_a_path_part_that_could_leave_the_export_folder_is_refused(tmp_path, parts):
    with pytest.raises(TrainsetError, match="refusing"):
        _safe_child(tmp_path, *parts)


def test_a_symlink_out_of_the_export_folder_is_refused(tmp_path):
    (tmp_path / "out").mkdir()
    os.symlink(tmp_path, tmp_path / "out" / "escape")
    with pytest.raises(TrainsetError, match="refusing to write outside"):
        _safe_child(tmp_path / "out", "escape", "v1")
    assert _safe_child(tmp_path / "out", "ticket_triage", "v2") == (
        tmp_path / "out" / "ticket_triage" / "v2"
    )

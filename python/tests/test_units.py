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


# Segments of the baseline, and the segment-f1-drop rule over two baselines.


def _segment_frame():
    """130 rows: channel a (60 rows, all right), b (60, every y predicted
    x) and c (10, too few to be a segment); text t of 1 to 130 characters
    beside an empty text u, so the joined text has one more (the space)."""
    import pandas as pd

    channel = ["a"] * 60 + ["b"] * 60 + ["c"] * 10
    true = ["x", "y"] * 60 + ["z"] * 10
    predicted = ["x", "y"] * 30 + ["x"] * 60 + ["z"] * 10
    X = pd.DataFrame(
        {
            "channel": channel,
            "t": ["w" * (i + 1) for i in range(130)],
            "u": [None] * 130,
            "n": range(130),
        },
        index=[f"id{i}" for i in range(130)],
    )
    kinds = {"channel": "categorical", "t": "text", "u": "text", "n": "numeric"}
    return X, true, predicted, kinds


def test_segment_scores_on_a_hand_made_frame():
    from trainset.baseline import segment_scores

    X, true, predicted, kinds = _segment_frame()
    found = segment_scores(X, true, predicted, kinds)
    # Overall: x F1 0.8 (60 right of 90 predicted), y 2/3 (30 of 60 found), z 1.
    overall = (0.8 + 2 / 3 + 1) / 3
    assert found["overall"]["macro_f1"] == pytest.approx(overall)
    by = {(s["by"], s["value"]): s for s in found["segments"]}
    # c has 10 rows: no segment; a numeric feature has none either.
    assert {k for k in by if k[0] == "channel"} == {("channel", "a"), ("channel", "b")}
    assert by["channel", "a"]["macro_f1"] == pytest.approx(1.0)
    # b: x F1 2/3 (precision 1/2, recall 1), y 0; z does not occur.
    assert by["channel", "b"]["macro_f1"] == pytest.approx(1 / 3)
    assert by["channel", "b"]["gap"] == pytest.approx(overall - 1 / 3)
    assert by["channel", "b"]["rows"] == 60
    # Quartiles of the joined length (t, a space, empty u): 2 to 131.
    quartiles = [s for s in found["segments"] if s["by"] == "text length"]
    assert sorted(s["value"] for s in quartiles) == ["Q1", "Q2", "Q3", "Q4"]
    assert sum(s["rows"] for s in quartiles) == 130
    first = by["text length", "Q1"]
    assert first["characters"] == [2, 2 + first["rows"] - 1]
    assert first["macro_f1"] == pytest.approx(1.0)  # rows of a only
    assert by["text length", "Q4"]["characters"][1] == 131
    # Worst first: ordered by gap, the widest gap first.
    gaps = [s["gap"] for s in found["segments"]]
    assert gaps == sorted(gaps, reverse=True) and found["segments"][0]["value"] == "b"


def test_segment_scores_of_a_regression_rank_by_mae():
    import pandas as pd

    from trainset.baseline import segment_scores

    X = pd.DataFrame({"channel": ["a"] * 30 + ["b"] * 30})
    true = [float(i) for i in range(60)]
    predicted = true[:30] + [v + 2 for v in true[30:]]
    found = segment_scores(X, true, predicted, {"channel": "categorical"}, task="regression")
    assert found["metric"] == "mae" and found["overall"]["mae"] == pytest.approx(1.0)
    worst, best = found["segments"]
    assert (worst["value"], worst["mae"], worst["rmse"], worst["gap"]) == ("b", 2.0, 2.0, 1.0)
    assert (best["value"], best["mae"], best["gap"]) == ("a", 0.0, -1.0)


def test_a_segment_needs_its_minimum_of_rows():
    from trainset.baseline import segment_scores

    X, true, predicted, kinds = _segment_frame()
    found = segment_scores(X, true, predicted, kinds, min_rows=61)
    assert found["segments"] == []
    found = segment_scores(X, true, predicted, kinds, min_rows=10)
    assert ("channel", "c") in {(s["by"], s["value"]) for s in found["segments"]}


def test_labels_with_too_few_rows_are_flagged_not_scored():
    import pandas as pd

    from trainset.baseline import thin_labels

    y = pd.Series(["x"] * 12 + ["y"] * 9)
    assert thin_labels(y, ["x", "y", "z"], 10, "test") == {
        "y": {"rows": 9, "note": "too few test rows to score"},
        "z": {"rows": 0, "note": "too few test rows to score"},
    }
    assert thin_labels(y, ["x", "y"], 9, "validation") == {}


def _baseline(segments: dict[tuple[str, str], tuple[float, int]]) -> dict:
    """The parts of a baseline.json that segment deltas read: (by, value)
    -> (macro-F1, rows)."""
    return {
        "segments": {
            "split": "test",
            "metric": "macro_f1",
            "overall": {"macro_f1": 0.9},
            "segments": [
                {"by": by, "value": value, "rows": rows, "macro_f1": f1}
                for (by, value), (f1, rows) in segments.items()
            ],
        }
    }


def test_segment_deltas_pair_the_segments_of_two_baselines():
    from trainset.diff import segment_deltas

    old = _baseline({("channel", "web"): (0.9, 50), ("language", "de"): (0.8, 40)})
    new = _baseline({("channel", "web"): (0.7, 48), ("platform", "ios"): (0.95, 60)})
    found = segment_deltas(old, new)
    assert found["segments"] == [
        {
            "by": "channel",
            "value": "web",
            "rows_old": 50,
            "rows_new": 48,
            "old": 0.9,
            "new": 0.7,
            "delta": pytest.approx(-0.2),
        }
    ]
    assert found["only_old"] == ["language = de"] and found["only_new"] == ["platform = ios"]
    assert segment_deltas(old, {"splits": {}}) is None


def _segment_diff(new_f1: float, rows_new: int = 48) -> dict:
    from trainset.diff import segment_deltas

    old = _baseline({("channel", "web"): (0.9, 50), ("channel", "email"): (0.8, 40)})
    new = _baseline({("channel", "web"): (new_f1, rows_new), ("channel", "email"): (0.85, 40)})
    return {**_diff(), "baseline_segments": segment_deltas(old, new)}


@pytest.mark.parametrize(
    ("rule", "new_f1", "broken"),
    [
        # A planted drop of 0.2 on channel = web breaks a limit below it.
        ("segment-f1-drop>0.1", 0.7, True),
        ("segment-f1-drop>0.2", 0.7, False),
        ("segment-f1-drop>=0.2", 0.7, True),
        # A percentage of an F1 is of 1, not of the rows.
        ("segment-f1-drop>15%", 0.7, True),
        ("segment-f1-drop>25%", 0.7, False),
        # Without the drop: every segment held or rose.
        ("segment-f1-drop>0", 0.9, False),
        ("segment-f1-drop>0", 0.95, False),
    ],
)
def test_segment_f1_drop_breaks_on_a_planted_drop_only(rule, new_f1, broken):
    assert bool(broken_rules(_segment_diff(new_f1), [rule])) is broken


def test_segment_f1_drop_names_the_segment():
    assert broken_rules(_segment_diff(0.7), ["segment-f1-drop>0.1"]) == [
        "segment-f1-drop>0.1: segment-f1-drop is 0.2 (test, channel = web: 0.900 → 0.700)"
    ]


def test_segment_f1_drop_ignores_a_segment_under_thirty_rows():
    assert not broken_rules(_segment_diff(0.1, rows_new=29), ["segment-f1-drop>0.1"])


@pytest.mark.parametrize(
    ("diff", "said"),
    [
        (_diff(), "needs a baseline.json with segments"),
        ({**_diff(), "baseline_segments": None}, "needs a baseline.json with segments"),
        ({**_diff("regression"), "baseline_segments": {}}, "is for a classification"),
    ],
)
def test_segment_f1_drop_without_segments_is_refused_in_one_line(diff, said):
    with pytest.raises(TrainsetError, match=said) as error:
        broken_rules(diff, ["segment-f1-drop>0.1"])
    assert "\n" not in str(error.value)

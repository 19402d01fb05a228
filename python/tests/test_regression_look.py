"""profile and diff on a numeric label: resolution_time v1 exported from the
sample, and copies of it with planted changes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_review import rewrite

from trainset.diff import broken_rules, diff_exports, render_markdown
from trainset.errors import TrainsetError
from trainset.load import load_all
from trainset.profile import render_profile

LABEL = "hours_to_resolution"


def regression_copy(old: Path, new: Path, mutate) -> Path:
    """rewrite's copy, its splits described as an export describes a
    regression's: rows and label statistics, no class counts."""
    rewrite(old, new, mutate)
    manifest = json.loads((new / "manifest.json").read_text())
    frame, _ = load_all(new)
    for split, facts in manifest["splits"].items():
        hours = frame.loc[frame.split == split, LABEL]
        facts.pop("labels")
        facts["label_stats"] = {
            "mean": hours.mean(),
            "std": hours.std(),
            "min": hours.min(),
            "p25": hours.quantile(0.25),
            "median": hours.median(),
            "p75": hours.quantile(0.75),
            "max": hours.max(),
        }
    (new / "manifest.json").write_text(json.dumps(manifest, default=float))
    return new


def _label_drift(page: str) -> dict[str, tuple[float, str]]:
    """split: (KS statistic, flagged) from the profile's label drift table."""
    table = page.split('<table class="label-drift">')[1].split("</table>")[0]
    rows = re.findall(
        r"<tr><td>(\w+)</td><td>([\d.]+)</td><td>[^<]*</td><td>[^<]*</td>"
        r"<td>(\w*)</td></tr>",
        table,
    )
    return {split: (float(ks), flagged) for split, ks, flagged in rows}


def _ks(a, b) -> float:
    from scipy.stats import ks_2samp

    return ks_2samp(a, b).statistic


TWIN = "planted twin text about a slow transfer market"


@pytest.fixture(scope="module")
def drifted(regression_export, tmp_path_factory):
    """A copy with test's labels tripled, two train rows of one text whose
    labels lie far apart, and a baseline.json as a regression baseline."""

    frame, _ = load_all(regression_export)
    twins = sorted(frame.index[frame.split == "train"])[:2]

    def plant(frame):
        frame.loc[frame.split == "test", LABEL] *= 3
        frame.loc[twins, "first_message"] = TWIN
        frame.loc[twins, LABEL] = [0.5, 500.0]
        return frame

    path = regression_copy(regression_export, tmp_path_factory.mktemp("drift") / "v1", plant)
    report = {
        "model": "a ridge regression",
        "splits": {
            "validation": {"rows": 166, "mae": 12.5, "r2": 0.25, "median_baseline": {"mae": 18.0}}
        },
    }
    (path / "baseline.json").write_text(json.dumps(report))
    # A regression's audit: flagged rows only, ranked by residual.
    (path / "label_issues.csv").write_text(
        "ticket_id,given_label,predicted,abs_residual,is_label_issue,text\n"
        f"{twins[0]},0.5,80.26,79.76,True,{TWIN}\n"
    )
    facts = {"rows": 1672, "flagged": 1, "method": "out-of-fold absolute residual"}
    (path / "label_issues.json").write_text(json.dumps(facts))
    return path


def test_profile_shows_the_label_as_a_number(regression_export, tmp_path):
    page = render_profile(regression_export, out=tmp_path / "p.html").read_text()
    frame, _ = load_all(regression_export)
    overview = page.split('id="overview"')[1].split("</section>")[0]
    assert "Label distribution by split" in overview and "Labels by split" not in overview
    train = frame.loc[frame.split == "train", LABEL]
    # The statistics table of the label, then its histogram.
    assert f"<td>train</td><td>{len(train)}</td><td>{train.mean():.3g}</td>" in overview
    assert '<img class="chart"' in overview
    drift = _label_drift(page)
    assert set(drift) == {"validation", "test"}
    for split, (ks, flagged) in drift.items():
        expected = _ks(train, frame.loc[frame.split == split, LABEL])
        assert abs(ks - expected) < 0.0005, (split, ks, expected)
        assert ks < 0.1 and flagged == "", (split, ks)
    # Tokens and text lengths per label quartile, not per value.
    tokens = page.split("most distinctive tokens")[1].split("</table>")[0]
    assert re.findall(r"<td>(Q\d) (?:≤|&gt;) [\d.]+</td>", tokens) == ["Q1", "Q2", "Q3", "Q4"]
    assert "Texts with conflicting labels" not in page
    assert re.search(r"Identical texts whose labels differ widely: \d+ texts", page)
    assert TWIN not in page


def test_profile_flags_a_planted_label_drift(drifted, regression_export, tmp_path):
    page = render_profile(drifted, compare=regression_export, out=tmp_path / "p.html").read_text()
    drift = _label_drift(page)
    assert drift["test"][0] > 0.3 and drift["test"][1] == "yes"
    assert drift["validation"][1] == ""
    problems = page.split('id="problems"')[1].split("</section>")[0]
    assert f"<td>{TWIN}</td><td>0.5 to 500</td><td>2</td>" in problems
    baseline = page.split('id="baseline"')[1].split("</section>")[0]
    assert "<th>median_baseline mae</th>" in baseline and "<td>12.5</td>" in baseline
    audit = page.split('id="audit"')[1].split("</section>")[0]
    assert "1 of 1,672 training rows flagged (out-of-fold absolute residual)" in audit
    assert "<td>80.26</td><td>79.76</td>" in audit and "cleanlab" not in audit
    compare = page.split('id="compare"')[1].split("</section>")[0]
    assert "Kolmogorov-Smirnov" in compare
    frame, _ = load_all(regression_export)
    test = frame.loc[frame.split == "test", LABEL]
    mean = f"{test.mean():.4g} → {test.mean() * 3:.4g}"
    assert re.search(rf"<td>test</td><td>[\d,]+ → [\d,]+</td><td>{mean}</td>", compare)


def test_diff_of_an_unchanged_regression(regression_export):
    d = diff_exports(regression_export, regression_export)
    assert d["task"] == "regression"
    labels = d["labels"]
    assert labels["changed"] == 0 and labels["mean_abs_change"] == 0
    assert labels["compared"] == d["old"]["rows"]
    assert labels["all"]["ks"] == 0 and labels["change_examples"] == []
    frame, _ = load_all(regression_export)
    for split, facts in labels["by_split"].items():
        hours = frame.loc[frame.split == split, LABEL]
        assert facts["old"] == facts["new"]
        assert abs(facts["old"]["p75"] - hours.quantile(0.75)) < 1e-9
        assert set(facts["change"].values()) == {0}
    markdown = render_markdown(d)
    assert f"| labels changed (ids in both) | 0 of {d['old']['rows']:,}" in markdown
    assert not broken_rules(d, ["label-flips>0", "label-shift>0"])
    json.dumps(d)


def test_diff_means_do_not_depend_on_the_order_of_the_rows(regression_export, tmp_path):
    """The same labels per split, summed in another order, have the same
    mean: a diff of them reports no change of mean. A plain floating-point
    sum depends on its order (here 1e16 + 1 loses the 1), and DuckDB's
    threads sum a large split in no fixed order, so identical exports once
    showed a mean change of 3e-14."""
    frame, _ = load_all(regression_export)
    first = sorted(frame.index[frame.split == "train"])[:4]

    def plant(values):
        def mutate(f):
            f.loc[first, LABEL] = values
            return f

        return mutate

    a = regression_copy(regression_export, tmp_path / "a", plant([1e16, 1.0, -1e16, 1.0]))
    b = regression_copy(regression_export, tmp_path / "b", plant([1.0, -1e16, 1.0, 1e16]))
    d = diff_exports(a, b)
    labels = d["labels"]
    for facts in (labels["by_split"]["train"], labels["all"]):
        assert facts["old"] == facts["new"]
        assert facts["change"]["mean"] == 0


def test_diff_counts_and_measures_changed_labels(regression_export, tmp_path):
    frame, _ = load_all(regression_export)
    changed = sorted(frame.index)[::100]  # 1% of the rows
    assert len(changed) == -(-len(frame) // 100)

    def plant(f):
        f.loc[changed, LABEL] += 10.0
        return f

    new = regression_copy(regression_export, tmp_path / "new", plant)
    d = diff_exports(regression_export, new)
    labels = d["labels"]
    assert labels["changed"] == len(changed) and labels["compared"] == len(frame)
    assert abs(labels["mean_abs_change"] - 10 * len(changed) / len(frame)) < 1e-9
    assert labels["max_abs_change"] == pytest.approx(10)
    assert {e["id"] for e in labels["change_examples"]} <= set(changed)
    assert all(e["change"] == pytest.approx(10) for e in labels["change_examples"])
    after, _ = load_all(new)
    for split, facts in labels["by_split"].items():
        old = frame.loc[frame.split == split, LABEL]
        moved = after.loc[after.split == split, LABEL]
        assert facts["change"]["mean"] == pytest.approx(moved.mean() - old.mean(), abs=1e-9)
        for name, q in (("p25", 0.25), ("median", 0.5), ("p75", 0.75)):
            expected = moved.quantile(q) - old.quantile(q)
            assert facts["change"][name] == pytest.approx(expected, abs=1e-9), (split, name)
    # label-flips counts changed numbers; label-shift is the KS statistic.
    assert broken_rules(d, ["label-flips>0"]) == [f"label-flips>0: label-flips is {len(changed)}"]
    assert broken_rules(d, ["label-flips>0.5%"]) and not broken_rules(d, ["label-flips>2%"])
    assert 0 < labels["all"]["ks"] < 0.05
    assert not broken_rules(d, ["label-shift>0.05"]) and broken_rules(d, ["label-shift>0"])
    markdown = render_markdown(d)
    assert f"| labels changed (ids in both) | {len(changed)} of {len(frame):,};" in markdown
    assert f"<summary>Labels: {len(changed)} changed, mean absolute change" in markdown
    assert "| +10 |" in markdown  # the largest changes
    assert markdown.count("<details>") == markdown.count("</details>")
    assert "label flips" not in markdown
    json.dumps(d)


def test_diff_compares_regression_baselines(regression_export, tmp_path):
    paths = []
    for name, mae in (("a", 12.0), ("b", 10.5)):
        path = regression_copy(regression_export, tmp_path / name, lambda f: f)
        report = {"splits": {"test": {"rows": 189, "mae": mae, "note": "text is left out"}}}
        (path / "baseline.json").write_text(json.dumps(report))
        paths.append(path)
    d = diff_exports(*paths)
    assert d["baseline"] == {"test": {"mae": {"old": 12.0, "new": 10.5, "delta": -1.5}}}
    assert "| test | mae | 12.0000 | 10.5000 | -1.5000 |" in render_markdown(d)


def test_diff_refuses_a_classification_against_a_regression(
    regression_export, tmp_path, not_an_export
):
    other = regression_copy(regression_export, tmp_path / "other", lambda f: f)
    manifest = json.loads((other / "manifest.json").read_text())
    # An export from before the task key (and schema versions): a classification.
    del manifest["task"], manifest["schema_version"]
    (other / "manifest.json").write_text(json.dumps(manifest))
    not_an_export(other)
    with pytest.raises(TrainsetError, match=r"a classification and .* a regression"):
        diff_exports(other, regression_export)

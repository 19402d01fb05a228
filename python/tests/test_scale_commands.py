"""The look-at-the-data commands at scale: the profile's text key is the dbt
tests' own, and every sampled path records its sample and is seeded."""

from __future__ import annotations

import json
import re

import duckdb
import pytest
from conftest import compile_inline
from test_review import base_export  # noqa: F401  (a fixture)

from trainset import baseline, profile
from trainset.audit import run_audit
from trainset.baseline import run_baseline
from trainset.scan import connect, load_sample, text_key_sql


@pytest.fixture(scope="module")
def version(base_export):  # noqa: F811
    """The sample's export, this module's own: the tests write beside it."""
    return base_export


def test_text_key_is_the_one_dbt_compiles():
    done = compile_inline("select {{ text_key(['\"a\"', '\"b\"']) }} as k")
    assert done.returncode == 0, done.output[-2000:]
    # Jinja's whitespace control differs from dbt's: compare without it.
    compiled = re.sub(r"\s+", "", done.stdout)
    assert re.sub(r"\s+", "", text_key_sql(["a", "b"])) in compiled
    # The normalization matters: case, ends and inner runs of whitespace.
    with duckdb.connect() as con:
        keys = con.sql(
            f"select distinct {text_key_sql(['a'])} from (values "
            "('Crash  on\tstart'), (' crash on start\n'), ('CRASH ON START')) as t(a)"
        ).fetchall()
    assert keys == [("crash on start",)]


def _test_failures(manifest: dict, prefix: str) -> int:
    (result,) = [
        t
        for t in manifest["tests"]["results"]
        if t["name"].startswith(prefix + "_ticket_triage_v2_")
    ]
    return result["failures"]


def test_profile_counts_duplicates_and_conflicts_as_the_dbt_tests_do(version, tmp_path):
    manifest = json.loads((version / "manifest.json").read_text())
    across = _test_failures(manifest, "no_cross_split_duplicates")
    conflicting = _test_failures(manifest, "no_conflicting_labels")
    # The bundled sample plants both, so agreeing is not agreeing on zero.
    assert across > 0 and conflicting > 0
    page = profile.render_profile(version, out=tmp_path / "p.html").read_text()
    assert f"Duplicates across splits: {across} rows" in page
    assert re.search(rf"conflicting labels: \d+ texts, {conflicting} rows", page)


def test_profile_states_its_token_sample(version, tmp_path, monkeypatch):
    page = profile.render_profile(version, out=tmp_path / "all.html").read_text()
    assert "Distinctive tokens: computed on all" in page
    monkeypatch.setattr(profile, "TOKEN_SAMPLE", 500)
    first = profile.render_profile(version, out=tmp_path / "a.html").read_text()
    again = profile.render_profile(version, out=tmp_path / "b.html").read_text()
    said = re.search(
        r"computed on a sample of ([\d,]+) of ([\d,]+) rows \(stratified by label, "
        r"seed 0\)",
        first,
    )
    assert said, "the page must state the sample's size and seed"
    assert int(said.group(1).replace(",", "")) <= 500 + 10
    assert _tokens(first) == _tokens(again)
    other = profile.render_profile(version, out=tmp_path / "c.html", seed=1).read_text()
    assert "seed 1" in other


def _tokens(page: str) -> str:
    return page.split("most distinctive tokens")[1].split("</table>")[0]


def test_the_audit_table_clips_text_and_rounds_scores(version, tmp_path):
    run_audit(version, max_rows=800)
    page = profile.render_profile(version, out=tmp_path / "p.html").read_text()
    audit = page.split('id="audit"')[1].split("</section>")[0]
    scores = re.findall(r"<td>(0\.\d+|1\.\d+)</td>", audit)
    assert scores and all(len(s) == 5 for s in scores), scores
    for cell in re.findall(r"<td>(.*?)</td>", audit):
        shown = re.sub(r"<span title=\"[^\"]*\">", "", cell).replace("</span>", "")
        assert len(shown) <= 301 + 40, cell  # 300 characters, an ellipsis, escapes


def test_sample_is_stratified_recorded_and_seeded(version):
    X, y, facts = load_sample(version, "train", 600, seed=3)
    assert facts["sampled"] and facts["seed"] == 3 and facts["rows"] == len(X)
    assert 600 - y.nunique() <= len(X) <= 600
    X_all, y_all, whole = load_sample(version, "train", None)
    assert not whole["sampled"] and whole["rows"] == whole["of_rows"] == len(X_all)
    shares, all_shares = y.value_counts(normalize=True), y_all.value_counts(normalize=True)
    assert (shares - all_shares).abs().max() < 0.01
    again, _, _ = load_sample(version, "train", 600, seed=3)
    other, _, _ = load_sample(version, "train", 600, seed=4)
    assert list(again.index) == list(X.index)
    assert list(other.index) != list(X.index)


def test_baseline_records_its_sample_and_repeats(version):
    first = run_baseline(version, max_train_rows=700, seed=5)
    sample = first["train_sample"]
    assert sample["sampled"] and sample["rows"] <= 700 and sample["seed"] == 5
    written = json.loads((version / "baseline.json").read_text())
    assert written["train_sample"] == sample
    again = run_baseline(version, max_train_rows=700, seed=5)
    assert again["splits"] == first["splits"]
    # Validation and test are scored whole, whatever the train sample.
    manifest = json.loads((version / "manifest.json").read_text())
    for split in ("validation", "test"):
        assert first["splits"][split]["rows"] == manifest["splits"][split]["rows"]


def test_baseline_scores_in_batches_as_in_one(version, monkeypatch):
    whole = run_baseline(version, max_train_rows=700, seed=5)
    # 166 and 189 rows in batches of 37: every batch boundary inside a split.
    monkeypatch.setattr(baseline, "PREDICT_ROWS", 37)
    batched = run_baseline(version, max_train_rows=700, seed=5)
    assert batched["splits"] == whole["splits"]
    assert batched["segments"] == whole["segments"]


def test_audit_records_its_sample_and_repeats(version):
    first = run_audit(version, max_rows=700, seed=2)
    facts = json.loads((version / "label_issues.json").read_text())
    assert facts["sample"]["sampled"] and facts["rows"] == len(first) <= 700
    assert facts["seed"] == 2
    csv = (version / "label_issues.csv").read_text()
    again = run_audit(version, max_rows=700, seed=2)
    assert (version / "label_issues.csv").read_text() == csv
    assert list(again.index) == list(first.index)
    import pandas as pd

    flagged = pd.read_csv(version / "label_issues.csv", dtype=str)
    flags = [c for c in first.columns if c.startswith("is_") and c.endswith("_issue")]
    assert len(flagged) == int(first[flags].any(axis=1).sum()) < len(first)
    assert (flagged[flags] == "True").any(axis=1).all()
    assert flagged["text"].str.len().max() <= 1000


@pytest.mark.parametrize(
    ("terminal", "ci", "shown"), [(True, None, True), (True, "true", False), (False, None, False)]
)
def test_progress_shows_on_a_terminal_only(terminal, ci, shown, monkeypatch):
    from trainset import cli

    monkeypatch.setattr(cli.console, "_force_terminal", terminal)
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    progress, _ = cli._steps("profile")
    assert progress.disable is not shown


def test_spills_into_a_temp_folder_that_does_not_exist_yet(tmp_path, monkeypatch):
    # dbt's DuckDB removes the TRAINSET_TEMP_DIR it made when the build
    # ends; profile, diff, baseline and audit at 10M then failed to spill.
    monkeypatch.setenv("TRAINSET_TEMP_DIR", str(tmp_path / "gone" / "spill"))
    monkeypatch.setenv("TRAINSET_MEMORY_LIMIT", "64MB")
    con = connect()
    try:
        rows = con.execute(
            "select count(*) from (select * from range(6000000) order by hash(range))"
        ).fetchall()
    finally:
        con.close()
    assert rows == [(6_000_000,)]

"""Look at the data: baseline, audit, profile (in a real browser), BI access."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import BIN, PROJECT, dbt
from rich.console import Console

from trainset import cli
from trainset.audit import ISSUE_TYPES, run_audit
from trainset.baseline import run_baseline, thin_labels
from trainset.export import export_dataset
from trainset.load import load
from trainset.manifest import verify_export
from trainset.profile import CHROMIUM_FLAGS, SECTIONS, _baseline_section, render_profile
from trainset.render import escape_html
from trainset.sample import generator

ARTIFACTS = PROJECT / "target" / "test-artifacts"


def _export(build, out: Path, monkeypatch) -> Path:
    monkeypatch.setenv("TRAINSET_DB", str(build.db))
    monkeypatch.setenv("DBT_TARGET_PATH", str(build.target))
    return export_dataset(PROJECT, "ticket_triage", out=out).path


@pytest.fixture(scope="module")
def looked_at(sample_build, tmp_path_factory):
    """The sample exported, with its baseline, audit and profile."""
    mp = pytest.MonkeyPatch()
    version = _export(sample_build, tmp_path_factory.mktemp("look"), mp)
    mp.undo()
    before = hashlib.sha256((version / "manifest.json").read_bytes()).hexdigest()
    baseline = run_baseline(version)
    issues = run_audit(version)
    report = render_profile(version)
    return version, before, baseline, issues, report


def _share_in_top(issues, planted: set[str], share: float = 0.05) -> tuple[int, int]:
    top = set(issues.index[: max(1, int(len(issues) * share))])
    in_train = planted & set(issues.index)
    return len(in_train & top), len(in_train)


def test_baseline_beats_the_majority_class(looked_at):
    version, before, baseline, _, _ = looked_at
    for split in ("validation", "test"):
        scores = baseline["splits"][split]
        assert scores["macro_f1"] > scores["majority_baseline"]["macro_f1"] + 0.4
        assert scores["macro_f1"] < 0.99  # label noise and ambiguity: never perfect
        assert set(scores["f1_per_label"]) == set(baseline["labels"])
    written = json.loads((version / "baseline.json").read_text())
    assert written["manifest_sha256"] == before
    assert hashlib.sha256((version / "manifest.json").read_bytes()).hexdigest() == before
    assert verify_export(version) == []
    assert (version / "confusion_matrix.png").stat().st_size > 1000


def test_baseline_scores_the_segments_of_test(looked_at):
    version, _, baseline, _, _ = looked_at
    found = baseline["segments"]
    assert found["split"] == "test" and found["metric"] == "macro_f1"
    assert found["overall"]["macro_f1"] == pytest.approx(baseline["splits"]["test"]["macro_f1"])
    X, _ = load(version, "test")
    kinds = baseline["feature_kinds"]
    expected = {
        (feature, value): rows
        for feature, kind in kinds.items()
        if kind == "categorical"
        for value, rows in X[feature].fillna("<null>").astype(str).value_counts().items()
        if rows >= 30
    }
    segments = found["segments"]
    assert {(s["by"], s["value"]): s["rows"] for s in segments if s["by"] in kinds} == expected
    quartiles = [s for s in segments if s["by"] == "text length"]
    assert len(quartiles) == 4 and sum(s["rows"] for s in quartiles) == len(X)
    gaps = [s["gap"] for s in segments]
    assert gaps == sorted(gaps, reverse=True)
    assert all(
        s["gap"] == pytest.approx(found["overall"]["macro_f1"] - s["macro_f1"]) for s in segments
    )


def test_baseline_flags_thin_labels_and_keeps_macro_f1(looked_at, monkeypatch):
    version, _, baseline, _, _ = looked_at
    assert baseline["min_rows_per_label"] == 10
    manifest = json.loads((version / "manifest.json").read_text())
    for split, scores in baseline["splits"].items():
        counts = manifest["splits"][split]["labels"]
        thin = {label for label in baseline["labels"] if counts.get(label, 0) < 10}
        assert set(scores["thin_labels"]) == thin, split
        # Macro-F1 still averages every label, thin ones included.
        per_label = scores["f1_per_label"].values()
        assert scores["macro_f1"] == pytest.approx(sum(per_label) / len(per_label))
    # Every test label thin: each gets its line and no F1 of its own.
    report = json.loads(json.dumps(baseline))
    _, y = load(version, "test")
    report["splits"]["test"]["thin_labels"] = thin_labels(y, baseline["labels"], 1000, "test")
    out = io.StringIO()
    monkeypatch.setattr(cli, "console", Console(file=out, width=200))
    assert cli._print_classification(report, version) == 0
    said = out.getvalue()
    for label in baseline["labels"]:
        assert f"  {label}: too few test rows to score (" in said
        assert f"{label} -" in said
    assert "segments of test (at least 30 rows), worst first" in said


def test_profile_shows_segments_and_thin_labels(looked_at, tmp_path):
    _, _, baseline, _, report = looked_at
    page = Path(report).read_text()
    worst = baseline["segments"]["segments"][0]
    assert "Segments of test with at least 30 rows, worst first" in page
    assert f"<td>{escape_html(worst['value'])}" in page
    # A thin label shows its note in place of an F1.
    thin = json.loads(json.dumps(baseline))
    label = baseline["labels"][0]
    note = "too few test rows to score"
    thin["splits"]["test"]["thin_labels"] = {label: {"rows": 3, "note": note}}
    (tmp_path / "baseline.json").write_text(json.dumps(thin))
    section = _baseline_section(tmp_path)
    assert f"<td>{label}</td>" in section and note in section


def test_audit_ranks_planted_mislabels_first(looked_at):
    version, _, _, issues, _ = looked_at
    planted = set(generator.generate().planted["mislabelled_ticket_ids"])
    found, total = _share_in_top(issues, planted)
    assert total > 30
    assert found / total >= 0.6, (found, total)
    header = (version / "label_issues.csv").read_text().splitlines()[0]
    assert header.startswith("ticket_id,given_label,suggested_label,score")


@pytest.mark.slow("builds a desk with planted mislabels")
def test_audit_finds_mislabels_in_another_desk(tmp_path, monkeypatch):
    desk = generator.generate(n_tickets=2400, seed=41, generic_share=0, viral_copies=0)
    planted = set(desk.planted["mislabelled_ticket_ids"])
    generator.write(desk, tmp_path / "raw")
    build = dbt(["build"], tmp_path / "build", vars={"raw_dir": str(tmp_path / "raw")})
    assert build.returncode == 0, build.output[-2000:]
    issues = run_audit(_export(build, tmp_path / "out", monkeypatch))
    found, total = _share_in_top(issues, planted)
    assert found / total > 0.5, (found, total)


def _chromium():
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver):
        pytest.skip(
            "chromium and chromedriver are not installed (make test installs them "
            "as root: apt-get install chromium chromium-driver)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (*CHROMIUM_FLAGS, "--window-size=1200,1600"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(driver), options=options)


def test_profile_opens_in_a_browser_with_every_section(looked_at):
    _, _, _, _, report = looked_at
    browser = _chromium()
    try:
        browser.get(report.resolve().as_uri())
        assert "Profile of ticket_triage v2" in browser.title or browser.find_element(
            "tag name", "h1"
        ).text.startswith("Profile of ticket_triage v2")
        for section in SECTIONS:
            assert browser.find_element("id", section).is_displayed(), section
        images = browser.find_elements("css selector", "img.chart")
        assert len(images) > 8
        sizes = browser.execute_script(
            "return [...document.images].map(i => [i.naturalWidth, "
            "i.getBoundingClientRect().width, i.getBoundingClientRect().height]);"
        )
        assert all(w > 0 and bw > 0 and bh > 0 for w, bw, bh in sizes), sizes
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert not errors, errors
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(ARTIFACTS / "profile.png"))
    finally:
        browser.quit()
    page = report.read_text()
    for needed in (
        "Exact duplicates within a split",
        "Duplicates across splits",
        "conflicting labels",
        "very short",
        "Jensen-Shannon",
        "macro-F1",
        "flagged by cleanlab",
        "http",
    ):
        if needed == "http":
            assert "http://" not in page and "https://" not in page  # no network
        else:
            assert needed in page, needed


def test_profile_compares_two_versions(looked_at, sample_build, tmp_path, monkeypatch):
    version, *_ = looked_at
    monkeypatch.setenv("TRAINSET_DB", str(sample_build.db))
    monkeypatch.setenv("DBT_TARGET_PATH", str(sample_build.target))
    v1 = export_dataset(PROJECT, "ticket_triage", version=1, out=tmp_path).path
    page = render_profile(version, compare=v1, out=tmp_path / "p.html").read_text()
    assert "Label distribution shift" in page
    # v2 adds the point-in-time features to v1's columns.
    assert "account_age_days, last_resolution_category" in page or (
        "account_age_days" in page.split("Columns")[1][:2000]
    )


def test_superset_path_reads_the_build_read_only(sample_build):
    import sqlalchemy as sa

    engine = sa.create_engine(f"duckdb:///{sample_build.db}", connect_args={"read_only": True})
    with engine.connect() as con:
        rows = con.execute(sa.text("select count(*) from ticket_triage_v2")).scalar()
        splits = con.execute(sa.text("select count(distinct split) from ticket_triage_v2"))
        assert splits.scalar() == 3
    engine.dispose()
    assert rows == sample_build.query("select count(*) from ticket_triage_v2")[0][0]


def test_look_commands_fail_in_one_line(tmp_path):
    for command in ("profile", "baseline", "audit"):
        done = subprocess.run(
            [BIN / "trainset", command, str(tmp_path)], capture_output=True, text=True
        )
        assert done.returncode != 0 and "Traceback" not in done.stderr
        assert "not an exported dataset" in done.stderr


def test_audit_writes_one_csv_of_every_issue_type(looked_at):
    import pandas as pd

    version, _, _, issues, _ = looked_at
    flags = [f"is_{t}_issue" for t in ISSUE_TYPES]
    scores = ["score", *(f"{t}_score" for t in ISSUE_TYPES[1:])]
    assert set(flags + scores) <= set(issues.columns)
    facts = json.loads((version / "label_issues.json").read_text())
    assert list(facts["issue_types"]) == list(ISSUE_TYPES)
    for name, found in facts["issue_types"].items():
        assert found["count"] == int(issues[f"is_{name}_issue"].sum()), name
        assert 0 <= found["score"] <= 1, name
    # The sample plants exact duplicates: they are near-duplicates of each other.
    assert facts["issue_types"]["near_duplicate"]["count"] > 10
    written = pd.read_csv(version / "label_issues.csv", dtype=str, keep_default_na=False)
    assert list(written.columns[:5]) == [
        "ticket_id",
        "given_label",
        "suggested_label",
        "score",
        "is_label_issue",
    ]
    assert written.columns[-1] == "text" and set(flags + scores) <= set(written.columns)
    # Flagged rows only, by any type; more than the label issues alone.
    any_flag = (written[flags] == "True").any(axis=1)
    assert any_flag.all() and len(written) == int(issues[flags].any(axis=1).sum())
    assert len(written) > facts["flagged"] == int(issues["is_label_issue"].sum())
    assert facts["rows_in_csv"] == len(written)
    assert written["text"].str.len().max() <= 1000


def test_profile_shows_each_issue_type_with_examples(looked_at):
    version, _, _, _, report = looked_at
    facts = json.loads((version / "label_issues.json").read_text())
    audit = report.read_text().split('id="audit"')[1].split("</section>")[0]
    summary = audit.split("<h3>Issue types</h3>")[1].split("</table>")[0]
    for name, found in facts["issue_types"].items():
        cells = f"<td>{name.replace('_', ' ')}</td><td>{found['count']:,}</td>"
        assert f"{cells}<td>{found['score']:.3f}</td>" in summary, name
    assert "<h3>Near-duplicates</h3>" in audit and "<th>near_duplicate_of</th>" in audit
    for cell in re.findall(r"<td>(.*?)</td>", audit):
        shown = re.sub(r"<span title=\"[^\"]*\">", "", cell).replace("</span>", "")
        assert len(shown) <= 301 + 40, cell  # 300 characters, an ellipsis, escapes
    assert all(len(s) == 5 for s in re.findall(r"<td>(0\.\d+|1\.\d+)</td>", audit))


FINNISH = (Path(__file__).parent / "data" / "finnish_tickets.txt").read_text().splitlines()


def plant_texts(source: Path, version: Path, texts: list[str]) -> list[str]:
    """Copy the export at source to version with the first messages of
    evenly spaced train rows replaced by texts (their subjects emptied),
    re-hash the manifest, and return those rows' ids."""
    import duckdb
    from test_regression_baseline import rehash

    shutil.copytree(source, version)
    manifest = json.loads((version / "manifest.json").read_text())
    ident = manifest["roles"]["id"]
    features, planted = version / "train" / "features.parquet", version / "train" / "p.parquet"
    with duckdb.connect() as con:
        ids = [r[0] for r in con.execute(f"select {ident} from '{features}' order by 1").fetchall()]
        chosen = ids[:: len(ids) // len(texts)][: len(texts)]
        con.execute("create table planted (i varchar, t varchar)")
        con.executemany("insert into planted values (?, ?)", list(zip(chosen, texts, strict=True)))
        con.execute(
            f"""copy (
                select f.* replace (
                    coalesce(p.t, f.first_message) as first_message,
                    case when p.t is null then f.subject end as subject
                )
                from '{features}' as f left join planted as p on f.{ident} = p.i
                order by f.{ident}
            ) to '{planted}' (format parquet)"""
        )
    planted.replace(features)
    rehash(version, manifest)
    return chosen


def test_audit_flags_texts_in_an_absent_language_as_outliers(looked_at, tmp_path):
    version, _, _, before, _ = looked_at
    planted = plant_texts(version, tmp_path / "v2", FINNISH)
    assert not before.loc[planted, "is_outlier_issue"].any()  # not outliers as they were
    issues = run_audit(tmp_path / "v2")
    outliers = issues.index[issues["is_outlier_issue"]]
    found = len(set(planted) & set(outliers))
    # Most of the set, and most of what is flagged: 30 rows among 1,672.
    assert found >= len(planted) * 2 / 3 and found > len(outliers) / 2, (found, len(outliers))


def test_audit_neighbour_graph_is_exact_and_leaves_each_row_out():
    import numpy as np

    from trainset.audit import knn_graph

    points = np.random.default_rng(0).normal(size=(300, 6)).astype(np.float32)
    points[7] = points[3]  # an exact duplicate: its nearest neighbour, at distance 0
    graph = knn_graph(points, k=4)
    distances = np.linalg.norm(points[:, None] - points[None], axis=2)
    np.fill_diagonal(distances, np.inf)
    nearest = np.sort(distances, axis=1)[:, :4]
    assert graph.shape == (300, 300) and graph.nnz == 300 * 4
    got = graph.data.reshape(300, 4)
    assert np.allclose(got, nearest, atol=1e-4) and (np.diff(got, axis=1) >= 0).all()
    assert graph.indices.reshape(300, 4)[3, 0] == 7 and got[3, 0] < 1e-6
    assert not (graph.indices.reshape(300, 4) == np.arange(300)[:, None]).any()


def test_audit_reduces_features_without_text_too():
    import numpy as np
    import pandas as pd

    from trainset.audit import reduced_features
    from trainset.baseline import make_pipeline

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"channel": rng.choice(["web", "email", "app"], 200), "spend": rng.normal(size=200)}
    )
    pipeline = make_pipeline({"channel": "categorical", "spend": "numeric"}, bounded=True)
    features = pipeline[:-1].fit_transform(frame)
    reduced = reduced_features(pipeline, features)
    # Four columns (three one-hot, one scaled): kept as they are, no projection.
    assert reduced.shape == (200, 4) and np.allclose(reduced, features)

"""diff on crafted pairs of exports, --fail-on, the markdown cap, and review
on a temporary git repository."""

from __future__ import annotations

import hashlib
import json
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import BIN, PROJECT

from trainset.artifacts import _upstream
from trainset.diff import MARKDOWN_LIMIT, broken_rules, diff_exports, render_markdown
from trainset.errors import TrainsetError
from trainset.export import export_dataset
from trainset.load import load_all
from trainset.manifest import verify_export
from trainset.review import (
    _as_built,
    lineage_selection,
    reusable,
    review,
    summary,
    why_full,
)


@pytest.fixture(scope="module")
def base_export(sample_build, tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("TRAINSET_DB", str(sample_build.db))
    mp.setenv("DBT_TARGET_PATH", str(sample_build.target))
    path = export_dataset(PROJECT, "ticket_triage", out=tmp_path_factory.mktemp("base")).path
    mp.undo()
    return path


def rewrite(old: Path, new: Path, mutate, retype: dict | None = None) -> Path:
    """A copy of an export whose rows mutate(frame) changed, with a manifest
    that matches the new files."""
    frame, _ = load_all(old)
    manifest = json.loads((old / "manifest.json").read_text())
    frame = mutate(frame.copy())
    roles = manifest["roles"]
    roles["features"] = [f for f in roles["features"] if f in frame.columns]
    manifest["columns"] = [
        c
        for c in manifest["columns"]
        if c["name"] in frame.columns or c["role"] in ("id", "split", "as_of")
    ]
    for column in manifest["columns"]:
        column["data_type"] = (retype or {}).get(column["name"], column["data_type"])
    new.mkdir(parents=True)
    files, splits = [], {}
    for split, rows in frame.groupby("split", sort=False):
        rows = rows.sort_index().rename_axis(roles["id"])
        (new / split).mkdir()
        for kind, cols in (("features", roles["features"]), ("labels", [roles["label"]])):
            target = new / split / f"{kind}.parquet"
            rows[cols].to_parquet(target)
            files.append(
                {
                    "path": f"{split}/{kind}.parquet",
                    "bytes": target.stat().st_size,
                    "sha256": hashlib.sha256(target.read_bytes()).hexdigest(),
                }
            )
        splits[split] = {
            "rows": len(rows),
            "labels": rows[roles["label"]].value_counts().sort_index().to_dict(),
        }
    manifest.update(files=files, splits=splits)
    (new / "manifest.json").write_text(json.dumps(manifest, default=str))
    assert verify_export(new) == []
    return new


def test_diff_counts_what_was_planted(base_export, tmp_path):
    frame, _ = load_all(base_export)
    ids = sorted(frame.index)
    removed, flipped, moved, reworded = ids[:7], ids[10:15], ids[20:23], ids[30:34]

    def plant(f):
        f = f.drop(index=removed)
        f.loc[flipped, "category"] = "abuse"
        f.loc[moved, "split"] = f.loc[moved, "split"].map(
            {"train": "test", "validation": "train", "test": "train"}
        )
        f.loc[reworded, "first_message"] = "reworded"
        f.loc[f["channel"] == "web", "channel"] = "in_game"
        extra = f.iloc[:4].copy()
        extra.index = extra.index.map(lambda i: f"NEW{i}")
        return pd_concat(f, extra).drop(columns=["language"])

    new = rewrite(base_export, tmp_path / "new", plant, retype={"account_age_days": "BIGINT"})
    d = diff_exports(base_export, new)
    assert d["totals"]["added"] == 4 and d["totals"]["removed"] == 7
    expected_flips = sum(frame.loc[i, "category"] != "abuse" for i in flipped)
    assert d["labels"]["flips"] == expected_flips
    assert d["split_moves"]["rows"] == 3
    assert {e["id"] for e in d["split_moves"]["examples"]} == set(moved)
    assert d["schema"]["removed"] == ["language"]
    assert d["schema"]["retyped"] == [
        {"column": "account_age_days", "old": "INTEGER", "new": "BIGINT"}
    ]
    assert d["features"]["first_message"]["changed_values"] == 4
    shifts = {s["value"]: s for s in d["features"]["channel"]["share_shifts"]}
    assert shifts["web"]["new"] == 0 and shifts["web"]["old"] > 0
    markdown = render_markdown(d)
    assert "Rows moved to another split" in markdown
    assert markdown.count("<details>") == markdown.count("</details>")


def test_diff_reads_the_features_alone_only_where_the_rows_are_the_same(
    base_export, tmp_path, monkeypatch
):
    """Queries of features alone skip the join to the labels only when it
    changes nothing; an id that repeats (a join that fanned out, exported
    with --allow-failed-tests) keeps the joined rows, as before."""
    import duckdb

    from trainset import diff
    from trainset.scan import attach, attach_features

    frame, _ = load_all(base_export)
    flipped = sorted(frame.index)[:5]

    def flip(f):
        f.loc[flipped, "category"] = "abuse"
        return f

    def fan_out(f):
        return pd_concat(f, f.loc[sorted(f.index)[40:43]])

    pairs = {
        "features alone": (base_export, rewrite(base_export, tmp_path / "flip", flip)),
        "joined": (base_export, rewrite(base_export, tmp_path / "fan", fan_out)),
    }
    for expected, (old, new) in pairs.items():
        with duckdb.connect() as con:
            read = attach_features(con, new, attach(con, new, "new"), "new")
        assert read == ("new_features" if expected == "features alone" else "new")
        fast = diff_exports(old, new)
        with monkeypatch.context() as m:
            m.setattr(diff, "attach_features", lambda con, path, manifest, name: name)
            assert diff_exports(old, new) == fast
    # Each repeated id counts as the join counts it: two rows by two labels.
    assert diff_exports(*pairs["joined"])["new"]["rows"] == len(frame) + 3 * 3


def test_fail_on_rules(base_export, tmp_path):
    frame, _ = load_all(base_export)
    moved = sorted(frame.index)[:2]

    def move(f):
        f.loc[moved, "split"] = "validation"
        return f.drop(index=sorted(f.index)[-100:])

    d = diff_exports(base_export, rewrite(base_export, tmp_path / "new", move))
    assert broken_rules(d, ["split-moves>0"]) and not broken_rules(d, ["split-moves>5"])
    assert broken_rules(d, ["rows-removed>4%"]) and not broken_rules(d, ["rows-removed>5%"])
    assert not broken_rules(d, ["label-flips>100"])
    with pytest.raises(TrainsetError, match="bad --fail-on rule"):
        broken_rules(d, ["nonsense>1"])
    done = subprocess.run(
        [
            BIN / "trainset",
            "diff",
            str(base_export),
            str(tmp_path / "new"),
            "--fail-on",
            "split-moves>0",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1 and "split-moves>0" in done.stderr
    assert done.stdout.startswith("## trainset diff")


def _with_baseline(export: Path, folder: Path, web_f1: float) -> Path:
    """A copy of the export with a baseline.json whose test segment
    channel = web scores web_f1 (the rest as given)."""
    path = Path(shutil.copytree(export, folder))
    segments = [
        {"by": "channel", "value": "web", "rows": 46, "macro_f1": web_f1, "gap": 0.0},
        {"by": "channel", "value": "email", "rows": 40, "macro_f1": 0.93, "gap": 0.0},
        {"by": "text length", "value": "Q1", "characters": [4, 85], "rows": 48,
         "macro_f1": 0.87, "gap": 0.0},
    ]  # fmt: skip
    report = {
        "splits": {"test": {"rows": 189, "accuracy": 0.92, "macro_f1": 0.91}},
        "segments": {
            "split": "test",
            "metric": "macro_f1",
            "min_rows": 30,
            "overall": {"macro_f1": 0.91},
            "segments": segments,
        },
    }
    (path / "baseline.json").write_text(json.dumps(report))
    return path


def test_diff_shows_segment_deltas_and_fails_on_a_planted_drop(base_export, tmp_path):
    old = _with_baseline(base_export, tmp_path / "old", web_f1=0.91)
    same = _with_baseline(base_export, tmp_path / "same", web_f1=0.91)
    dropped = _with_baseline(base_export, tmp_path / "dropped", web_f1=0.71)
    d = diff_exports(old, dropped)
    found = d["baseline_segments"]
    assert found["split"] == "test" and found["metric"] == "macro_f1"
    assert found["segments"][0]["by"] == "channel" and found["segments"][0]["value"] == "web"
    assert found["segments"][0]["delta"] == pytest.approx(-0.2)
    markdown = render_markdown(d)
    assert "<summary>Baseline segments (test): macro-F1 0.910 → 0.910 over all rows; " in markdown
    assert "| channel = web | 46 → 46 | 0.9100 | 0.7100 | -0.2000 |" in markdown
    assert markdown.count("<details>") == markdown.count("</details>")
    assert broken_rules(d, ["segment-f1-drop>0.1"])
    assert not broken_rules(diff_exports(old, same), ["segment-f1-drop>0.1"])
    done = subprocess.run(
        [BIN / "trainset", "diff", str(old), str(dropped), "--fail-on", "segment-f1-drop>0.1"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1 and "segment-f1-drop>0.1" in done.stderr
    assert "channel = web" in done.stderr
    # Without a baseline beside the exports the rule cannot be read: one line, exit 2.
    done = subprocess.run(
        [BIN / "trainset", "diff", str(base_export), str(old), "--fail-on", "segment-f1-drop>0"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "needs a baseline.json" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_markdown_stays_under_the_comment_limit(base_export, tmp_path):
    def reword(f):
        f["first_message"] = f["first_message"] + " " + "x" * 300
        f["category"] = "abuse"
        return f

    d = diff_exports(base_export, rewrite(base_export, tmp_path / "new", reword))
    d["tests"]["changed"] = [
        {"test": f"t{i}" * 20, "old": "pass", "new": "fail"} for i in range(5000)
    ]
    markdown = render_markdown(d)
    assert len(markdown) <= MARKDOWN_LIMIT
    assert markdown.count("<details>") == markdown.count("</details>")


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


@pytest.fixture(scope="module")
def review_repo(tmp_path_factory):
    """A clone of the project (its base: the clone's HEAD) and a branch
    that maps CHARGE_EXPLAINED to account instead of billing."""
    repo = tmp_path_factory.mktemp("review") / "repo"
    subprocess.run(["git", "clone", "-q", str(PROJECT), str(repo)], check=True)
    base = _git(repo, "rev-parse", "HEAD")
    _git(repo, "checkout", "-qb", "move-charge-explained")
    seed = repo / "seeds" / "resolution_categories.csv"
    seed.write_text(
        seed.read_text().replace("CHARGE_EXPLAINED,billing", "CHARGE_EXPLAINED,account")
    )
    _git(repo, "commit", "-qam", "Charges are account questions")
    return repo, base


@pytest.fixture
def own_target(monkeypatch):
    """Reviews keep their base in the repository's target/, not in a
    target folder the environment names."""
    monkeypatch.delenv("DBT_TARGET_PATH", raising=False)


def review_command(repo: Path, base: str, out: Path, *dbt_args: str) -> list:
    """trainset review of repo against base, as JSON into out."""
    return [
        BIN / "trainset",
        "--project-dir",
        str(repo),
        "review",
        "--base",
        base,
        *(f"--dbt-arg={arg}" for arg in dbt_args),
        "--format",
        "json",
        "--out",
        str(out),
    ]


def comparable(result: dict) -> dict:
    """A review's diff without what differs between runs: scratch paths
    and how the sides were built."""
    result = json.loads(json.dumps(result, default=str))
    for side in ("old", "new"):
        result[side].pop("path", None)
    result.pop("review", None)
    return result


@pytest.mark.slow("review builds a git repository's base and head")
def test_review_reports_exactly_the_flipped_tickets(
    sample_build, review_repo, own_target, tmp_path
):
    repo, base = review_repo
    out = tmp_path / "review.json"
    done = subprocess.run(
        review_command(repo, base, out),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(out.read_text())
    expected = sample_build.query(
        "select count(*) from ticket_triage_v2 join int_tickets_final_resolution "
        "using (ticket_id) where resolution_code = 'CHARGE_EXPLAINED'"
    )[0][0]
    assert expected > 20
    assert result["labels"]["flips"] == expected
    assert result["labels"]["top_flips"] == [{"old": "billing", "new": "account", "rows": expected}]
    assert result["split_moves"]["rows"] == 0
    assert result["totals"]["added"] == result["totals"]["removed"] == 0
    # The head rebuilt the seed and what reads it, not the raw tables' models.
    head = result["review"]["head"]
    assert head["mode"] == "state:modified+"
    assert {"resolution_categories", "ticket_triage.v2"} <= set(head["rebuilt"])
    assert not {"base_desk__tickets", "int_tickets_first_player_message"} & set(head["rebuilt"])
    assert f"head rebuilt {len(head['rebuilt'])} models" in done.stderr
    # Tests the head did not rerun keep the base's outcome, not "not_run".
    assert result["tests"]["changed"] == []
    assert head["tests_carried_from_base"] > 0
    # Nothing left behind but the kept base: no worktree, no build output.
    worktrees = _git(repo, "worktree", "list").splitlines()
    assert len(worktrees) == 1
    assert [p.name for p in (repo / "target").iterdir()] == ["review"]
    kept = Path(result["review"]["base"]["kept_in"])
    assert kept.parent == repo / "target" / "review"
    assert not (repo / "exports").exists()
    assert _git(repo, "status", "--porcelain") == ""


@pytest.mark.slow("review builds the base and head twice, cold and reused")
def test_a_reused_base_gives_the_cold_review(review_repo, own_target):
    repo, base = review_repo
    cold = review(repo, base=base, cold=True)
    assert cold["review"]["head"]["mode"] == "full"
    assert cold["review"]["base"] == {"reused": False, "kept_in": None}
    first = review(repo, base=base)
    kept = Path(first["review"]["base"]["kept_in"])
    built_at = (kept / "target" / "run_results.json").stat().st_mtime_ns
    again = review(repo, base=base)
    assert again["review"]["base"] == {"reused": True, "kept_in": str(kept)}
    # Reused: the base was not built again, and no worktree was made.
    assert (kept / "target" / "run_results.json").stat().st_mtime_ns == built_at
    assert len(_git(repo, "worktree", "list").splitlines()) == 1
    assert comparable(again) == comparable(cold)
    assert again["labels"]["flips"] > 20


@pytest.mark.parametrize(
    ("statuses", "kept"),
    [
        ({"model.p.a": "success", "test.p.t": "pass", "operation.p.hook": "success"}, True),
        # A failing test and the model dbt skipped after it recur on every build.
        ({"model.p.a": "success", "test.p.t": "fail", "model.p.child": "skipped"}, True),
        ({"model.p.a": "success", "unit_test.p.a.u": "fail", "model.p.b": "skipped"}, True),
        ({"model.p.a": "error", "model.p.child": "skipped"}, False),
        ({"model.p.a": "success", "test.p.t": "error"}, False),
        ({"model.p.a": "success", "operation.p.hook": "error"}, False),
        ({}, False),
    ],
)
def test_a_base_is_kept_unless_its_build_errored(tmp_path, statuses, kept):
    results = [{"unique_id": u, "status": s} for u, s in statuses.items()]
    (tmp_path / "run_results.json").write_text(
        json.dumps({"metadata": {"invocation_id": "x"}, "results": results})
    )
    assert reusable(tmp_path) is kept
    assert not reusable(tmp_path / "no-build")


@pytest.mark.parametrize(
    ("versions", "excluded"),
    [
        ([(1, 2), (2, 2)], True),  # v1 is old: left out
        ([(1, 1)], False),  # one version, none old
        ([(None, None)], False),  # not versioned
        ([], False),  # not in the base: a new dataset
    ],
)
def test_the_head_rebuilds_within_the_datasets_lineage(tmp_path, versions, excluded):
    nodes = {
        f"model.p.d.v{v}": {
            "resource_type": "model",
            "name": "d",
            "version": v,
            "latest_version": latest,
            "columns": {"label": {"meta": {"role": "label"}}},
        }
        for v, latest in versions
    }
    nodes["model.p.d_other"] = {
        "resource_type": "model",
        "name": "d_other",
        "version": 1,
        "latest_version": 2,
        "columns": {"label": {"meta": {"role": "label"}}},
    }
    dbt = {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json"}
    (tmp_path / "manifest.json").write_text(json.dumps({"metadata": dbt, "nodes": nodes}))
    expected = ["--select", "state:modified+,+d"]
    if excluded:
        expected += ["--exclude", "d,version:old"]
    assert lineage_selection(tmp_path, "d") == expected


def _base_folder(tmp_path: Path, built_in: Path | None, saved: bool = True) -> Path:
    base = tmp_path / "kept"
    (base / "target").mkdir(parents=True)
    if saved:
        (base / "target" / "partial_parse.msgpack").write_bytes(b"parse")
    facts = {"base_commit": "x"} | ({"built_in": str(built_in)} if built_in else {})
    (base / "key.json").write_text(json.dumps(facts))
    return base


def test_the_head_builds_where_the_base_was_built(tmp_path):
    built_in = tmp_path / "review" / ".key-abc"
    built_in.parent.mkdir()
    base, head = _base_folder(tmp_path, built_in), tmp_path / "head"
    head.mkdir()
    with _as_built(base, head, head / "target") as home:
        assert home == built_in and home.resolve() == head.resolve()
        assert (head / "target" / "partial_parse.msgpack").read_bytes() == b"parse"
    assert not built_in.exists() and not built_in.is_symlink()
    # Taken by a review of the same base that is running: head, parsed in full.
    built_in.mkdir()
    with _as_built(base, head, tmp_path / "other-target") as home:
        assert home == head
    assert built_in.is_dir() and not (tmp_path / "other-target").exists()
    # Left by a review that was killed: its folder is gone, so it is replaced.
    built_in.rmdir()
    built_in.symlink_to(tmp_path / "gone", target_is_directory=True)
    with _as_built(base, head, head / "target") as home:
        assert home == built_in and home.resolve() == head.resolve()
    assert not built_in.is_symlink()


@pytest.mark.parametrize("saved", [True, False])
def test_a_base_without_a_saved_parse_or_its_folder_leaves_the_head_alone(tmp_path, saved):
    built_in = None if saved else tmp_path / ".key-abc"
    base, head = _base_folder(tmp_path, built_in, saved), tmp_path / "head"
    head.mkdir()
    with _as_built(base, head, head / "target") as home:
        assert home == head
    assert not (head / "target").exists()


@pytest.mark.slow("review builds a git repository's base twice")
def test_a_base_with_a_failing_test_is_kept_and_reused(review_repo, own_target):
    repo, base = review_repo
    # The sample has a few texts under two labels: no_conflicting_labels
    # fails on both versions, and dbt skips the reconciliation model after it.
    args = ["--vars", "{max_conflicting_label_fraction: 0}"]
    first = review(repo, base=base, dbt_args=args)
    kept = Path(first["review"]["base"]["kept_in"])
    statuses = {
        r["unique_id"]: r["status"]
        for r in json.loads((kept / "target" / "run_results.json").read_text())["results"]
    }
    assert "fail" in statuses.values()
    assert statuses["model.trainset.ticket_triage_reconciliation"] == "skipped"
    again = review(repo, base=base, dbt_args=args)
    assert again["review"]["base"] == {"reused": True, "kept_in": str(kept)}
    assert comparable(again) == comparable(first)
    assert again["tests"]["summary_old"].get("fail", 0) > 0


def _reached(edges: dict, start: str) -> set:
    """start and every node reached from it along edges (a manifest's
    child_map)."""
    seen, todo = {start}, [start]
    while todo:
        for node in edges.get(todo.pop(), []):
            if node not in seen:
                seen.add(node)
                todo.append(node)
    return seen


@pytest.mark.slow("review builds a git repository's base and head")
def test_a_one_model_change_rebuilds_it_and_its_children(review_repo, own_target, capfd):
    repo, base = review_repo
    review(repo, base=base)  # the base kept, if no earlier test kept it
    _git(repo, "checkout", "-q", "--detach", base)
    try:
        model = repo / "models" / "intermediate" / "desk" / "int_tickets_first_player_message.sql"
        model.write_text(model.read_text() + "\n-- a reviewed comment\n")
        capfd.readouterr()
        result = review(repo, base=base, quiet=False)
        # dbt parsed only what changed, from the base's saved parse.
        said = capfd.readouterr().out
        assert "Running with dbt" in said and "Unable to do partial parsing" not in said
        kept = Path(result["review"]["base"]["kept_in"])
        manifest = json.loads((kept / "target" / "manifest.json").read_text())
        changed = "model.trainset.int_tickets_first_player_message"
        dataset = "model.trainset.ticket_triage.v2"
        children = _reached(manifest["child_map"], changed)
        lineage = _upstream(manifest, dataset)
        # What changed and depends on it, within what the dataset reads:
        # not the other datasets downstream, nor the dataset's v1.
        expected = {
            ".".join(u.split(".")[2:])
            for u in children & lineage
            if u.split(".")[0] in ("model", "seed", "snapshot")
        }
        assert result["review"]["base"]["reused"]
        assert set(result["review"]["head"]["rebuilt"]) == expected
        assert "ticket_triage.v2" in expected and "base_desk__tickets" not in expected
        downstream = {".".join(u.split(".")[2:]) for u in children if u.startswith("model.")}
        assert {"ticket_triage.v1", "ticket_triage_reconciliation"} <= downstream - expected
        assert result["review"]["head"]["select"] == (
            "--select state:modified+,+ticket_triage --exclude ticket_triage,version:old"
        )
        # A comment changes no row, and every test keeps its outcome.
        assert result["totals"]["changed"] == result["labels"]["flips"] == 0
        assert result["tests"]["changed"] == []

        model.write_text(model.read_text().replace("\n-- a reviewed comment\n", ""))
        unchanged = review(repo, base=base)
        assert unchanged["review"]["head"]["rebuilt"] == []
        assert unchanged["review"]["head"]["nodes_run"] == 0
        assert unchanged["totals"]["changed"] == unchanged["totals"]["added"] == 0
        assert unchanged["tests"]["changed"] == []
        assert "nothing changed" in summary(unchanged)
    finally:
        _git(repo, "checkout", "-q", "--force", "move-charge-explained")


@pytest.mark.slow("review builds a git repository's base and head")
def test_an_interrupted_review_keeps_nothing_half_built(review_repo, own_target, tmp_path):
    repo, base = review_repo
    review_dir = repo / "target" / "review"
    before = sorted(review_dir.iterdir()) if review_dir.exists() else []
    # Another var: another key, so the base is being built when stopped.
    process = subprocess.Popen(
        review_command(repo, base, tmp_path / "review.json", "--vars", "{min_leak_length: 9}"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not any(p.name.startswith(".") for p in review_dir.glob("*")):
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.1)
    time.sleep(3)  # dbt is building the base
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) != 0
    assert len(_git(repo, "worktree", "list").splitlines()) == 1
    assert sorted(review_dir.iterdir()) == before
    assert _git(repo, "status", "--porcelain") == ""


@pytest.mark.slow("review builds a git repository's base and head")
def test_changes_state_selection_cannot_see_build_the_head_in_full(review_repo):
    repo, base = review_repo
    assert why_full(repo, base, []) is None
    assert why_full(repo, base, ["--select", "ticket_triage"]) == "the dbt arguments select nodes"
    project = repo / "dbt_project.yml"
    original = project.read_text()
    try:
        project.write_text(original.replace("split_salt: trainset-v1", "split_salt: other"))
        assert why_full(repo, base, []) == "dbt_project.yml's vars differ from the base's"
    finally:
        project.write_text(original)
    raw = repo / "seeds" / "desk_sample" / "players.csv"
    original = raw.read_text()
    try:
        raw.write_text(original + original.splitlines()[-1] + "\n")
        assert why_full(repo, base, []) == "the files in seeds/desk_sample differ from the base's"
    finally:
        raw.write_text(original)
    (repo / "seeds" / "desk_sample" / "purchases_extra.csv").write_text("a\n1\n")
    try:
        assert why_full(repo, base, []) == "the files in seeds/desk_sample differ from the base's"
    finally:
        (repo / "seeds" / "desk_sample" / "purchases_extra.csv").unlink()


def pd_concat(*frames):
    import pandas as pd

    return pd.concat(frames)


def test_workflow_passes_schema_check_and_zizmor():
    workflows = sorted((PROJECT / ".github" / "workflows").glob("*.yml"))
    assert workflows
    schema = subprocess.run(
        [
            BIN / "check-jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            *map(str, workflows),
        ],
        capture_output=True,
        text=True,
    )
    assert schema.returncode == 0, schema.stdout + schema.stderr
    audit = subprocess.run(
        [BIN / "zizmor", "--offline", "--min-severity", "medium", str(PROJECT / ".github")],
        capture_output=True,
        text=True,
    )
    assert audit.returncode == 0, audit.stdout + audit.stderr


@pytest.mark.slow("sqlfluff fix compiles every model with dbt (make lint lints them)")
def test_sqlfluff_fix_changes_nothing(tmp_path):
    files = subprocess.run(
        ["git", "-C", str(PROJECT), "ls-files"], capture_output=True, text=True, check=True
    ).stdout.split()
    copy = tmp_path / "project"
    for name in files:
        if (PROJECT / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PROJECT / name, copy / name)
    before = {n: (copy / n).read_bytes() for n in files if n.endswith(".sql")}
    done = subprocess.run(
        [BIN / "sqlfluff", "fix", "models", "tests", "macros"],
        cwd=copy,
        capture_output=True,
        text=True,
        env={
            **__import__("os").environ,
            "DBT_PROFILES_DIR": str(copy),
            "TRAINSET_DB": str(tmp_path / "lint.duckdb"),
        },
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    changed = [n for n, data in before.items() if (copy / n).read_bytes() != data]
    assert not changed, changed

"""diff on crafted pairs of exports, --fail-on, the markdown cap, and review
on a temporary git repository."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import BIN, PROJECT

from trainset.diff import MARKDOWN_LIMIT, broken_rules, diff_exports, render_markdown
from trainset.errors import TrainsetError
from trainset.export import export_dataset, verify_export
from trainset.load import load_all


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
    frame, manifest = load_all(old)
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


def test_review_reports_exactly_the_flipped_tickets(sample_build, tmp_path):
    repo = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", str(PROJECT), str(repo)], check=True)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "checkout", "-qb", "move-charge-explained"], check=True)
    seed = repo / "seeds" / "resolution_categories.csv"
    seed.write_text(
        seed.read_text().replace("CHARGE_EXPLAINED,billing", "CHARGE_EXPLAINED,account")
    )
    subprocess.run([*git, "commit", "-qam", "Charges are account questions"], check=True)
    out = tmp_path / "review.json"
    done = subprocess.run(
        [
            BIN / "trainset",
            "--project-dir",
            str(repo),
            "review",
            "--base",
            "main",
            "--format",
            "json",
            "--out",
            str(out),
        ],
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
    # Nothing left behind: no worktree, no build output in the repository.
    worktrees = (
        subprocess.run(["git", "-C", str(repo), "worktree", "list"], capture_output=True, text=True)
        .stdout.strip()
        .splitlines()
    )
    assert len(worktrees) == 1
    assert not (repo / "target").exists() and not (repo / "exports").exists()
    status = subprocess.run(
        ["git", "-C", str(repo), "status", "--porcelain"], capture_output=True, text=True
    ).stdout
    assert status == ""


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

"""Review a change to a dataset: build it at a base ref and in the work
tree, export both into a scratch folder, and diff them.

The base is built in a temporary git worktree with its own DuckDB file; the
work tree is built into a scratch DuckDB file and target folder. The user's
own DuckDB file, exports and work tree are never touched, and the worktree
is removed even when the review is interrupted.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from trainset.diff import diff_exports
from trainset.errors import TrainsetError
from trainset.export import export_dataset
from trainset.project import dbt_environment


def _git(project: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(project), *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise TrainsetError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def merge_base(project: Path, branch: str = "main") -> str:
    """The merge base of HEAD with main (or origin/main)."""
    for candidate in (branch, f"origin/{branch}"):
        done = subprocess.run(
            ["git", "-C", str(project), "merge-base", "HEAD", candidate],
            capture_output=True,
            text=True,
        )
        if done.returncode == 0:
            return done.stdout.strip()
    raise TrainsetError(f"no merge base with {branch}: pass --base REF")


def _build(project: Path, scratch: Path, name: str, dbt_args: list[str], quiet: bool) -> None:
    dbt = Path(sys.executable).parent / "dbt"
    env = {
        **os.environ,
        **dbt_environment(project),
        "DBT_PROFILES_DIR": str(project),
        "TRAINSET_DB": str(scratch / f"{name}.duckdb"),
        "TRAINSET_TEMP_DIR": str(scratch / f"{name}-tmp"),
    }
    env.pop("DBT_TARGET_PATH", None)
    command = [
        str(dbt),
        "build",
        "--target-path",
        str(scratch / f"{name}-target"),
        "--log-path",
        str(scratch / f"{name}-logs"),
        *dbt_args,
    ]
    done = subprocess.run(
        command, cwd=project, env=env, stdout=subprocess.DEVNULL if quiet else None
    )
    if done.returncode != 0:
        # A failing test still leaves something to compare; export decides.
        print(f"note: dbt build of the {name} side exited {done.returncode}", file=sys.stderr)


def review(
    project: Path,
    dataset: str = "ticket_triage",
    base: str | None = None,
    dbt_args: list[str] | None = None,
    with_baseline: bool = False,
    quiet: bool = False,
    on_step=None,
) -> dict:
    """Build, export and diff the dataset at base and in the work tree."""
    step = on_step or (lambda _: None)
    dbt_args = dbt_args or []
    base_ref = base or merge_base(project)
    base_commit = _git(project, "rev-parse", "--verify", f"{base_ref}^{{commit}}")
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    scratch = Path(tempfile.mkdtemp(prefix="trainset-review-"))
    worktree = scratch / "base"
    try:
        step(f"checking out {base_ref} ({base_commit[:10]})")
        _git(project, "worktree", "add", "--detach", str(worktree), base_commit)
        sides = {"base": worktree, "head": project}
        exports = {}
        for side, folder in sides.items():
            step(f"building {side}")
            _build(folder, scratch, side, dbt_args, quiet)
            step(f"exporting {side}")
            exports[side] = export_dataset(
                folder,
                dataset,
                out=scratch / f"{side}-exports",
                allow_failed_tests=True,
                dbt_target=scratch / f"{side}-target",
                db=scratch / f"{side}.duckdb",
                # A base commit older than the build record leaves none.
                record_fallback=True,
            ).path
            if with_baseline:
                from trainset.baseline import run_baseline

                step(f"baseline of {side}")
                run_baseline(exports[side])
        step("comparing")
        result = diff_exports(exports["base"], exports["head"])
        result["base_ref"] = base_ref
        result["base_commit"] = base_commit
        return result
    finally:
        subprocess.run(
            ["git", "-C", str(project), "worktree", "remove", "--force", str(worktree)],
            capture_output=True,
        )
        subprocess.run(["git", "-C", str(project), "worktree", "prune"], capture_output=True)
        import shutil

        shutil.rmtree(scratch, ignore_errors=True)
        signal.signal(signal.SIGTERM, previous)

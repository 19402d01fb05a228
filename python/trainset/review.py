"""Review a change to a dataset: build it at a base ref and in the work
tree, export both into a scratch folder, and diff them.

The base is built once per base commit and input, in a temporary git
worktree, and kept under dbt's target folder in review/<key>/ (its DuckDB
file and dbt's target folder): a later review against the same base reuses
it. The key covers the base commit, the dbt arguments, the files that
absolute paths in --vars name (names, sizes and times), the profile target
and the versions of dbt, dbt-duckdb and DuckDB. The three most recently
used base builds are kept.

The head starts from a copy of the base's DuckDB file and rebuilds only what
dbt's state selection finds changed against the base's manifest, and what
depends on it, within what the dataset's latest version is built from:
`dbt build --select state:modified+,+<dataset> --exclude <dataset>,version:old
--state <base target>`. Other datasets downstream of the change are not
rebuilt: the review exports only this one. dbt starts from the base's
saved parse, and parses only the files that changed.
The copy holds every other relation under the same database name (both
files are trainset.duckdb), so refs to unchanged models resolve in it, as
--defer would make them. Tests that the selection did not rerun read
unchanged relations: their base results are copied into the head's build
record under the head's invocation, so the export pairs the head's data with
every test's outcome. When state selection cannot see a change (the
project's vars or the raw files in the repository differ, or the dbt
arguments select nodes themselves), or the base has no build record, the
head is built in full, and the review says why.

The user's own DuckDB file, exports and work tree are never touched, and the
worktree is removed even when the review is interrupted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import yaml

from trainset.artifacts import dataset_models, default_target, read_json
from trainset.diff import diff_exports, render_markdown
from trainset.errors import TrainsetError
from trainset.export import export_dataset
from trainset.project import git, run_dbt
from trainset.record import INVOCATIONS, RUN_RESULTS, locate

# Both sides' files share this name: DuckDB names the database after the
# file, and the head's copy must keep the base's name for its views and refs.
DATABASE = "trainset.duckdb"
# dbt arguments that choose nodes: with them the head cannot add its own.
SELECTING = ("--select", "-s", "--models", "-m", "--exclude", "--selector", "--resource-type")
# How many rebuilt nodes the terminal line and the markdown name.
NAMED = 8
# How many base builds stay kept: the most recently used ones.
KEEP = 3


def merge_base(project: Path, branch: str = "main") -> str:
    """The merge base of HEAD with main (or origin/main)."""
    for candidate in (branch, f"origin/{branch}"):
        found = git(["merge-base", "HEAD", candidate], project, check=False)
        if found is not None:
            return found
    raise TrainsetError(f"no merge base with {branch}: pass --base REF")


def cache_root(project: Path) -> Path:
    """Where reviews keep their base builds: review/ in dbt's target folder."""
    return default_target(project) / "review"


def _given_vars(dbt_args: list[str]) -> dict[str, Any]:
    """The vars that --vars in the dbt arguments gives."""
    given: dict[str, Any] = {}
    for i, arg in enumerate(dbt_args):
        text = None
        if arg == "--vars" and i + 1 < len(dbt_args):
            text = dbt_args[i + 1]
        elif arg.startswith("--vars="):
            text = arg.split("=", 1)[1]
        if text is not None:
            with contextlib.suppress(yaml.YAMLError):
                given.update(yaml.safe_load(text) or {})
    return given


def _files(path: Path) -> list[list[object]]:
    """Name, size and modification time of a file, or of every file in a folder."""
    found = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return [[str(p), p.stat().st_size, p.stat().st_mtime_ns] for p in found]


def base_key(base_commit: str, dbt_args: list[str]) -> tuple[str, dict[str, Any]]:
    """The cache key of a base build, and what went into it."""
    inputs = {
        name: _files(Path(value))
        for name, value in sorted(_given_vars(dbt_args).items())
        if isinstance(value, str) and Path(value).is_absolute() and Path(value).exists()
    }
    versions: dict[str, str | None] = {}
    for package in ("dbt-core", "dbt-duckdb", "duckdb"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    facts = {
        "base_commit": base_commit,
        "dbt_args": dbt_args,
        "profile_target": os.environ.get("TRAINSET_TARGET", ""),
        "versions": versions,
        "inputs": inputs,
    }
    digest = hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()
    return digest[:16], facts


def _project_vars(text: str) -> dict[str, Any]:
    found: dict[str, Any] = (yaml.safe_load(text) or {}).get("vars") or {}
    return found


def why_full(project: Path, base_commit: str, dbt_args: list[str]) -> str | None:
    """Why state selection cannot find every change, or None when it can.

    dbt compares the nodes' SQL, configs and macros; it does not see a var
    default that changed, nor raw files that the models read through a
    path var."""
    if any(arg.split("=", 1)[0] in SELECTING for arg in dbt_args):
        return "the dbt arguments select nodes"
    base_vars = _project_vars(git(["show", f"{base_commit}:./dbt_project.yml"], project))
    head_vars = _project_vars((project / "dbt_project.yml").read_text())
    if base_vars != head_vars:
        return "dbt_project.yml's vars differ from the base's"
    for value in {**head_vars, **_given_vars(dbt_args)}.values():
        if not isinstance(value, str) or not value or Path(value).is_absolute():
            continue
        if not (project / value).exists():
            continue
        # --quiet: git fails when the files differ.
        changed = git(["diff", "--quiet", base_commit, "--", value], project, check=False) is None
        untracked = git(["ls-files", "--others", "--exclude-standard", "--", value], project)
        if changed or untracked:
            return f"the files in {value} differ from the base's"
    return None


def _build(
    project: Path, home: Path, target: Path, dbt_args: list[str], quiet: bool, side: str
) -> int:
    """dbt build of the project into home's DuckDB file (its spill folder
    beside it), with its own target folder."""
    env = {
        "DBT_PROFILES_DIR": str(project),
        "TRAINSET_DB": str(home / DATABASE),
        "TRAINSET_TEMP_DIR": str(home / "target-tmp"),
    }
    command = [
        "build",
        "--target-path",
        str(target),
        "--log-path",
        str(target.parent / f"{target.name}-logs"),
        *dbt_args,
    ]
    # In a process of its own: review's SIGTERM exit must stop dbt at once,
    # and dbt in this process would catch that exit and finish its nodes.
    done = run_dbt(command, project, env=env, unset=["DBT_TARGET_PATH"], quiet=quiet)
    if not done.ok:
        # A failing test still leaves something to compare; export decides.
        print(f"note: dbt build of the {side} side exited {done.returncode}", file=sys.stderr)
    return done.returncode


def _has_record(db: Path) -> bool:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        tables = {
            r[0] for r in con.sql("select table_name from information_schema.tables").fetchall()
        }
    return {INVOCATIONS, RUN_RESULTS} <= tables


def _ran(target: Path) -> tuple[str | None, list[dict[str, Any]]]:
    """The invocation id and the results of the build in a target folder."""
    path = target / "run_results.json"
    if not path.is_file():
        return None, []
    data = json.loads(path.read_text())
    return data["metadata"].get("invocation_id"), data.get("results") or []


def reusable(target: Path) -> bool:
    """Whether the build in a target folder can be kept for later reviews:
    it ran, and no node errored. A failing data test, and what dbt skipped
    after it, happen again on every build of the same base and raw input;
    an error (out of memory, a full disk) may not."""
    _, results = _ran(target)
    return bool(results) and not any(r["status"] == "error" for r in results)


def carry_test_results(db: Path, schema: str, base_invocation: str, head_invocation: str) -> int:
    """Copy the base's test results that the head's build did not rerun
    into the head's record, as results of the head's invocation: their
    tests read relations the head did not rebuild. The number copied."""
    import duckdb

    results = f'"{schema}".{RUN_RESULTS}'
    with duckdb.connect(str(db)) as con:
        con.execute(
            f"""
            insert into {results}
            select * replace ($head as invocation_id)
            from {results}
            where invocation_id = $base
                and resource_type in ('test', 'unit_test')
                and unique_id not in (
                    select unique_id from {results} where invocation_id = $head
                )
            """,
            {"head": head_invocation, "base": base_invocation},
        )
        row = con.fetchone()
        return int(row[0]) if row else 0


@dataclass(frozen=True)
class _Review:
    """What both sides' builds need to know."""

    project: Path
    base_commit: str
    dbt_args: list[str]
    quiet: bool
    step: Callable[[str], None]
    scratch: Path
    cold: bool
    dataset: str


def lineage_selection(base_target: Path, dataset: str) -> list[str]:
    """dbt's selection for the head: what changed and depends on it
    (state:modified+), within what the dataset is built from; dbt adds the
    tests of what it selects. Other datasets downstream of the change, and
    the dataset's older versions, are not the review's to rebuild: the
    export reads neither. The older versions are excluded only when the
    base has them: dbt warns of an --exclude that matches nothing."""
    args = ["--select", f"state:modified+,+{dataset}"]
    manifest = read_json(base_target / "manifest.json", "the base's manifest")
    versions = dataset_models(manifest).get(dataset, [])
    if any(n.get("version") != n.get("latest_version") for n in versions):
        args += ["--exclude", f"{dataset},version:old"]
    return args


def _base_build(r: _Review) -> tuple[Path, bool, bool]:
    """The folder of the base build (its DuckDB file and target folder),
    whether it was reused, and whether it is kept for later reviews."""
    project, step, scratch = r.project, r.step, r.scratch
    key, facts = base_key(r.base_commit, r.dbt_args)
    root = cache_root(project)
    kept = root / key
    if not r.cold and (kept / DATABASE).is_file() and (kept / "target" / "manifest.json").is_file():
        step(f"reusing the base build in {kept}")
        _forget_old(root, kept)
        return kept, True, True
    # Built beside the kept ones, so that keeping it is a rename.
    building = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=_mkdir(root)))
    worktree = scratch / "base"
    try:
        step(f"checking out the base ({r.base_commit[:10]})")
        git(["worktree", "add", "--detach", str(worktree), r.base_commit], project)
        step("building the base")
        _build(worktree, building, building / "target", r.dbt_args, r.quiet, "base")
        for leftover in ("target-tmp", "target-logs"):
            shutil.rmtree(building / leftover, ignore_errors=True)
        # built_in: the folder dbt saw, which the head's build borrows.
        facts = {**facts, "built_in": str(building)}
        (building / "key.json").write_text(json.dumps(facts, indent=2) + "\n")
        if reusable(building / "target") and not r.cold:
            # Two reviews may build the same base at once: the first one kept wins.
            with contextlib.suppress(OSError):
                building.rename(kept)
            if (kept / DATABASE).is_file():
                _forget_old(root, kept)
                return kept, False, True
        # A cold base, or one whose build errored, is used once.
        moved = scratch / "base-build"
        shutil.move(building, moved)
        return moved, False, False
    finally:
        shutil.rmtree(building, ignore_errors=True)
        git(["worktree", "remove", "--force", str(worktree)], project, check=False)
        git(["worktree", "prune"], project, check=False)


def _forget_old(root: Path, used: Path) -> None:
    """Mark used as the newest kept base, and remove all but the KEEP newest."""
    os.utime(used)
    kept = sorted(
        (p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in kept[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def _as_built(base: Path, head: Path, target: Path) -> Iterator[Path]:
    """The folder the head's dbt builds in: head itself, or, when the base
    left its parse behind, a link to head at the path the base was built
    in. dbt then parses only the files that changed since the base (a full
    parse of the project takes about 10 s): it keeps a saved parse only for
    the same connection, and DuckDB's path and spill folder are part of it.
    Two reviews of one base at once: the second finds the link taken and
    parses in full."""
    saved = base / "target" / "partial_parse.msgpack"
    try:
        built_in = Path(json.loads((base / "key.json").read_text())["built_in"])
    except (OSError, ValueError, KeyError):
        built_in = None
    if built_in is None or not saved.is_file():
        yield head
        return
    # A link whose folder is gone was left by a review that was killed.
    if built_in.is_symlink() and not built_in.exists():
        built_in.unlink(missing_ok=True)
    try:
        built_in.symlink_to(head, target_is_directory=True)
    except OSError:
        yield head
        return
    try:
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(saved, target / saved.name)
        yield built_in
    finally:
        built_in.unlink(missing_ok=True)


def _head_build(r: _Review, base: Path) -> dict[str, Any]:
    """Build the work tree into scratch/head: state:modified+ within the
    dataset's lineage on a copy of the base, or everything when state
    selection cannot be trusted."""
    project, step, dbt_args = r.project, r.step, r.dbt_args
    head = _mkdir(r.scratch / "head")
    db, target = head / DATABASE, head / "target"
    reason = "the review is cold" if r.cold else why_full(project, r.base_commit, dbt_args)
    selection: list[str] = []
    if reason is None and not _has_record(base / DATABASE):
        reason = "the base commit predates the build record"
    if reason is None:
        step("copying the base's database")
        shutil.copyfile(base / DATABASE, db)
        if (base / f"{DATABASE}.wal").is_file():
            shutil.copyfile(base / f"{DATABASE}.wal", head / f"{DATABASE}.wal")
        selection = lineage_selection(base / "target", r.dataset)
        args = [*dbt_args, *selection, "--state", str(base / "target")]
        # An incremental model that changed is rebuilt whole, as the base's was.
        if "--full-refresh" not in args:
            args.append("--full-refresh")
        step("building what changed at the head")
    else:
        args = dbt_args
        step(f"building the head in full ({reason})")
    # A full build keeps its own parse: what it builds differs from the base's.
    with _as_built(base, head, target) if reason is None else contextlib.nullcontext(head) as home:
        _build(project, home, target, args, r.quiet, "head")
    head_invocation, results = _ran(target)
    carried = 0
    if reason is None and head_invocation and results:
        base_invocation, _ = _ran(base / "target")
        schema = locate(project, dbt_target=target, db=db).schema
        # Without the base's invocation id there is nothing to carry.
        if base_invocation:
            carried = carry_test_results(db, schema, base_invocation, head_invocation)
    rebuilt = sorted(
        ".".join(node["unique_id"].split(".")[2:])
        for node in results
        if node["unique_id"].split(".")[0] in ("model", "seed", "snapshot")
    )
    return {
        "mode": "full" if reason else "state:modified+",
        "select": None if reason else " ".join(selection),
        "why_full": reason,
        "rebuilt": rebuilt,
        "nodes_run": len(results),
        "tests_carried_from_base": carried,
        "db": db,
        "target": target,
    }


def review(
    project: Path,
    dataset: str = "ticket_triage",
    base: str | None = None,
    dbt_args: list[str] | None = None,
    with_baseline: bool = False,
    quiet: bool = False,
    on_step: Callable[[str], None] | None = None,
    cold: bool = False,
) -> dict[str, Any]:
    """Build (or reuse), export and diff the dataset at base and in the work
    tree. cold builds both sides in full and keeps nothing, as reviews did
    before the base was kept: the reference a reused base must match."""
    step = on_step or (lambda _: None)
    dbt_args = dbt_args or []
    base_ref = base or merge_base(project)
    base_commit = git(["rev-parse", "--verify", f"{base_ref}^{{commit}}"], project)
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    scratch = Path(tempfile.mkdtemp(prefix="trainset-review-"))
    try:
        run = _Review(project, base_commit, dbt_args, quiet, step, scratch, cold, dataset)
        built, reused, kept = _base_build(run)
        head = _head_build(run, built)
        sides = {
            "base": (project, built / DATABASE, built / "target"),
            "head": (project, head["db"], head["target"]),
        }
        exports = {}
        for side, (folder, db, target) in sides.items():
            step(f"exporting {side}")
            exports[side] = export_dataset(
                folder,
                dataset,
                out=scratch / f"{side}-exports",
                allow_failed_tests=True,
                dbt_target=target,
                db=db,
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
        result["review"] = {
            "base": {"reused": reused, "kept_in": str(built) if kept else None},
            "head": {k: v for k, v in head.items() if k not in ("db", "target")},
        }
        return result
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        signal.signal(signal.SIGTERM, previous)


def summary(result: dict[str, Any]) -> str:
    """One line: whether the base was reused, and what the head rebuilt."""
    base, head = result["review"]["base"], result["review"]["head"]
    commit = result["base_commit"][:10]
    if base["reused"]:
        said = f"base {commit} reused ({Path(base['kept_in']).name})"
    elif base["kept_in"]:
        said = f"base {commit} built and kept ({Path(base['kept_in']).name})"
    else:
        said = f"base {commit} built, not kept"
    rebuilt = head["rebuilt"]
    if head["mode"] == "full":
        return f"{said}; head built in full ({len(rebuilt)} models) because {head['why_full']}"
    if not rebuilt:
        return (
            f"{said}; head: nothing changed (state:modified+ selected nothing), so it is the base"
        )
    names = ", ".join(rebuilt[:NAMED]) + (
        f" and {len(rebuilt) - NAMED} more" if len(rebuilt) > NAMED else ""
    )
    within = result["new"]["dataset"]
    return f"{said}; head rebuilt {len(rebuilt)} models (state:modified+,+{within}): {names}"


def render_review(result: dict[str, Any], broken: list[str] | None = None) -> str:
    """The diff's markdown, with the summary line under its heading. The
    line is short: it fits between the diff's cap and GitHub's limit."""
    heading, _, rest = render_markdown(result, broken).partition("\n")
    return f"{heading}\n\n_{summary(result)}_\n{rest}"

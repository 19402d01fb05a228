"""The scale benchmark: ticket_triage v2 at 100k, 1M and 10M tickets.

For each size, on one generated desk (Parquet), in one run:
  generate   trainset sample (set-based, DuckDB)
  models     dbt build of the models only (staging and quarantine included)
  export     trainset export --format parquet
  write      bench/write.py: DuckDB's own sorted write of the same rows into
             one Parquet file, the ceiling the export's rate is read against
  tests      dbt test: every data and unit test
  near-dups  dbt test --threads 1 of the two near-duplicate tests alone:
             their own cost, against the models'
  floor      bench/floor.sql: v2 in one hand-written DuckDB statement
  compiled   the project's compiled model SQL, run in one DuckDB connection
  pandas     bench/pandas_v2.py
  plain      bench/pandas_v2.py --plain: the same script without quarantine
  delta      (1M only) an incremental build after a 1% delta of new tickets

Up to 1M tickets the steps that the ratio targets compare (models, the
near-duplicate tests, floor, compiled, pandas, plain) run --repeat times
(default 3), interleaved in rounds: on a shared machine one run of each can
move a ratio by a third. Each step reports its median; each ratio is the
median of the rounds' own ratios, with their range.

and then the commands that look at the export (the "commands" section):
  profile    trainset profile
  diff       trainset diff against a copy with 1% of labels changed
  baseline   trainset baseline (a sample of at most 200,000 training rows)
  audit      trainset audit (a sample of at most 100,000 training rows)
  review     trainset review --base HEAD in a clone of the project: first
             unchanged (review-base: the base built and kept), then with one
             intermediate model edited (review: the kept base reused, the
             model and its children rebuilt), each exported and diffed
             (capped at twice the size's models and tests, the others at 420 s)

Every step runs in its own process; its wall time and peak resident memory
(from wait4) are recorded. The ratios the targets name are printed and
written with a table and a chart into docs/benchmarks.md, between the
generated-block markers; the prose around them is kept.

    python bench/run.py [--small] [--sizes 100000,1000000] [--work DIR]
        [--repeat 3] [--skip compiled,pandas,...] [--merge RESULTS_JSON ...]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from trainset.project import dbt_command, dbt_environment, git
from trainset.record import runs_from_run_results

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DOC = PROJECT / "docs" / "benchmarks.md"
CHART = PROJECT / "docs" / "benchmarks.png"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
SIZES = (100_000, 1_000_000, 10_000_000)
SMALL = (100_000, 1_000_000)
MEMORY_LIMIT = "4GB"
# The commands' own DuckDB connections: room for Python beside them in 4 GB.
COMMAND_MEMORY_LIMIT = "3GB"
COMMAND_TIMEOUT = 420
# A review's base side builds and tests the whole project, so its cap is
# this many times the size's own models and tests: measured at 10M, where
# the fixed cap would only give a lower bound, and stopped if it hangs.
REVIEW_TIMEOUT_BUILDS = 2
# A one-model change's review at 1M, as a share of build + export + diff.
REVIEW_SHARE = 0.40
# Steps and commands left out with --skip (a 10M run without the ones
# that have no target there, or that run out of memory).
SKIP: set[str] = set()
SKIPPABLE = ("near-duplicates", "compiled", "pandas", "plain", "baseline", "audit", "review")
# Rounds of the compared steps (--repeat), at the sizes up to this one; a
# 10M round costs about ten minutes.
REPEAT = 3
REPEAT_UP_TO = 1_000_000


def wanted(name: str, size: Size) -> bool:
    if name in SKIP:
        size.skipped.append(name)
        return False
    return True


# The near-duplicate tests together, as a share of the models' build (issue 18).
NEAR_DUPLICATE_TESTS = ("no_cross_split_near_duplicates", "no_near_conflicting_labels")
NEAR_DUPLICATE_SHARE = 0.30
# (command, tickets): (seconds at most, peak MB at most or None), from issue 16.
COMMAND_TARGETS = {
    ("profile", 1_000_000): (60, 4096),
    ("profile", 10_000_000): (300, 4096),
    ("diff", 10_000_000): (120, 4096),
    ("baseline", 1_000_000): (180, None),
    ("audit", 1_000_000): (300, None),
}


def models_build(vars_: dict) -> list:
    """dbt build of the models alone: no data tests, no unit tests."""
    return dbt_command(
        ["build", "--exclude-resource-type", "test", "unit_test", "--vars", json.dumps(vars_)]
    )


def generate_command(raw: Path, tickets: int) -> list:
    """trainset sample: a set-based desk of that size, in Parquet."""
    return [
        BIN / "trainset",
        "sample",
        "--out",
        raw,
        "--tickets",
        tickets,
        "--format",
        "parquet",
        "--engine",
        "duckdb",
    ]


def export_command(out: Path) -> list:
    """trainset export of ticket_triage's latest version in Parquet, tests or not."""
    return [
        BIN / "trainset",
        "export",
        "ticket_triage",
        "--format",
        "parquet",
        "--allow-failed-tests",
        "--out",
        out,
    ]


@dataclass
class Step:
    name: str
    seconds: float
    peak_mb: float
    ok: bool
    note: str = ""
    # Sampled RSS of the process and its descendants: Spark's JVM is a
    # grandchild that wait4 does not count.
    tree_peak_mb: float = 0.0
    # Each round's seconds when the step ran more than once (seconds is
    # then their median).
    runs: list[float] = field(default_factory=list)


def again(first: Step | None, then: Step) -> Step:
    """A step run once more: the median of its rounds, the highest peak."""
    if first is None:
        return then
    runs = (first.runs or [first.seconds]) + [then.seconds]
    return Step(
        first.name,
        statistics.median(runs),
        max(first.peak_mb, then.peak_mb),
        first.ok and then.ok,
        first.note or then.note,
        max(first.tree_peak_mb, then.tree_peak_mb),
        runs,
    )


@dataclass
class Size:
    tickets: int
    rows: int = 0
    steps: dict[str, Step] = field(default_factory=dict)
    commands: dict[str, Step] = field(default_factory=dict)
    dbt_models_seconds: float = 0.0
    dbt_tests_seconds: float = 0.0
    near_duplicate_seconds: float = 0.0
    # Each round's dbt timing when the models ran more than once; the
    # seconds above are then their medians.
    dbt_models_runs: list[float] = field(default_factory=list)
    near_duplicate_runs: list[float] = field(default_factory=list)
    floor_matches: bool | None = None
    # When and at which commit this size ran (a merged report mixes runs),
    # and the steps and commands --skip left out.
    started: str = ""
    commit: str = ""
    skipped: list[str] = field(default_factory=list)


def run(
    name: str, command: list, log: Path, env: dict | None = None, timeout: float = 3600
) -> Step:
    """Run command in its own process; its wall time and peak RSS."""
    print(f"  {name:<9} {' '.join(str(c) for c in command)[:110]}", flush=True)
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(c) for c in command],
            cwd=PROJECT,
            env={**os.environ, **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        deadline = started + timeout
        tree_peak = 0
        timed_out = False
        while True:
            tree_peak = max(tree_peak, tree_rss(process.pid))
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                # SIGTERM first: review removes its worktree, and Python's
                # subprocess.run stops the dbt it started.
                timed_out = True
                pid, status, usage = stop(process.pid)
                break
            time.sleep(0.05)
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    note = ""
    if timed_out:
        note = f"stopped after {timeout:.0f} s"
    elif code < 0:
        note = f"killed by signal {-code}" + (" (out of memory?)" if code == -9 else "")
    elif code:
        last = (log.read_text(errors="replace").strip().splitlines() or [""])[-1]
        # dbt colours its log even into a file.
        note = f"exit {code}: " + re.sub(r"\x1b\[[0-9;]*m", "", last)[:120]
    step = Step(name, seconds, usage.ru_maxrss / 1024, code == 0, note, tree_peak / 2**20)
    print(
        f"  {'':<9} {seconds:7.1f} s  {step.peak_mb:7.0f} MB  {'ok' if step.ok else note}",
        flush=True,
    )
    return step


def stop(pid: int, grace: float = 60) -> tuple:
    """SIGTERM, then SIGKILL after grace seconds; wait4's result. (os.kill,
    not Popen's methods: those reap the child before wait4 can.)"""
    os.kill(pid, signal.SIGTERM)
    until = time.perf_counter() + grace
    while True:
        done = os.wait4(pid, os.WNOHANG)
        if done[0]:
            return done
        if time.perf_counter() > until:
            os.kill(pid, signal.SIGKILL)
            return os.wait4(pid, 0)
        time.sleep(0.1)


def tree_rss(pid: int) -> int:
    """Bytes resident in a process and all of its descendants, now."""
    import psutil

    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            total += process.memory_info().rss
    return total


def dbt_env(work: Path) -> dict:
    return {
        **dbt_environment(PROJECT),
        "DBT_PROFILES_DIR": str(PROJECT),
        "TRAINSET_DB": str(work / "trainset.duckdb"),
        "DBT_TARGET_PATH": str(work / "target"),
        "TRAINSET_TEMP_DIR": str(work / "duckdb_tmp"),
        "TRAINSET_MEMORY_LIMIT": MEMORY_LIMIT,
    }


def elapsed(work: Path) -> float:
    return json.loads((work / "target" / "run_results.json").read_text())["elapsed_time"]


def tests_elapsed(run_results: Path, names: tuple[str, ...]) -> float:
    """dbt's elapsed time of a run_results.json whose results are all tests
    of these generic tests (a test's unique_id starts with its generic
    test's name), whatever their status; 0 for any other run."""
    prefixes = tuple(f"test.trainset.{name}_" for name in names)
    got = json.loads(run_results.read_text())
    results = [r for r in got["results"] if r["unique_id"].startswith("test.")]
    if not results or not all(r["unique_id"].startswith(prefixes) for r in results):
        return 0.0
    return got["elapsed_time"]


def findings(step: Step, run_results: Path) -> Step:
    """A tests step in which dbt ran every test to its end and some found rows:
    its time is the whole cost, and the failures are findings in the generated
    desk, not a broken run. A test that could not run (an error, a crash, no
    run_results of this run) or a failing unit test still fails the step."""
    if step.ok or not step.note.startswith("exit 1:") or not run_results.exists():
        return step
    runs = runs_from_run_results(run_results)
    data = [r for r in runs if r.resource_type == "test"]
    units = [r for r in runs if r.resource_type == "unit_test"]
    # The project's on-run-end hook (the build record) is an operation.
    hooks = [r for r in runs if r.resource_type == "operation"]
    # Only a data test can find rows; a unit test that fails is broken logic.
    if len(data) + len(units) + len(hooks) != len(runs):
        return step
    if any(r.status != "pass" for r in units) or any(r.status != "success" for r in hooks):
        return step
    if any(r.status not in ("pass", "warn", "fail") for r in data):
        return step
    found = [r for r in data if r.status == "fail"]
    if not found:
        return step
    names = ", ".join(f"{r.name.split('__')[0]} ({r.failures:,} rows)" for r in found)
    return replace(step, ok=True, note=f"found by {len(found)} test(s), none errored: {names}")


def bench_size(tickets: int, root: Path, small_checks: bool, repeat: int = 1) -> Size:
    print(f"{tickets:,} tickets", flush=True)
    size = Size(tickets)
    size.started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    size.commit = git(["rev-parse", "--short", "HEAD"], PROJECT)
    work = root / str(tickets)
    shutil.rmtree(work, ignore_errors=True)
    raw, logs = work / "raw", work / "logs"
    env = dbt_env(work)
    vars_ = {"raw_dir": str(raw)}

    s = size.steps
    s["generate"] = run("generate", generate_command(raw, tickets), logs / "generate.log")
    rounds = repeat if tickets <= REPEAT_UP_TO else 1
    for i in range(rounds):
        tag = f" ({i + 1}/{rounds})" if rounds > 1 else ""
        if tag:
            print(f"  round{tag}", flush=True)
        bench_models(work, raw, logs, env, vars_, size)
        if i == 0:
            s["export"] = run("export", export_command(work / "exports"), logs / "export.log", env)
            # What the engine's writer alone does with the same rows: the
            # ceiling the export's rate is read against.
            s["write"] = run(
                "write",
                [
                    sys.executable,
                    PROJECT / "bench" / "write.py",
                    work / "trainset.duckdb",
                    work / "write.parquet",
                    MEMORY_LIMIT,
                ],
                logs / "write.log",
            )
            (work / "write.parquet").unlink(missing_ok=True)
            # Tests after the export: the export's gate reads the models' run.
            s["tests"] = run(
                "tests",
                dbt_command(["test", "--vars", json.dumps(vars_)]),
                logs / "tests.log",
                env,
            )
            if (work / "target" / "run_results.json").exists():
                s["tests"] = findings(s["tests"], work / "target" / "run_results.json")
                size.dbt_tests_seconds = elapsed(work)
        bench_compared(work, raw, logs, env, vars_, size)
        if i == 0:
            size.rows = count_rows(work / "trainset.duckdb")
    if s["export"].ok:
        size.commands = bench_commands(work, raw, logs, env, size)
    if small_checks and s["floor"].ok:
        size.floor_matches = same_rows(work / "floor.parquet", work / "trainset.duckdb")
        print(f"  the floor gives the dbt build's rows: {size.floor_matches}", flush=True)
    if tickets == 1_000_000:
        s["delta"] = bench_delta(work, raw, logs, env)
    shutil.rmtree(raw, ignore_errors=True)
    for path in (work / "compiled", work / "duckdb_tmp", work / "exports"):
        shutil.rmtree(path, ignore_errors=True)
    return size


def bench_models(work: Path, raw: Path, logs: Path, env: dict, vars_: dict, size: Size) -> None:
    """One round of the models' build, with dbt's own timing of it."""
    s = size.steps
    step = run("models", models_build(vars_), logs / "models.log", env)
    s["models"] = again(s.get("models"), step)
    if step.ok:
        size.dbt_models_runs.append(elapsed(work))
        size.dbt_models_seconds = statistics.median(size.dbt_models_runs)
        shutil.copy(work / "target" / "run_results.json", work / "models_run_results.json")


def bench_compared(work: Path, raw: Path, logs: Path, env: dict, vars_: dict, size: Size) -> None:
    """One round of the steps that the ratio targets compare with the models."""
    s, py = size.steps, sys.executable
    # The near-duplicate tests again, alone and one at a time: their own
    # cost. Inside the tests step each shares the cores with another test,
    # so its execution_time counts the other's work too.
    if wanted("near-duplicates", size):
        run(
            "near-duplicates",
            dbt_command(
                ["test", "--threads", "1", "--vars", json.dumps(vars_), "--select"]
                + [f"test_name:{name}" for name in NEAR_DUPLICATE_TESTS]
            ),
            logs / "near_duplicates.log",
            env,
        )
        # A warning or an error is a verdict, not a failed step: the time counts.
        if (work / "target" / "run_results.json").exists():
            seconds = tests_elapsed(work / "target" / "run_results.json", NEAR_DUPLICATE_TESTS)
            if seconds:
                size.near_duplicate_runs.append(seconds)
                size.near_duplicate_seconds = statistics.median(size.near_duplicate_runs)
    s["floor"] = again(
        s.get("floor"),
        run(
            "floor",
            [py, PROJECT / "bench" / "floor.py", raw, work / "floor.parquet"],
            logs / "floor.log",
        ),
    )
    # The models' compiled SQL from the models run (dbt test recompiled
    # the tests into the same target; the models' files are still there).
    if wanted("compiled", size):
        s["compiled"] = again(
            s.get("compiled"),
            run(
                "compiled",
                [
                    py,
                    PROJECT / "bench" / "compiled.py",
                    work / "target",
                    work / "models_run_results.json",
                    work / "compiled" / "trainset.duckdb",
                ],
                logs / "compiled.log",
            ),
        )
    for name, flags in (("pandas", []), ("plain", ["--plain"])):
        if wanted(name, size):
            s[name] = again(
                s.get(name),
                run(
                    name,
                    [py, PROJECT / "bench" / "pandas_v2.py", raw, work / f"{name}.parquet", *flags],
                    logs / f"{name}.log",
                ),
            )


def bench_commands(work: Path, raw: Path, logs: Path, env: dict, size: Size) -> dict[str, Step]:
    """The commands that look at the export, each in its own process."""
    version = work / "exports" / "ticket_triage" / "v2"
    flipped = work / "flipped"
    trainset = BIN / "trainset"
    env = {**env, "TRAINSET_MEMORY_LIMIT": COMMAND_MEMORY_LIMIT}
    run(
        "flip",
        [sys.executable, PROJECT / "bench" / "flip_labels.py", version, flipped, "0.01"],
        logs / "flip.log",
    )
    vars_ = json.dumps({"raw_dir": str(raw)})
    commands = {
        "profile": [trainset, "profile", version, "--out", work / "profile.html"],
        "diff": [trainset, "diff", version, flipped, "--format", "json", "--out", work / "d.json"],
        "baseline": [trainset, "baseline", version],
        "audit": [trainset, "audit", version],
    }
    commands = {name: command for name, command in commands.items() if wanted(name, size)}
    # A command far past its target is stopped and marked missed, so that
    # one slow command cannot hold up the sizes after it.
    steps = {
        name: run(name, command, logs / f"{name}.log", env, timeout=COMMAND_TIMEOUT)
        for name, command in commands.items()
    }
    shutil.rmtree(flipped, ignore_errors=True)
    if wanted("review", size):
        steps.update(bench_review(work, vars_, logs, env, review_timeout(size)))
    return steps


# The model a review's one-model change edits: upstream of both datasets
# (the target's case). Then, reported beside it, a change to the dataset's
# own model: the reach of most dataset changes.
REVIEWED_MODEL = Path("models/intermediate/desk/int_tickets_first_player_message.sql")
REVIEWED_DATASET = Path("models/datasets/ticket_triage_v2.sql")


def review_timeout(size: Size) -> float:
    """The review's cap at this size: twice the models and tests it
    measured (a review builds and tests the base once, then the head's
    share of it), never under the other commands' cap."""
    build = sum(size.steps[name].seconds for name in ("models", "tests") if name in size.steps)
    return max(COMMAND_TIMEOUT, REVIEW_TIMEOUT_BUILDS * build)


def bench_review(
    work: Path, vars_: str, logs: Path, env: dict, timeout: float = COMMAND_TIMEOUT
) -> dict[str, Step]:
    """trainset review in a clone of the project: unchanged (the base is
    built and kept under the target folder), then with one intermediate
    model edited (the kept base reused; the model and what depends on it,
    within the dataset's lineage, rebuilt)."""
    clone = work / "review-repo"
    shutil.rmtree(clone, ignore_errors=True)
    git(["clone", "-q", str(PROJECT), str(clone)], PROJECT)

    def review(out: str) -> list:
        return [
            BIN / "trainset",
            "--project-dir",
            clone,
            "review",
            "ticket_triage",
            "--base",
            "HEAD",
            "--dbt-arg=--vars",
            f"--dbt-arg={vars_}",
            "--format",
            "json",
            "--out",
            work / out,
        ]

    steps = {}
    steps["review-base"] = run(
        "review-base", review("review-base.json"), logs / "review-base.log", env, timeout
    )
    for name, edited in (("review", REVIEWED_MODEL), ("review-dataset", REVIEWED_DATASET)):
        # One edit at a time: the work tree back to the base, then this model.
        git(["checkout", "-q", "--", "."], clone)
        model = clone / edited
        model.write_text(model.read_text() + "\n-- a one-model change for the benchmark\n")
        steps[name] = run(name, review(f"{name}.json"), logs / f"{name}.log", env, timeout)
        if steps[name].ok:
            done = json.loads((work / f"{name}.json").read_text())["review"]
            rebuilt = done["head"]["rebuilt"]
            steps[name].note = f"{len(rebuilt)} models rebuilt"
            if kept := done["base"]["kept_in"]:
                share = downstream_share(Path(kept) / "target", rebuilt)
                steps[name].note += (
                    f", which with their tests take {share:.0%} of the base build's "
                    "dbt execution time"
                )
    shutil.rmtree(clone, ignore_errors=True)
    return steps


def downstream_share(base_target: Path, rebuilt: list[str]) -> float:
    """The share of a build's summed execution time spent on these models
    (named as a review names them) and on every test that reads one of
    them: what a rebuild of them costs at the least."""
    results = json.loads((base_target / "run_results.json").read_text())["results"]
    nodes = json.loads((base_target / "manifest.json").read_text())
    parents = {
        uid: set(node.get("depends_on", {}).get("nodes", []))
        for kind in ("nodes", "unit_tests")
        for uid, node in nodes.get(kind, {}).items()
    }
    wanted = set(rebuilt)
    models = {
        r["unique_id"]
        for r in results
        if r["unique_id"].startswith("model.") and ".".join(r["unique_id"].split(".")[2:]) in wanted
    }
    total = sum(r["execution_time"] for r in results)
    spent = sum(
        r["execution_time"]
        for r in results
        if r["unique_id"] in models
        or (
            r["unique_id"].startswith(("test.", "unit_test."))
            and parents.get(r["unique_id"], set()) & models
        )
    )
    return spent / total if total else 0.0


def command_targets(sizes: dict[int, Size]) -> list[tuple[int, str, str, str, bool | None]]:
    """(tickets, command, target, measured, met) for every command run."""
    out = []
    for n, size in sizes.items():
        for name, step in size.commands.items():
            measured = f"{step.seconds:.1f} s, {step.peak_mb:,.0f} MB"
            target = COMMAND_TARGETS.get((name, n))
            if not step.ok:
                out.append((n, name, _target_text(target), f"{measured}; {step.note}", False))
            elif target:
                seconds, mb = target
                met = step.seconds <= seconds and (mb is None or step.peak_mb <= mb)
                out.append((n, name, _target_text(target), measured, met))
            elif name in ("review", "review-dataset") and n == 1_000_000:
                whole = sum(
                    size.steps[k].seconds for k in ("models", "tests", "export") if k in size.steps
                ) + (size.commands["diff"].seconds if "diff" in size.commands else 0)
                share = step.seconds / whole
                # The target is judged on the shared intermediate's edit;
                # the dataset model's is reported beside it.
                judged = name == "review"
                out.append(
                    (
                        n,
                        name,
                        "a one-model change ≤ 40% of build + export + diff"
                        if judged
                        else "(report: the dataset's own model edited)",
                        f"{measured}; one-model change, base reused ({step.note}): "
                        f"{share:.0%} of build + export + diff ({whole:.0f} s)",
                        share <= REVIEW_SHARE if judged else None,
                    )
                )
            else:
                out.append((n, name, "(report)", measured, None))
    return out


def _target_text(target: tuple | None) -> str:
    if not target:
        return "(report)"
    seconds, mb = target
    return f"≤ {seconds} s" + (f", ≤ {mb / 1024:.0f} GB" if mb else "")


def bench_delta(work: Path, raw: Path, logs: Path, env: dict) -> Step:
    """An incremental history, then a 1% delta of new tickets on top."""
    history, delta = work / "history", work / "delta"
    run(
        "delta-gen",
        [sys.executable, PROJECT / "bench" / "delta.py", raw, history, delta, "0.01"],
        logs / "delta-gen.log",
    )
    inc = {**env, "TRAINSET_DB": str(work / "incremental.duckdb")}
    first = run(
        "history",
        models_build({"raw_dir": str(history), "incremental": True}),
        logs / "history.log",
        inc,
    )
    step = run(
        "delta",
        models_build({"raw_dir": str(delta), "incremental": True}),
        logs / "delta.log",
        inc,
    )
    step.note = step.note or f"history build {first.seconds:.1f} s"
    shutil.rmtree(history, ignore_errors=True)
    shutil.rmtree(delta, ignore_errors=True)
    return step


def count_rows(db: Path) -> int:
    """Rows of the built v2; 0 when the build left none."""
    import duckdb

    try:
        with duckdb.connect(str(db), read_only=True) as con:
            return con.sql("select count(*) from ticket_triage_v2").fetchall()[0][0]
    except (duckdb.Error, OSError):
        return 0


def same_rows(floor: Path, db: Path) -> bool:
    """The floor statement and the dbt build give the same v2."""
    import duckdb
    from same import differing_rows

    with duckdb.connect(str(db), read_only=True) as con:
        return differing_rows(con, "ticket_triage_v2", f"read_parquet('{floor}')") == 0


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    except OSError:
        mem = 0
    import dbt.version
    import duckdb
    import pandas

    return (
        f"{platform.machine()}, {os.cpu_count()} cores ({cpu}), {mem:.0f} GB RAM, "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}, dbt-core {dbt.version.__version__}, "
        f"pandas {pandas.__version__}; DuckDB memory_limit {MEMORY_LIMIT}"
    )


def round_ratio(a: list[float], b: list[float], percent: bool = False) -> tuple[float, str]:
    """a over b: the median of the rounds' own ratios when both ran in the
    same rounds (a slow spell slows both sides of a round), else the ratio
    of the medians; and as text, with the rounds' range."""
    if len(a) == len(b) > 1:
        each = sorted(x / y for x, y in zip(a, b, strict=True))
        r = statistics.median(each)
    else:
        each, r = [], statistics.median(a) / statistics.median(b)

    def text(x: float) -> str:
        return f"{x:.0%}" if percent else f"{x:.2f}×"

    if not each:
        return r, text(r)
    return r, f"{text(r)} (median of {len(each)} rounds: {text(each[0])} to {text(each[-1])})"


def ratios(sizes: dict[int, Size]) -> list[tuple[str, str, float | None, bool | None]]:
    """(target, measured as text, value, met) for each target of issue 8."""
    out = []

    def t(size: int, step: str) -> float | None:
        got = sizes.get(size)
        if not got or step not in got.steps or not got.steps[step].ok:
            return None
        return got.steps[step].seconds

    def paired(n: int, a: str, b: str) -> tuple[float, str] | None:
        """a's time over b's at n tickets, and its text (with the rounds')."""
        if t(n, a) is None or t(n, b) is None:
            return None
        steps = sizes[n].steps
        return round_ratio(steps[a].runs or [steps[a].seconds], steps[b].runs or [steps[b].seconds])

    for n in (1_000_000, 10_000_000):
        if got := paired(n, "models", "floor"):
            r, text = got
            out.append((f"models ≤ 2.5× the floor at {n:,}", text, r, r <= 2.5))
    if got := paired(1_000_000, "models", "compiled"):
        r, text = got
        out.append(("models ≤ 1.2× the raw compiled SQL at 1,000,000", text, r, r <= 1.2))
    if got := paired(1_000_000, "pandas", "models"):
        r, text = got
        steps = sizes[1_000_000].steps
        mem = steps["models"].peak_mb < steps["pandas"].peak_mb
        out.append(
            (
                "models ≥ 2.5× faster than pandas at 1,000,000, with less memory",
                f"{text} faster; {steps['models'].peak_mb:,.0f} MB vs "
                f"{steps['pandas'].peak_mb:,.0f} MB",
                r,
                r >= 2.5 and mem,
            )
        )
    for n in (1_000_000, 10_000_000):
        models = t(n, "models")
        if got := paired(n, "models", "plain"):
            r, text = got
            out.append(
                (
                    f"models ≤ the plain pandas script (no quarantine) at {n:,}",
                    f"{text} its time",
                    r,
                    r <= 1 if n == 1_000_000 else None,
                )
            )
        elif models and n in sizes and "plain" in sizes[n].steps:
            out.append(
                (
                    f"models against the plain pandas script at {n:,}",
                    f"the script did not finish: {sizes[n].steps['plain'].note}",
                    None,
                    None,
                )
            )
    models1, models10 = t(1_000_000, "models"), t(10_000_000, "models")
    if models1 and models10:
        r = models10 / models1
        out.append(("models 1M → 10M grows ≤ 11×", f"{r:.1f}×", r, r <= 11))
    if 10_000_000 in sizes:
        got = sizes[10_000_000]
        peak = max(got.steps[k].peak_mb for k in ("models", "tests", "export") if k in got.steps)
        out.append(
            (
                "build, test, export at 10M under 6 GB RSS (memory_limit 4 GB)",
                f"{peak:,.0f} MB",
                peak,
                peak < 6144 and all(got.steps[k].ok for k in ("models", "tests", "export")),
            )
        )
        tests, models = t(10_000_000, "tests"), t(10_000_000, "models")
        if tests and models:
            out.append(
                (
                    "tests at 10M take less time than the models",
                    f"{tests:.0f} s vs {models:.0f} s",
                    tests / models,
                    tests < models,
                )
            )
        export = t(10_000_000, "export")
        if export:
            rate = got.rows / export
            out.append(
                (
                    "export ≥ 2M rows/s to Parquet at 10M",
                    f"{rate / 1e6:.2f}M rows/s{_against_write(got, export)}",
                    rate,
                    rate >= 2e6,
                )
            )
    for n, got in sizes.items():
        export, write = t(n, "export"), t(n, "write")
        if n != 10_000_000 and export and write and got.rows:
            out.append(
                (
                    f"export against DuckDB's own write of the same rows at {n:,} (report)",
                    f"{got.rows / export / 1e6:.2f}M rows/s{_against_write(got, export)}",
                    write / export,
                    None,
                )
            )
    near = sizes.get(1_000_000)
    if near and near.near_duplicate_seconds and near.dbt_models_seconds:
        r, text = round_ratio(
            near.near_duplicate_runs or [near.near_duplicate_seconds],
            near.dbt_models_runs or [near.dbt_models_seconds],
            percent=True,
        )
        out.append(
            (
                f"near-duplicate tests ≤ {NEAR_DUPLICATE_SHARE:.0%} of the models at 1,000,000 "
                "(dbt's own timing)",
                f"{near.near_duplicate_seconds:.1f} s vs {near.dbt_models_seconds:.1f} s: {text}",
                r,
                r <= NEAR_DUPLICATE_SHARE,
            )
        )
    delta = sizes.get(1_000_000) and sizes[1_000_000].steps.get("delta")
    if delta and delta.ok and t(1_000_000, "models"):
        r = delta.seconds / t(1_000_000, "models")
        out.append(
            (
                "a 1% delta on 1M costs in proportion to the delta (report)",
                f"{delta.seconds:.1f} s, {r:.2f}× a full models build",
                r,
                None,
            )
        )
    return out


def _against_write(size: Size, export: float) -> str:
    """The write step's rate beside the export's, as text; '' without it."""
    write = size.steps.get("write")
    if not (write and write.ok and size.rows):
        return ""
    return (
        f"; DuckDB's own sorted write of the same rows, alone: "
        f"{size.rows / write.seconds / 1e6:.2f}M rows/s (the export takes "
        f"{export / write.seconds:.1f}× its time)"
    )


def render(sizes: dict[int, Size], started: str) -> str:
    runs = sorted({(size.started, size.commit) for size in sizes.values() if size.started})
    if len(runs) > 1:
        # A merged report: each size says when and at which commit it ran.
        when = "; ".join(
            f"{n:,} at {size.started} ({size.commit})" for n, size in sizes.items() if size.started
        )
        lines = [START, "", f"Runs of {when}, on {machine()}.", ""]
    else:
        lines = [START, "", f"Run of {started} on {machine()}.", ""]
    lines += [
        "| tickets | step | seconds | peak RSS (MB) | rows/s | note |",
        "|---:|---|---:|---:|---:|---|",
    ]
    for n, size in sizes.items():
        for name, step in size.steps.items():
            rate = (
                f"{size.rows / step.seconds:,.0f}"
                if step.ok and size.rows and name != "generate"
                else ""
            )
            if name == "generate" and step.ok:
                rate = f"{n / step.seconds:,.0f} tickets/s"
            rounds = (
                f"median of {len(step.runs)}: " + ", ".join(f"{x:.1f}" for x in step.runs)
                if len(step.runs) > 1
                else ""
            )
            note = "; ".join(x for x in (step.note, rounds) if x)
            lines.append(
                f"| {n:,} | {name} | {step.seconds:.1f} | {step.peak_mb:,.0f} | {rate} | "
                f"{'' if step.ok else 'FAILED '}{note} |"
            )
        lines.append(
            f"| {n:,} | (dbt's own timing) | models {size.dbt_models_seconds:.1f}, tests "
            f"{size.dbt_tests_seconds:.1f} (near-duplicate tests "
            f"{size.near_duplicate_seconds:.1f}) |  |  | run_results.json elapsed_time; v2 has "
            f"{size.rows:,} rows"
            + (
                f"; floor gives the same rows: {'yes' if size.floor_matches else 'NO'}"
                if size.floor_matches is not None
                else ""
            )
            + " |"
        )
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    for target, measured, _, met in ratios(sizes):
        lines.append(
            f"| {target} | {measured} | {'—' if met is None else ('met' if met else 'MISSED')} |"
        )
    lines += [
        "",
        "### Commands",
        "",
        "Wall time and peak RSS of the commands that look at the export (diff: against "
        "a copy with 1% of labels changed; review-base: `--base HEAD` on an unchanged clone, "
        "the base built and kept; review: then one intermediate model edited, the kept "
        "base reused; review-dataset: instead, the dataset's own model edited).",
        "",
        "| tickets | command | target | measured | met |",
        "|---:|---|---|---|---|",
    ]
    for n, name, target, measured, met in command_targets(sizes):
        lines.append(
            f"| {n:,} | {name} | {target} | {measured} | "
            f"{'—' if met is None else ('met' if met else 'MISSED')} |"
        )
    if max(sizes, default=0) < 10_000_000:
        lines += ["", "10,000,000 not run here (`make bench` runs it)."]
    for n, size in sizes.items():
        if size.skipped:
            lines += ["", f"{n:,}: not run (`--skip`): {', '.join(size.skipped)}."]
    lines += ["", "![time per step and size](benchmarks.png)", "", END]
    return "\n".join(lines)


def chart(sizes: dict[int, Size]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = ("floor", "compiled", "models", "tests", "export", "pandas", "plain")
    fig, ax = plt.subplots(figsize=(8, 4.5))
    width = 0.8 / len(steps)
    for i, name in enumerate(steps):
        xs, ys = [], []
        for j, (_n, size) in enumerate(sizes.items()):
            step = size.steps.get(name)
            if step and step.ok:
                xs.append(j + i * width)
                ys.append(step.seconds)
            elif step:
                # A step that did not finish has no bar; say so where it would be.
                ax.annotate(
                    "did not finish",
                    (j + i * width, 1),
                    rotation=90,
                    fontsize=7,
                    ha="center",
                    va="bottom",
                )
        ax.bar(xs, ys, width, label=name)
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(sizes))], [f"{n:,}" for n in sizes])
    ax.set_yscale("log")
    ax.set_ylabel("seconds (log)")
    ax.set_xlabel("tickets")
    ax.set_title("ticket_triage v2: time per step")
    ax.legend(ncol=3, fontsize=8)
    fig.tight_layout()
    fig.savefig(CHART, dpi=110)


def read_size(saved: dict) -> Size:
    """A Size from its results.json entry."""
    size = Size(**{k: v for k, v in saved.items() if k not in ("steps", "commands")})
    size.steps = {k: Step(**v) for k, v in saved["steps"].items()}
    size.commands = {k: Step(**v) for k, v in saved.get("commands", {}).items()}
    return size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--small", action="store_true", help=f"only {', '.join(f'{n:,}' for n in SMALL)}"
    )
    parser.add_argument("--sizes", help="comma-separated ticket counts (overrides --small)")
    parser.add_argument("--work", default=str(PROJECT / "target" / "bench"), help="scratch folder")
    parser.add_argument("--no-doc", action="store_true", help="print only; leave docs/ alone")
    parser.add_argument(
        "--repeat",
        type=int,
        default=REPEAT,
        help=f"rounds of the compared steps at sizes up to {REPEAT_UP_TO:,} (default {REPEAT})",
    )
    parser.add_argument(
        "--skip",
        default="",
        help=f"comma-separated steps and commands to leave out: {', '.join(SKIPPABLE)}",
    )
    parser.add_argument(
        "--merge",
        nargs="*",
        default=[],
        metavar="RESULTS_JSON",
        help="also report the sizes in these results.json files of earlier runs",
    )
    args = parser.parse_args()
    SKIP.update(name for name in args.skip.split(",") if name)
    if unknown := SKIP - set(SKIPPABLE):
        parser.error(f"--skip: no such step or command: {', '.join(sorted(unknown))}")
    sizes = (
        tuple(int(n) for n in args.sizes.split(",") if n)
        if args.sizes
        else SMALL
        if args.small
        else SIZES
    )
    root = Path(args.work)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    results: dict[int, Size] = {}
    for path in args.merge:
        for n, saved in json.loads(Path(path).read_text()).items():
            results[int(n)] = read_size(saved)
    for n in sizes:
        results[n] = bench_size(n, root, small_checks=n == min(sizes), repeat=args.repeat)
        (root / "results.json").write_text(
            json.dumps({k: asdict(v) for k, v in results.items()}, indent=1)
        )
    print()
    for target, measured, _, met in ratios(results):
        print(f"{'—' if met is None else 'met   ' if met else 'MISSED'}  {target}: {measured}")
    for n, name, target, measured, met in command_targets(results):
        verdict = "—" if met is None else "met   " if met else "MISSED"
        print(f"{verdict}  {name} at {n:,}: {target}: {measured}")
    if not args.no_doc:
        text = DOC.read_text() if DOC.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
        head, _, rest = text.partition(START)
        _, _, tail = rest.partition(END)
        DOC.write_text(head + render(results, started) + tail)
        chart(results)
        print(f"wrote {DOC.relative_to(PROJECT)} and {CHART.relative_to(PROJECT)}")
    failed = [
        f"{n:,} {s.name}"
        for n, size in results.items()
        for s in size.steps.values()
        if not s.ok and s.name not in ("pandas", "plain")
    ]
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

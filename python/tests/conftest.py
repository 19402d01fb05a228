"""Shared fixtures: run dbt in a scratch target, read what it built."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from filelock import FileLock

PROJECT = Path(__file__).resolve().parents[2]
SHARED = PROJECT.parent / "shared"
BIN = Path(sys.executable).parent


@dataclass
class Build:
    """One dbt invocation in its own DuckDB file and target folder."""

    returncode: int
    output: str
    db: Path
    target: Path
    stdout: str = ""

    @property
    def results(self) -> dict[str, dict]:
        """run_results.json by node name (unit tests and tests included)."""
        data = json.loads((self.target / "run_results.json").read_text())
        return {r["unique_id"]: r for r in data["results"]}

    def status_of(self, prefix: str) -> dict[str, str]:
        """Statuses of nodes whose unique_id starts with prefix."""
        return {k: v["status"] for k, v in self.results.items() if k.startswith(prefix)}

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.db), read_only=True) as con:
            return con.sql(sql).fetchall()

    def frame(self, sql: str):
        with duckdb.connect(str(self.db), read_only=True) as con:
            return con.sql(sql).df()


def dbt(
    args: list[str],
    workdir: Path,
    vars: dict | None = None,
    project: Path = PROJECT,
    env: dict | None = None,
    db: Path | None = None,
) -> Build:
    """Run dbt in a subprocess against a scratch DuckDB file and target
    (the DuckDB file of another build when db is given)."""
    from trainset.project import run_dbt

    workdir.mkdir(parents=True, exist_ok=True)
    db = db or workdir / "trainset.duckdb"
    target = workdir / "target"
    command = [*args, "--target-path", str(target), "--log-path", str(workdir / "logs")]
    if vars:
        command += ["--vars", json.dumps(vars)]
    scratch = {
        "TRAINSET_DB": str(db),
        "TRAINSET_TEMP_DIR": str(workdir / "tmp"),
        "DBT_PROFILES_DIR": str(project),
    }
    # A process of its own (run_dbt's default): each test's build gets its
    # own environment, and a crash or hang stays out of pytest's process.
    done = run_dbt(command, project, env={**scratch, **(env or {})}, capture=True)
    return Build(done.returncode, done.stdout + done.stderr, db, target, done.stdout)


# What the user's last build left in the project: `make test` must leave it
# as it was (every dbt call above has its own target and database).
USER_ARTIFACTS = ("manifest.json", "run_results.json", "trainset.duckdb")


def artifacts_fingerprint(target: Path) -> dict[str, tuple[int, int] | None]:
    """Size and modification time of each of the user's artifacts."""
    fingerprint: dict[str, tuple[int, int] | None] = {}
    for name in USER_ARTIFACTS:
        path = target / name
        fingerprint[name] = (
            (path.stat().st_size, path.stat().st_mtime_ns) if path.exists() else None
        )
    return fingerprint


_BEFORE: dict = {}


def pytest_collection_modifyitems(config, items):
    """A slow test says why it is slow: make test leaves it to make test-slow."""
    vague = [
        item.nodeid
        for item in items
        if (mark := item.get_closest_marker("slow")) is not None
        and not (mark.args and isinstance(mark.args[0], str) and mark.args[0].strip())
    ]
    if vague:
        raise pytest.UsageError(f"slow tests must say why they are slow: {', '.join(vague)}")


def pytest_sessionstart(session):
    _BEFORE.update(artifacts_fingerprint(PROJECT / "target"))


_COMPILE_FOLDERS: dict[str, Path] = {}


def compile_inline(sql: str, vars: dict | None = None) -> Build:
    """dbt compile --inline of sql for DuckDB, in a scratch target, so the
    project's own artifacts stay as the user's last build left them. Calls
    with the same vars share that target: dbt parses the project once per
    process for them, not once per call."""
    key = json.dumps(vars or {}, sort_keys=True)
    if key not in _COMPILE_FOLDERS:
        _COMPILE_FOLDERS[key] = Path(tempfile.mkdtemp(prefix="trainset-compile-"))
    return dbt(["compile", "--quiet", "--inline", sql], _COMPILE_FOLDERS[key], vars=vars)


def compiled_expression(expression: str) -> str:
    """A one-value query around a Jinja expression of the project (a
    macro call on the column t), compiled by dbt for DuckDB; run it with
    the value of t as its one parameter."""
    done = compile_inline(f"select {expression} as v from (select ? as t)")
    assert done.returncode == 0, done.output
    return done.stdout.strip()


def fixture_tests(manifest: dict) -> dict[str, dict]:
    """The tests of the planted-bug fixtures, by unique_id."""
    return {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "test" and "fixture" in node["tags"]
    }


def unexpected_fixture_statuses(run: Build, manifest: dict) -> dict[str, tuple]:
    """Fixture tests whose status is not their meta.expect: name ->
    (expected, actual, message)."""
    results = run.results
    wrong = {}
    for uid, node in fixture_tests(manifest).items():
        expected = node["config"]["meta"]["expect"]
        actual = results[uid]["status"]
        if actual != expected:
            wrong[node["name"]] = (expected, actual, results[uid]["message"])
    return wrong


def _run_folder(tmp_path_factory) -> Path:
    """The folder every pytest-xdist worker of this run shares (the run's
    own base folder without xdist)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _copy_build(source_db: Path, source_target: Path, folder: Path) -> Build:
    """A copy of a finished build in folder, for one worker to read or
    change. The DuckDB file keeps its name: the catalog is named after the
    file, and the build's views name it."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source_db, folder / "trainset.duckdb")
    shutil.copytree(
        source_target, folder / "target", ignore=shutil.ignore_patterns("logs", "tmp", "*.duckdb*")
    )
    return Build(0, "", folder / "trainset.duckdb", folder / "target")


def shared_build(tmp_path_factory, name: str, args: list[str], vars: dict | None = None) -> Build:
    """One dbt build per pytest run, however many workers run it: the first
    worker builds under a lock, and each worker reads its own copy, so a test
    may change the copy it was given."""
    shared = _run_folder(tmp_path_factory) / f"shared-{name}"
    with FileLock(str(shared) + ".lock"):
        if not (shared / "done").exists():
            build = dbt(args, shared, vars=vars)
            assert build.returncode == 0, build.output[-3000:]
            (shared / "done").write_text(build.output)
    return _copy_build(shared / "trainset.duckdb", shared / "target", tmp_path_factory.mktemp(name))


# make test builds the sample in its own target (target/make-test) just
# before pytest; it names that build here so pytest reads it, not a second.
SAMPLE_BUILD_ENV = "TRAINSET_SAMPLE_BUILD"


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> Build:
    """The bundled sample, built once for the run (fixtures excluded), or
    the build make test has just made; each worker has its own copy."""
    made = os.environ.get(SAMPLE_BUILD_ENV)
    if made:
        folder = Path(made)
        if not all((folder / name).is_file() for name in ("run_results.json", "trainset.duckdb")):
            pytest.exit(f"{SAMPLE_BUILD_ENV}={made} holds no finished build", returncode=2)
        results = json.loads((folder / "run_results.json").read_text())
        if any(r["status"] in ("error", "fail") for r in results["results"]):
            pytest.exit(f"the build in {made} did not pass", returncode=2)
        return _copy_build(folder / "trainset.duckdb", folder, tmp_path_factory.mktemp("sample"))
    return shared_build(tmp_path_factory, "sample", ["build", "--exclude", "tag:fixture"])


@pytest.fixture(scope="session")
def regression_export(sample_build, tmp_path_factory) -> Path:
    """resolution_time v1 (a numeric label) exported from the sample build."""
    from trainset.export import export_dataset

    mp = pytest.MonkeyPatch()
    mp.setenv("TRAINSET_DB", str(sample_build.db))
    mp.setenv("DBT_TARGET_PATH", str(sample_build.target))
    try:
        out = tmp_path_factory.mktemp("regression")
        return export_dataset(PROJECT, "resolution_time", out=out).path
    finally:
        mp.undo()


def write_desk(
    folder: Path,
    n_tickets: int = 2400,
    seed: int = 11,
    fmt: str = "csv",
    mutate=None,
    generic_share: float = 0.0,
    viral_copies: int = 0,
) -> Path:
    """Generate a raw desk export into folder; mutate(desk) may edit rows.

    No generic ("help") or pasted texts by default: two of them in a
    validation split make the cross-split duplicate test error, rightly, but
    that is not what most tests are about.
    """
    from trainset.sample import generator

    desk = generator.generate(
        n_tickets=n_tickets, seed=seed, generic_share=generic_share, viral_copies=viral_copies
    )
    if mutate is not None:
        mutate(desk)
    generator.write(desk, folder, fmt=fmt)
    return folder


# docs/reliability.md is produced from the results of the tests marked
# reliability(case, behaviour): `make docs` writes it.
_RELIABILITY: list[tuple[str, str, str, str]] = []


def pytest_runtest_logreport(report):
    if report.when != "call" and not (report.when == "setup" and report.skipped):
        return
    marker = report.reliability if hasattr(report, "reliability") else None
    if marker:
        _RELIABILITY.append((*marker, report.nodeid, report.outcome))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    marker = item.get_closest_marker("reliability")
    if marker is not None and len(marker.args) == 2:
        outcome.get_result().reliability = tuple(marker.args)


def pytest_sessionfinish(session, exitstatus):
    # compile_inline's scratch targets (about 3 MB each): every run left
    # them in the temporary folder.
    for folder in _COMPILE_FOLDERS.values():
        shutil.rmtree(folder, ignore_errors=True)
    changed = [
        name
        for name, seen in artifacts_fingerprint(PROJECT / "target").items()
        if seen != _BEFORE.get(name)
    ]
    if changed and not hasattr(session.config, "workerinput"):
        sys.stderr.write(
            f"\nerror: the test run changed the project's own target/{', target/'.join(changed)}"
            ": every dbt call in the tests must use its own target and database\n"
        )
        session.exitstatus = 1
    if not _RELIABILITY or os.environ.get("TRAINSET_WRITE_RELIABILITY") != "1":
        return
    rows = {}
    for case, behaviour, nodeid, outcome in _RELIABILITY:
        key = (case, behaviour, nodeid.split("[")[0])
        rows[key] = (
            "passed" if rows.get(key, "passed") == "passed" and outcome == "passed" else outcome
        )

    def order(key):
        head = key[0].split(".")[0]
        return (0, int(head), key[0]) if head.isdigit() else (1, 0, key[0])

    lines = [
        "# Reliability: hostile input, faults and safety",
        "",
        "Generated by `make docs` from the results of the tests marked `reliability`",
        "in `python/tests/`; each row is a case, what trainset does, and the test",
        "that proves it, with its outcome in that run.",
        "",
        "| case | what trainset does | test | result |",
        "|---|---|---|---|",
    ]
    for key in sorted(rows, key=order):
        case, behaviour, test = key
        lines.append(f"| {case} | {behaviour} | `{test}` | {rows[key]} |")
    (PROJECT / "docs" / "reliability.md").write_text("\n".join(lines) + "\n")


# --- The manifest schema (issue 19): every export the suite writes is
# validated against docs/manifest.schema.json at the end of the session
# (see manifest_schema.py). Keep this block separate. ---


def pytest_configure(config):
    from manifest_schema import ExportsMatchSchema

    config.pluginmanager.register(ExportsMatchSchema(), "trainset-manifest-schema")


@pytest.fixture
def not_an_export():
    """Mark a folder whose manifest.json a test made invalid or old on
    purpose, so the session's schema check leaves it out."""
    from manifest_schema import mark_not_an_export

    return mark_not_an_export


# --- end of the manifest schema block ---

"""Finding the dbt project, and the one place that starts each outside
program trainset runs: dbt (run_dbt, start_dbt) and git (git)."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal, overload

from trainset.errors import TrainsetError


def find_project(start: Path | None = None) -> Path:
    """The folder holding dbt_project.yml: start or its nearest parent."""
    start = Path(start or os.environ.get("TRAINSET_PROJECT_DIR") or Path.cwd())
    for folder in (start.resolve(), *start.resolve().parents):
        if (folder / "dbt_project.yml").is_file():
            return folder
    raise TrainsetError(f"no dbt project found in {start} or its parents (no dbt_project.yml)")


def dbt_environment(project_dir: Path) -> dict[str, str]:
    """Settings every dbt call needs: our profile, and no usage statistics."""
    return {
        # dbt reads DBT_PROJECT_DIR before its working folder: an inherited
        # one would build another project.
        "DBT_PROJECT_DIR": str(project_dir),
        "DBT_PROFILES_DIR": os.environ.get("DBT_PROFILES_DIR", str(project_dir)),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }


@dataclass(frozen=True)
class DbtResult:
    """How a dbt invocation ended; its output when it was captured."""

    returncode: int
    stdout: str = ""
    stderr: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def dbt_command(args: Sequence[str | Path]) -> list[str]:
    """The command line that starts dbt beside this Python with args. For
    a caller that runs dbt as a process of its own to watch (a benchmark
    measuring its memory); everyone else calls run_dbt or start_dbt."""
    dbt = Path(sys.executable).parent / "dbt"
    if not dbt.is_file():
        raise TrainsetError(f"dbt is not installed beside {sys.executable}: run `make setup`")
    return [str(dbt), *(str(a) for a in args)]


def _full_env(
    project_dir: Path, env: Mapping[str, str] | None, unset: Sequence[str]
) -> dict[str, str]:
    full = {**os.environ, **dbt_environment(project_dir), **(env or {})}
    for name in unset:
        full.pop(name, None)
    return full


def start_dbt(
    args: Sequence[str | Path],
    project_dir: Path,
    *,
    env: Mapping[str, str] | None = None,
    unset: Sequence[str] = (),
    stdout: int | IO[str] | None = None,
    stderr: int | IO[str] | None = None,
    new_session: bool = False,
) -> subprocess.Popen[str]:
    """dbt started with args in its own process, in the project folder, and
    not waited for (a test that kills it halfway). env adds to the
    environment; unset names variables to leave out of it."""
    # raw_dir and the DuckDB path are relative to the project folder.
    return subprocess.Popen(
        dbt_command(args),
        cwd=project_dir,
        env=_full_env(project_dir, env, unset),
        stdout=stdout,
        stderr=stderr,
        text=True,
        start_new_session=new_session,
    )


def run_dbt(
    args: Sequence[str | Path],
    project_dir: Path,
    *,
    env: Mapping[str, str] | None = None,
    unset: Sequence[str] = (),
    quiet: bool = False,
    capture: bool = False,
    in_process: bool = False,
) -> DbtResult:
    """Run dbt with args in the project and wait for it. Its output is
    shown, or dropped (quiet), or captured in the result (capture). env
    adds to the environment (a scratch database or target folder); unset
    names variables to leave out.

    in_process runs dbt's programmatic entry point (dbtRunner) in this
    process, which saves starting Python and importing dbt (seconds per
    call). It suits a command that runs dbt one call at a time: the
    environment and working folder are this process's for the call's
    length. Callers that run builds side by side, that must survive a dbt
    that crashes or hangs (the tests), or that a signal must stop at once
    (review) keep the default, a process of its own, which stops with its
    caller. Either way the DuckDB file is closed when this returns, so the
    caller can read the build right away.
    """
    if in_process:
        return _run_in_process(args, project_dir, env, unset, quiet, capture)
    with start_dbt(
        args,
        project_dir,
        env=env,
        unset=unset,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL if quiet else None,
        stderr=subprocess.PIPE if capture else None,
    ) as process:
        try:
            out, err = process.communicate()
        except BaseException:
            # As subprocess.run does: the dbt started here stops with its
            # caller (Ctrl-C, or the exit a SIGTERM handler raises).
            process.kill()
            raise
    return DbtResult(process.returncode, out or "", err or "")


@contextlib.contextmanager
def _environment(project_dir: Path, env: Mapping[str, str], unset: Sequence[str]) -> Iterator[None]:
    """env set and unset left out of os.environ, and the project as working
    folder, for a while: profiles.yml reads env_var() when dbt renders it,
    at invocation time."""
    saved, here = dict(os.environ), Path.cwd()
    os.environ.update(env)
    for name in unset:
        os.environ.pop(name, None)
    os.chdir(project_dir)
    try:
        yield
    finally:
        os.chdir(here)
        os.environ.clear()
        os.environ.update(saved)


def _run_in_process(
    args: Sequence[str | Path],
    project_dir: Path,
    env: Mapping[str, str] | None,
    unset: Sequence[str],
    quiet: bool,
    capture: bool,
) -> DbtResult:
    dbt_command([])  # the same one-line refusal when dbt is not installed
    from dbt.cli.main import dbtRunner

    # dbt writes its log lines to the sys.stdout of the moment it starts.
    sink: IO[str] = io.StringIO() if capture or quiet else sys.stdout
    with _environment(project_dir, {**dbt_environment(project_dir), **(env or {})}, unset):
        try:
            with contextlib.redirect_stdout(sink):
                result = dbtRunner().invoke([str(a) for a in args])
        finally:
            _close_duckdb()
    # dbtRunner returns what it caught; Ctrl-C and SIGTERM's exit stop the caller as they would.
    if isinstance(result.exception, KeyboardInterrupt | SystemExit):
        raise result.exception
    # dbt's exit codes: 0 success, 1 a node failed, 2 dbt itself failed.
    code = 0 if result.success else 2 if result.exception is not None else 1
    if result.exception is not None and not capture:
        print(f"dbt: {result.exception}", file=sys.stderr)
    out = sink.getvalue() if capture and isinstance(sink, io.StringIO) else ""
    return DbtResult(code, out, str(result.exception or "") if capture else "")


def _close_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in the process after
    an invocation, as the end of a dbt process would: until then DuckDB
    refuses the caller's own (read-only) connection to the file."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:
        return
    with DuckDBConnectionManager._LOCK:
        environment, DuckDBConnectionManager._ENV = DuckDBConnectionManager._ENV, None
    if environment is not None:
        environment.close()


@overload
def git(
    args: Sequence[str], cwd: Path, *, check: Literal[True] = ..., timeout: float | None = ...
) -> str: ...
@overload
def git(
    args: Sequence[str], cwd: Path, *, check: Literal[False], timeout: float | None = ...
) -> str | None: ...
def git(
    args: Sequence[str], cwd: Path, *, check: bool = True, timeout: float | None = None
) -> str | None:
    """git with args in the repository at cwd: its stdout, stripped. When
    it fails (or git is missing, or the timeout passes), check raises
    TrainsetError with git's message; without check it gives None."""
    try:
        done = subprocess.run(
            ["git", "-C", str(cwd), *args], capture_output=True, text=True, timeout=timeout
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        if check:
            raise TrainsetError(f"git {' '.join(args)} failed: {error}") from None
        return None
    if done.returncode == 0:
        return done.stdout.strip()
    if check:
        raise TrainsetError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return None

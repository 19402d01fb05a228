"""The build record kept with the data: which dbt invocation built a dataset
relation, and what the tests on it and upstream of it said since.

dbt's on-run-end hook (macros/record_run.sql) appends every node's result
to two tables in the warehouse the build wrote: trainset_invocations and
trainset_run_results. Reading them from the same DuckDB file (or Spark
warehouse) that an export reads its rows from pairs the data with its own
test outcomes, whatever dbt ran since, in whichever folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, TypedDict

from trainset.artifacts import (
    Dataset,
    TestOutcome,
    default_target,
    last_run_target,
    load_dataset,
)
from trainset.errors import TrainsetError
from trainset.warehouse import (
    DuckDBWarehouse,
    SparkWarehouse,
    duckdb_path,
    open_warehouse,
    profile_output,
)

INVOCATIONS = "trainset_invocations"
RUN_RESULTS = "trainset_run_results"
# A refusal is at most five lines: what happened, up to three causes (the
# third says how many more when there are more), and what to do.
MAX_CAUSES = 3
# Results that say nothing of the data: a test skipped after an upstream
# failure does not replace what it said of an earlier build.
SILENT = ("skipped", "not_run")


@dataclass(frozen=True)
class NodeRun:
    """One node's result in one dbt invocation."""

    invocation_id: str
    unique_id: str
    resource_type: str
    name: str
    status: str
    failures: int | None
    message: str | None
    started: datetime  # when the invocation started: the record's order
    completed_at: datetime | None
    command: str
    target: str | None
    vars: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    schema: str | None = None
    identifier: str | None = None

    @property
    def materialised(self) -> bool:
        return self.resource_type in ("model", "seed", "snapshot") and self.status == "success"

    @property
    def when(self) -> str:
        return self.started.isoformat(sep=" ", timespec="seconds")

    def describe(self) -> str:
        """`test name failed: 3 failing rows` or `model name errored: why`."""
        verb = {"fail": "failed", "error": "errored"}.get(self.status, self.status)
        what = f"{self.resource_type.replace('_', ' ')} {self.name} {verb}"
        if self.failures:
            what += f": {self.failures:,} failing rows"
        elif self.status == "error" and self.message:
            what += ": " + self.message.strip().splitlines()[0][:160]
        return what


class HistoryEntry(TypedDict):
    """One invocation in a dataset's history (trainset history)."""

    invocation_id: str
    started_at: str
    command: str
    target: str | None
    dataset_status: str | None  # None: the invocation ran only tests
    tests: dict[str, int]  # status -> tests


@dataclass
class BuildRecord:
    """What the record says of one dataset version."""

    built: NodeRun | None  # the newest successful materialisation
    latest: NodeRun  # the newest attempt, successful or not
    causes: list[NodeRun]  # failing nodes upstream, when latest failed

    @property
    def latest_failed(self) -> bool:
        return self.latest.status != "success"


@dataclass(frozen=True)
class Location:
    """Which warehouse holds a build and its record."""

    target: str  # the profile target
    adapter: str
    schema: str  # where the record tables are: the target's schema
    where: str  # for messages: the DuckDB file, or the Spark target


def locate(
    project_dir: Path,
    dbt_target: Path | None = None,
    profile_target: str | None = None,
    db: Path | None = None,
) -> Location:
    """The named profile target, else the one dbt's last command in the
    target folder named, else the profile's default."""
    name, output = profile_output(
        project_dir, profile_target or last_run_target(dbt_target or default_target(project_dir))
    )
    adapter = output.get("type", "duckdb")
    where = (
        str(Path(db) if db else duckdb_path(project_dir))
        if adapter == "duckdb"
        else f"the Spark warehouse of target {name!r}"
    )
    return Location(name, adapter, output.get("schema") or "main", where)


def watched(dataset: Dataset) -> set[str]:
    """The nodes whose results speak for the dataset: it, what it is built
    from, and the tests on either."""
    return dataset.upstream | {t.unique_id for t in dataset.tests} | dataset.unit_tests


def _timestamp(value: object) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _started(value: object) -> datetime:
    """When an invocation started: the record's order, so never missing."""
    started = _timestamp(value)
    if started is None:
        raise TrainsetError("the build record has an invocation with no start time")
    return started


def read_runs(
    warehouse: DuckDBWarehouse | SparkWarehouse, schema: str, unique_ids: set[str]
) -> list[NodeRun] | None:
    """The record's rows for these nodes, oldest first; None when the
    warehouse has no record tables (built before the record, or not by dbt)."""
    q = warehouse.quote
    if not {INVOCATIONS, RUN_RESULTS} <= _tables(warehouse, schema):
        return None
    ids = ", ".join("'" + u.replace("'", "''") + "'" for u in sorted(unique_ids)) or "''"
    rows = warehouse.rows(
        f"""
        select
            r.invocation_id, r.unique_id, r.resource_type, r.node_name, r.status,
            r.failures, r.message, i.run_started_at, r.completed_at, i.command,
            i.target_name, i.vars_json, r.schema_name, r.identifier
        from {q(schema)}.{RUN_RESULTS} as r
        inner join {q(schema)}.{INVOCATIONS} as i
            on r.invocation_id = i.invocation_id
        where r.unique_id in ({ids})
        order by i.run_started_at, r.completed_at
        """
    )
    return [
        NodeRun(
            invocation_id=row[0],
            unique_id=row[1],
            resource_type=row[2],
            name=row[3],
            status=row[4],
            failures=None if row[5] is None else int(row[5]),
            message=row[6],
            started=_started(row[7]),
            completed_at=_timestamp(row[8]),
            command=row[9],
            target=row[10],
            vars=json.loads(row[11] or "{}"),
            schema=row[12],
            identifier=row[13],
        )
        for row in rows
    ]


def _tables(warehouse: DuckDBWarehouse | SparkWarehouse, schema: str) -> set[str]:
    """The tables in the schema, lower case."""
    if warehouse.adapter == "spark":
        if not warehouse.rows(f"show databases like '{schema}'"):
            return set()
        # Spark's rows: namespace, tableName, isTemporary.
        return {r[1].lower() for r in warehouse.rows(f"show tables in {warehouse.quote(schema)}")}
    literal = "'" + schema.replace("'", "''") + "'"
    rows = warehouse.rows(
        f"select table_name from information_schema.tables where table_schema = {literal}"
    )
    return {r[0].lower() for r in rows}


def runs_from_run_results(path: Path) -> list[NodeRun]:
    """The same rows from one build's own run_results.json: for a build
    made by a commit older than the record (trainset review's base side),
    in a target folder that only that build wrote."""
    if not path.is_file():
        raise TrainsetError(f"no record of the build: {path} not found")
    data = json.loads(path.read_text())
    started = _started(data["metadata"]["generated_at"].replace("Z", "+00:00"))
    started = started.replace(tzinfo=None)
    args = data.get("args", {})
    runs = []
    for result in data["results"]:
        kind = result["unique_id"].split(".")[0]
        runs.append(
            NodeRun(
                invocation_id=data["metadata"]["invocation_id"],
                unique_id=result["unique_id"],
                resource_type=kind,
                name=result["unique_id"].split(".")[2],
                status=result["status"],
                failures=result.get("failures"),
                message=result.get("message"),
                started=started,
                completed_at=None,
                command=args.get("which", "build"),
                target=args.get("target"),
                vars=args.get("vars") or {},
            )
        )
    return runs


def build_record(dataset: Dataset, runs: list[NodeRun]) -> BuildRecord | None:
    """The dataset's newest attempt and newest materialisation, and what
    failed upstream of the newest attempt when it did not succeed."""
    own = [r for r in runs if r.unique_id == dataset.unique_id and r.resource_type == "model"]
    if not own:
        return None
    latest = own[-1]
    built = next((r for r in reversed(own) if r.materialised), None)
    causes = []
    if latest.status != "success":
        nodes = watched(dataset)
        causes = [
            r
            for r in runs
            if r.invocation_id == latest.invocation_id
            and r.unique_id in nodes
            and r.status in ("error", "fail")
        ]
    return BuildRecord(built=built, latest=latest, causes=causes)


def outcomes_of_tests(dataset: Dataset, built: NodeRun, runs: list[NodeRun]) -> list[TestOutcome]:
    """Each test's newest result on the data the dataset was built from.

    A result counts from the dataset's materialisation on (a later `dbt
    test` counts), until a model the test reads is materialised again in a
    later invocation: from then on the test speaks of other data.
    """
    later_builds: dict[str, list[datetime]] = {}
    for r in runs:
        if r.materialised and r.started > built.started:
            later_builds.setdefault(r.unique_id, []).append(r.started)
    by_test: dict[str, list[NodeRun]] = {}
    for r in runs:
        if r.resource_type == "test" and r.started >= built.started:
            by_test.setdefault(r.unique_id, []).append(r)
    for results in by_test.values():
        # The newest result that speaks of the data, if any does.
        results.sort(key=lambda r: (r.status not in SILENT, r.started))
    outcomes = []
    for test in dataset.tests:
        cutoff = min(
            (t for parent in test.parents for t in later_builds.get(parent, [])),
            default=None,
        )
        candidates = [
            r for r in by_test.get(test.unique_id, []) if cutoff is None or r.started < cutoff
        ]
        result = candidates[-1] if candidates else None
        outcomes.append(
            replace(
                test,
                status=result.status if result else "not_run",
                failures=result.failures if result else None,
                message=result.message if result else None,
                invocation_id=result.invocation_id if result else None,
            )
        )
    return outcomes


def with_record(dataset: Dataset, runs: list[NodeRun], project_vars: dict[str, Any]) -> Dataset:
    """The dataset as its newest materialisation in the record built it."""
    record = build_record(dataset, runs)
    if record is None or record.built is None:
        return replace(dataset, record=record)
    built = record.built
    relation = dataset.relation
    if built.schema and built.identifier:
        relation = f"{built.schema}.{built.identifier}"
    return replace(
        dataset,
        record=record,
        relation=relation,
        invocation_id=built.invocation_id,
        build_status=built.status,
        generated_at=(built.completed_at or built.started).isoformat(timespec="seconds"),
        dbt_target=built.target,
        vars={**project_vars, **built.vars},
        tests=outcomes_of_tests(dataset, built, runs),
    )


def refusal(dataset: Dataset, where: str) -> str | None:
    """Why the record does not let the dataset be exported, or None."""
    label = f"{dataset.name} v{dataset.version}"
    record = dataset.record
    if record is None:
        return (
            f"{where} has no record of a build of {label}: build it there with "
            "`trainset build` (dbt build), then export"
        )
    if not record.latest_failed:
        return None
    lines = [
        f"{label} was {record.latest.status} in the latest build "
        f"({record.latest.command} {record.latest.invocation_id} at {record.latest.when})"
        + (", because:" if record.causes else "; no failing node upstream was recorded")
    ]
    for cause in record.causes[:MAX_CAUSES]:
        lines.append(f"  - {cause.describe()}")
    if len(record.causes) > MAX_CAUSES:
        lines[-1] = f"  - and {len(record.causes) - MAX_CAUSES + 1} more failing nodes"
    if not record.causes:
        lines[0] += " (see dbt's log of that build)"
    if record.built is None:
        lines.append(
            "fix the build first (no earlier build of it is in the warehouse, "
            "so --allow-failed-tests cannot help)"
        )
    else:
        lines.append(
            f"fix the build first, or export the earlier build ({record.built.invocation_id} "
            f"at {record.built.when}) with --allow-failed-tests"
        )
    return "\n".join(lines)


def dataset_history(
    project_dir: Path,
    name: str,
    version: int | None = None,
    profile_target: str | None = None,
    db: Path | None = None,
) -> tuple[Dataset, str, list[HistoryEntry]]:
    """The dataset, the warehouse it was read from, and its history there."""
    dataset = load_dataset(project_dir, name, version)
    place = locate(project_dir, profile_target=profile_target, db=db)
    with open_warehouse(project_dir, place.adapter, place.target, db) as warehouse:
        runs = read_runs(warehouse, place.schema, watched(dataset))
    if runs is None:
        raise TrainsetError(
            f"{place.where} has no build record: build it with `trainset build` (dbt build)"
        )
    return dataset, place.where, history(dataset, runs)


def history(dataset: Dataset, runs: list[NodeRun]) -> list[HistoryEntry]:
    """Builds and test runs of the dataset, newest first: one entry per
    invocation that ran the dataset model or a test on it or upstream."""
    tests = {t.unique_id for t in dataset.tests}
    by_invocation: dict[str, list[NodeRun]] = {}
    for r in runs:
        if r.unique_id == dataset.unique_id or r.unique_id in tests:
            by_invocation.setdefault(r.invocation_id, []).append(r)
    entries: list[HistoryEntry] = []
    for invocation, rows in sorted(
        by_invocation.items(), key=lambda item: item[1][0].started, reverse=True
    ):
        own = [r for r in rows if r.unique_id == dataset.unique_id]
        statuses: dict[str, int] = {}
        for r in rows:
            if r.unique_id in tests:
                statuses[r.status] = statuses.get(r.status, 0) + 1
        first = rows[0]
        entries.append(
            {
                "invocation_id": invocation,
                "started_at": first.when,
                "command": first.command,
                "target": first.target,
                "dataset_status": own[-1].status if own else None,
                "tests": dict(sorted(statuses.items())),
            }
        )
    return entries

"""What dbt's manifest says about a dataset: the only interface to dbt.

A dataset is a dbt model whose columns carry `meta.role`. Its versions,
roles, types, descriptions, tests and lineage come from target/manifest.json.
Which build made the relation, and what its tests said, come from the build
record in the warehouse itself (record.py), never from run_results.json.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from trainset.errors import TrainsetError

if TYPE_CHECKING:
    from trainset.record import BuildRecord

# dbt's JSON artifacts (manifest.json, run_results.json) and their nodes, as
# parsed: dbt's own schema, read key by key where used.
DbtJson = dict[str, Any]

ROLES = ("id", "feature", "label", "split", "as_of")
# What the label is: classes, or a number (the model's meta.task).
TASKS = ("classification", "regression")
FAILING = ("fail", "error")


class Exposure(TypedDict):
    """A dbt exposure that depends on the dataset."""

    name: str
    type: str
    description: str | None


@dataclass
class Column:
    name: str
    role: str | None
    data_type: str | None
    description: str


@dataclass
class TestOutcome:
    name: str
    unique_id: str
    status: str  # pass, warn, fail, error, skipped, or not_run
    failures: int | None
    attached_to: str  # the model the test sits on
    message: str | None = None
    invocation_id: str | None = None  # the dbt invocation that gave the status
    # The nodes the test reads: a later build of one of them ends the
    # validity of an earlier result.
    parents: tuple[str, ...] = field(default=(), repr=False, compare=False)

    @property
    def is_failing(self) -> bool:
        return self.status in FAILING


@dataclass
class Dataset:
    """One version of a dataset model: the manifest's view, completed by
    the warehouse's build record (record.with_record)."""

    name: str
    version: int | None
    latest_version: int | None
    unique_id: str
    relation: str
    description: str
    columns: list[Column]
    adapter: str
    dbt_version: str
    invocation_id: str | None
    build_status: str | None  # the build's status in the record
    tests: list[TestOutcome] = field(default_factory=list)
    vars: dict[str, Any] = field(default_factory=dict)  # dbt vars: any YAML value
    exposures: list[Exposure] = field(default_factory=list)
    generated_at: str | None = None
    dbt_target: str | None = None  # the profile target of the build
    # The dataset and every model or seed it is built from.
    upstream: set[str] = field(default_factory=set, repr=False)
    # The unit tests of the models it is built from: a failing one skips it.
    unit_tests: set[str] = field(default_factory=set, repr=False)
    # meta.provenance kind -> relation of a model that describes the inputs
    provenance: dict[str, str] = field(default_factory=dict)
    record: BuildRecord | None = field(default=None, repr=False)
    task: str = "classification"
    # A scoring model: the training dataset (name, version) whose features
    # it gives, from the model's meta.scores; it has no label and no split.
    # As written in the YAML: export checks it names a dataset.
    scores: dict[str, Any] | None = None

    def role(self, role: str) -> list[Column]:
        return [c for c in self.columns if c.role == role]

    def one(self, role: str) -> Column:
        found = self.role(role)
        if len(found) != 1:
            raise TrainsetError(
                f"{self.name} v{self.version} needs exactly one column with "
                f"meta.role {role!r}, found {len(found)}"
            )
        return found[0]

    @property
    def failing_tests(self) -> list[TestOutcome]:
        return [t for t in self.tests if t.is_failing]


def default_target(project_dir: Path) -> Path:
    """dbt's target folder: DBT_TARGET_PATH, as dbt itself reads it, or target/."""
    path = Path(os.environ.get("DBT_TARGET_PATH", "target"))
    return path if path.is_absolute() else project_dir / path


def read_json(path: Path, what: str) -> DbtJson:
    if not path.is_file():
        raise TrainsetError(f"{what} not found at {path}: run `dbt build` first")
    try:
        data: DbtJson = json.loads(path.read_text())
        return data
    except json.JSONDecodeError as error:
        raise TrainsetError(f"{what} at {path} is not valid JSON: {error}") from None


def dataset_models(manifest: DbtJson) -> dict[str, list[DbtJson]]:
    """Models that declare column roles, by name, each with its versions."""
    found: dict[str, list[DbtJson]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        roles = [c.get("meta", {}).get("role") for c in node["columns"].values()]
        if any(roles):
            found.setdefault(node["name"], []).append(node)
    return found


def _upstream(manifest: DbtJson, unique_id: str) -> set[str]:
    """The node and every model or seed it is built from."""
    seen: set[str] = set()
    todo = [unique_id]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        todo.extend(
            p
            for p in manifest["parent_map"].get(node, [])
            if p.startswith(("model.", "seed.", "snapshot."))
        )
    return seen


def load_dataset(
    project_dir: Path, name: str, version: int | None = None, target: Path | None = None
) -> Dataset:
    """The dataset `name` (at `version`, default its latest), as described by
    the artifacts in target (default: the project's target/)."""
    target = target or default_target(project_dir)
    manifest = read_json(target / "manifest.json", "dbt manifest")
    models = dataset_models(manifest)
    if name not in models:
        known = ", ".join(sorted(models)) or "none"
        raise TrainsetError(
            f"unknown dataset {name!r}: the project defines {known} "
            "(a dataset is a model whose columns have meta.role)"
        )
    versions = {n.get("version"): n for n in models[name]}
    latest = models[name][0].get("latest_version")
    if version is None:
        version = latest if latest is not None else max(versions, key=lambda v: v or 0)
    node = versions.get(version)
    if node is None:
        known = ", ".join(str(v) for v in sorted(v for v in versions if v is not None))
        raise TrainsetError(f"{name} has no version {version}; versions: {known}")

    columns = [
        Column(
            name=c["name"],
            role=c.get("meta", {}).get("role"),
            data_type=c.get("data_type"),
            description=(c.get("description") or "").strip(),
        )
        for c in node["columns"].values()
    ]
    for column in columns:
        if column.role is not None and column.role not in ROLES:
            raise TrainsetError(
                f"{name}.{column.name} has meta.role {column.role!r}; roles are {', '.join(ROLES)}"
            )

    meta = node.get("config", {}).get("meta") or {}
    task = meta.get("task", "classification")
    if task not in TASKS:
        raise TrainsetError(f"{name} has meta.task {task!r}; tasks are {', '.join(TASKS)}")

    upstream = _upstream(manifest, node["unique_id"])
    tests = []
    for test in manifest["nodes"].values():
        if test["resource_type"] != "test":
            continue
        parents = set(test["depends_on"]["nodes"])
        # A test counts when the node it sits on is the dataset or upstream
        # of it; a singular test has no such node, so any parent counts.
        attached = test.get("attached_node")
        if attached is not None and attached not in upstream:
            continue
        if attached is None and not parents & upstream:
            continue
        attached = attached or sorted(parents & upstream)[0]
        tests.append(
            TestOutcome(
                name=test["name"],
                unique_id=test["unique_id"],
                status="not_run",
                failures=None,
                attached_to=attached,
                parents=tuple(sorted(parents)),
            )
        )
    tests.sort(key=lambda t: (t.attached_to != node["unique_id"], t.unique_id))

    # Models that describe the build's inputs (meta.provenance: the
    # taxonomy used, the raw tables found), for the manifest and the card:
    # those that read what the dataset is built from.
    reached = upstream | {
        p for u in upstream for p in manifest["parent_map"].get(u, []) if p.startswith("source.")
    }
    provenance = {
        n["config"]["meta"]["provenance"]: n["relation_name"]
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model"
        and (n.get("config", {}).get("meta") or {}).get("provenance")
        and set(manifest["parent_map"].get(n["unique_id"], [])) & reached
    }
    exposures: list[Exposure] = [
        {"name": e["name"], "type": e["type"], "description": e.get("description")}
        for e in manifest.get("exposures", {}).values()
        if node["unique_id"] in e["depends_on"]["nodes"]
    ]
    return Dataset(
        name=name,
        version=version,
        latest_version=latest,
        unique_id=node["unique_id"],
        relation=node["relation_name"],
        description=(node.get("description") or "").strip(),
        columns=columns,
        adapter=manifest["metadata"]["adapter_type"],
        dbt_version=manifest["metadata"]["dbt_version"],
        invocation_id=None,
        build_status=None,
        tests=tests,
        vars=project_vars(project_dir),
        exposures=exposures,
        upstream=upstream,
        unit_tests={
            uid
            for uid, unit in (manifest.get("unit_tests") or {}).items()
            if set((unit.get("depends_on") or {}).get("nodes") or []) & upstream
        },
        provenance=provenance,
        task=task,
        scores=meta.get("scores"),
    )


def last_run_target(target: Path) -> str | None:
    """The profile target that dbt's last command in this target folder
    named, if any: the engine a user who just ran `trainset build --target
    spark` means. Only the choice of warehouse comes from it."""
    path = target / "run_results.json"
    if not path.is_file():
        return None
    try:
        named: str | None = (json.loads(path.read_text()).get("args") or {}).get("target")
        return named
    except (json.JSONDecodeError, AttributeError):
        return None


def project_vars(project_dir: Path) -> dict[str, Any]:
    """The vars' defaults from dbt_project.yml."""
    import yaml

    path = project_dir / "dbt_project.yml"
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text()) or {}
    return {k: v for k, v in (data.get("vars") or {}).items() if not isinstance(v, dict)}

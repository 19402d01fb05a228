"""What dbt's own artifacts say about a dataset: the only interface to dbt.

A dataset is a dbt model whose columns carry `meta.role`. Everything the
export needs (versions, roles, types, descriptions, test outcomes, lineage)
comes from target/manifest.json and target/run_results.json.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from trainset.errors import TrainsetError

ROLES = ("id", "feature", "label", "split", "as_of")
FAILING = ("fail", "error")


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

    @property
    def is_failing(self) -> bool:
        return self.status in FAILING


@dataclass
class Dataset:
    """One version of a dataset model, as dbt last built it."""

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
    build_status: str | None  # the model's status in run_results, if built
    tests: list[TestOutcome] = field(default_factory=list)
    vars: dict = field(default_factory=dict)
    exposures: list[dict] = field(default_factory=list)
    generated_at: str | None = None
    dbt_target: str | None = None  # the profile target of the last run

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


def read_json(path: Path, what: str) -> dict:
    if not path.is_file():
        raise TrainsetError(f"{what} not found at {path}: run `dbt build` first")
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise TrainsetError(f"{what} at {path} is not valid JSON: {error}") from None


def dataset_models(manifest: dict) -> dict[str, list[dict]]:
    """Models that declare column roles, by name, each with its versions."""
    found: dict[str, list[dict]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        roles = [c.get("meta", {}).get("role") for c in node["columns"].values()]
        if any(roles):
            found.setdefault(node["name"], []).append(node)
    return found


def _upstream(manifest: dict, unique_id: str) -> set[str]:
    """The node and every model or seed it is built from."""
    seen, todo = set(), [unique_id]
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

    run_results_path = target / "run_results.json"
    results = {}
    invocation_id = None
    cli_vars: dict = {}
    generated_at = None
    dbt_target = None
    if run_results_path.is_file():
        run_results = read_json(run_results_path, "dbt run results")
        results = {r["unique_id"]: r for r in run_results["results"]}
        invocation_id = run_results["metadata"].get("invocation_id")
        generated_at = run_results["metadata"].get("generated_at")
        cli_vars = run_results.get("args", {}).get("vars") or {}
        dbt_target = run_results.get("args", {}).get("target")

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
        result = results.get(test["unique_id"])
        tests.append(
            TestOutcome(
                name=test["name"],
                unique_id=test["unique_id"],
                status=result["status"] if result else "not_run",
                failures=result.get("failures") if result else None,
                attached_to=attached,
                message=result.get("message") if result else None,
            )
        )
    tests.sort(key=lambda t: (t.attached_to != node["unique_id"], t.unique_id))

    exposures = [
        {"name": e["name"], "type": e["type"], "description": e.get("description")}
        for e in manifest.get("exposures", {}).values()
        if node["unique_id"] in e["depends_on"]["nodes"]
    ]
    built = results.get(node["unique_id"])
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
        invocation_id=invocation_id,
        build_status=built["status"] if built else None,
        tests=tests,
        vars={**_project_vars(project_dir), **cli_vars},
        exposures=exposures,
        generated_at=generated_at,
        dbt_target=dbt_target,
    )


def _project_vars(project_dir: Path) -> dict:
    """The vars' defaults from dbt_project.yml."""
    import yaml

    path = project_dir / "dbt_project.yml"
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text()) or {}
    return {k: v for k, v in (data.get("vars") or {}).items() if not isinstance(v, dict)}

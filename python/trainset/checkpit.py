"""Time travel: does any feature of a dataset see the future?

`trainset check-pit DATASET` builds the project twice into scratch DuckDB
files: on the whole raw export, and on the raw export as it was at a cutoff
C (the var pit_cutoff: rows whose declared row_time is at or after C are
left out, and later_times at or after C read as null, as the raw sources
declare them). A row of the dataset whose as_of is before C, present in
both builds, must have every feature equal: a feature that differs was
computed from data that did not exist yet at its as_of.

Labels and eligibility may differ (a ticket resolved after C) and are
reported apart. Current-state columns without history (the sources'
snapshot_columns) cannot be cut: the report names them, and the features
whose model lineage reaches them.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trainset.artifacts import Dataset, load_dataset, read_json
from trainset.errors import TrainsetError
from trainset.project import run_dbt

PERCENTILES = (0.25, 0.5, 0.75)
EXAMPLES = 5


@dataclass
class FeatureCheck:
    name: str
    compared: int
    differing: int
    examples: list[dict[str, Any]] = field(default_factory=list)  # id, full, cut


@dataclass
class CutoffCheck:
    cutoff: str
    features: list[FeatureCheck]
    label_differs: int
    only_in_full: int  # eligible with all the data, not at the cutoff
    only_in_cut: int

    @property
    def leaking(self) -> list[FeatureCheck]:
        return [f for f in self.features if f.differing]


@dataclass
class PitReport:
    dataset: str
    version: int | None
    as_of: str
    cutoffs: list[CutoffCheck]
    unchecked: dict[str, list[str]]  # source table -> its snapshot columns
    exposed: dict[str, list[str]]  # feature -> the source tables it reaches

    @property
    def leaking_features(self) -> list[str]:
        return sorted({f.name for c in self.cutoffs for f in c.leaking})

    def as_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return {**asdict(self), "leaking_features": self.leaking_features}


def _scratch_env(folder: Path) -> dict[str, str]:
    """A DuckDB file, target and log folder of the scratch build's own."""
    return {
        "TRAINSET_DB": str(folder / "trainset.duckdb"),
        "TRAINSET_TEMP_DIR": str(folder / "tmp"),
        "DBT_TARGET_PATH": str(folder / "target"),
        "DBT_LOG_PATH": str(folder / "logs"),
    }


def _dbt(
    project_dir: Path, folder: Path, args: list[str], vars_: dict[str, Any], quiet: bool
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    command = [*(["--quiet"] if quiet else []), *args, "--vars", json.dumps(vars_)]
    # In this process: a check runs several builds one after another, and
    # each would spend seconds starting dbt afresh.
    if not run_dbt(command, project_dir, env=_scratch_env(folder), in_process=True).ok:
        raise TrainsetError(
            f"dbt {args[0]} in {folder} failed (vars {json.dumps(vars_)}): "
            f"see {folder / 'logs' / 'dbt.log'}"
        )


def _scratch_build(
    project_dir: Path, folder: Path, model: str, target: str, vars_: dict[str, Any], quiet: bool
) -> Path:
    """dbt build of the model and what it is built from, tests left out,
    into folder's own DuckDB file and target; the DuckDB file."""
    args = ["build", "--select", f"+{model}", "--exclude", "resource_type:test"]
    _dbt(project_dir, folder, [*args, "resource_type:unit_test", "--target", target], vars_, quiet)
    return folder / "trainset.duckdb"


def cut_sources(manifest: dict[str, Any], dataset: Dataset) -> list[str]:
    """The raw sources the dataset is built from that declare a row_time:
    the ones the cut applies to."""
    found, todo, seen = [], [dataset.unique_id], set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        source = manifest.get("sources", {}).get(node)
        if source and (source.get("meta") or {}).get("row_time"):
            found.append(source["name"])
        todo.extend(manifest["parent_map"].get(node, []))
    return sorted(found)


def _relation(dataset: Dataset) -> str:
    """schema.identifier: the scratch files are attached under other names."""
    return ".".join(dataset.relation.split(".")[-2:])


def default_cutoffs(db: Path, dataset: Dataset, as_of: str) -> list[str]:
    """The 25th, 50th and 75th percentiles of the dataset's as_of."""
    import duckdb

    quantiles = ", ".join(str(p) for p in PERCENTILES)
    with duckdb.connect(str(db), read_only=True) as con:
        found = con.execute(
            f'select quantile_disc("{as_of}", [{quantiles}]) from {_relation(dataset)}'
        ).fetchall()[0][0]
    if not found or any(v is None for v in found):
        raise TrainsetError(f"{dataset.name} has no {as_of} values to take cutoffs from")
    # str(): a DATE as_of comes back as a date, a TIMESTAMP as a datetime.
    return sorted({str(v) for v in found})


def compare(full: Path, cut: Path, dataset: Dataset, as_of: str, cutoff: str) -> CutoffCheck:
    """Every feature of the rows before the cutoff, in both builds."""
    import duckdb

    ident = dataset.one("id").name
    label = dataset.one("label").name
    features = [c.name for c in dataset.role("feature")]
    relation = _relation(dataset)
    literal = "'" + cutoff.replace("'", "''") + "'"
    with duckdb.connect() as con:
        con.execute(f"attach '{full}' as full_build (read_only)")
        con.execute(f"attach '{cut}' as cut_build (read_only)")
        con.execute(
            f"""
            create temp view before_cutoff as
            select * from full_build.{relation}
            where "{as_of}" < cast({literal} as timestamp)
            """
        )
        pairs = f"""
            from before_cutoff as f
            inner join cut_build.{relation} as c on f."{ident}" = c."{ident}"
        """
        checks = []
        for feature in features:
            compared, differing = con.execute(
                f"""select count(*), count(*) filter (where f."{feature}"
                is distinct from c."{feature}") {pairs}"""
            ).fetchall()[0]
            examples = con.execute(
                f"""select f."{ident}", cast(f."{feature}" as varchar),
                cast(c."{feature}" as varchar) {pairs}
                where f."{feature}" is distinct from c."{feature}"
                order by f."{ident}" limit {EXAMPLES}"""
            ).fetchall()
            checks.append(
                FeatureCheck(
                    feature,
                    compared,
                    differing,
                    [{"id": str(i), "full": a, "cut": b} for i, a, b in examples],
                )
            )
        label_differs = con.execute(
            f'select count(*) {pairs} where f."{label}" is distinct from c."{label}"'
        ).fetchall()[0][0]
        only_full = con.execute(
            f"""select count(*) from before_cutoff as f where not exists (select 1
            from cut_build.{relation} as c where c."{ident}" = f."{ident}")"""
        ).fetchall()[0][0]
        only_cut = con.execute(
            f"""select count(*) from cut_build.{relation} as c
            where c."{as_of}" < cast({literal} as timestamp) and not exists (select 1
            from before_cutoff as f where f."{ident}" = c."{ident}")"""
        ).fetchall()[0][0]
    return CutoffCheck(cutoff, checks, label_differs, only_full, only_cut)


def snapshot_exposure(
    manifest: dict[str, Any], dataset: Dataset
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The sources' snapshot columns, and for each feature the source
    tables with snapshot columns that its lineage reaches, at the model
    level: through the parent models that declare a column of its name."""
    nodes = {**manifest["nodes"], **manifest.get("sources", {})}
    snapshots = {
        uid: list((node.get("meta") or {}).get("snapshot_columns") or [])
        for uid, node in manifest.get("sources", {}).items()
        if (node.get("meta") or {}).get("snapshot_columns")
    }
    unchecked = {nodes[uid]["name"]: cols for uid, cols in snapshots.items()}

    def reaches(uid: str) -> set[str]:
        seen, todo, found = set(), [uid], set()
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            if node in snapshots:
                found.add(nodes[node]["name"])
            todo.extend(manifest["parent_map"].get(node, []))
        return found

    exposed = {}
    parents = manifest["parent_map"].get(dataset.unique_id, [])
    for feature in dataset.role("feature"):
        # The parents that carry the column; all of them if none declares it.
        carriers = [
            p for p in parents if feature.name in (nodes.get(p, {}).get("columns") or {})
        ] or parents
        tables = sorted(set().union(*(reaches(p) for p in carriers))) if carriers else []
        if tables:
            exposed[feature.name] = tables
    return unchecked, exposed


def check_pit(
    project_dir: Path,
    name: str,
    version: int | None = None,
    cutoffs: list[str] | None = None,
    vars_: dict[str, Any] | None = None,
    keep: Path | None = None,
    quiet: bool = True,
    on_step: Callable[[str], None] | None = None,
) -> PitReport:
    """Build in scratch warehouses, compare at each cutoff; see the module."""
    from trainset.warehouse import profile_output

    step = on_step or (lambda _: None)
    target, output = profile_output(project_dir)
    if output.get("type") != "duckdb":
        raise TrainsetError(
            "check-pit builds its scratch warehouses with the duckdb target only: "
            "on Spark, each cut would need a warehouse and a metastore of its own"
        )
    vars_ = dict(vars_ or {})
    scratch = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="trainset-check-pit-"))
    try:
        step("reading the project")
        _dbt(project_dir, scratch / "full", ["parse"], vars_, quiet)
        manifest = read_json(scratch / "full" / "target" / "manifest.json", "dbt manifest")
        dataset = load_dataset(project_dir, name, version, target=scratch / "full" / "target")
        as_of_columns = dataset.role("as_of")
        if not as_of_columns:
            raise TrainsetError(
                f"{name} v{dataset.version} has no column with meta.role 'as_of': "
                "check-pit compares rows by the time they were known"
            )
        as_of = as_of_columns[0].name
        if not cut_sources(manifest, dataset):
            raise TrainsetError(
                f"{name} v{dataset.version} is built from no raw source that declares a "
                "row_time in its meta: check-pit has nothing to cut (see the desk sources)"
            )
        model = name
        step("building on all the raw data")
        full = _scratch_build(project_dir, scratch / "full", model, target, vars_, quiet)
        chosen = cutoffs or default_cutoffs(full, dataset, as_of)
        results = []
        for i, cutoff in enumerate(chosen, 1):
            step(f"building the raw data as it was at {cutoff} ({i} of {len(chosen)})")
            cut = _scratch_build(
                project_dir,
                scratch / f"cut-{i}",
                model,
                target,
                {**vars_, "pit_cutoff": cutoff},
                quiet,
            )
            step(f"comparing at {cutoff}")
            results.append(compare(full, cut, dataset, as_of, cutoff))
        unchecked, exposed = snapshot_exposure(manifest, dataset)
        return PitReport(name, dataset.version, as_of, results, unchecked, exposed)
    finally:
        if not keep:
            shutil.rmtree(scratch, ignore_errors=True)

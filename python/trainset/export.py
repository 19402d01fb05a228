"""Export a built dataset version as split files, a manifest and a card.

Layout: OUT/DATASET/vN/{SPLIT/features.EXT, SPLIT/labels.EXT, manifest.json,
README.md}. Files are written by the engine that built the dataset (DuckDB's
COPY, or Spark's writer), sorted by the id, into a temporary folder beside
the target and renamed into place, so an interrupted export leaves the
previous state intact.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from trainset import record
from trainset.artifacts import Dataset, load_dataset
from trainset.errors import TrainsetError
from trainset.manifest import (
    FEATURES,
    FORMATS,
    LABELS,
    MANIFEST_FILE,
    ExportOptions,
    GitState,
    LabelStats,
    Manifest,
    Roles,
    Scores,
    SplitFacts,
    WrittenFiles,
    build_manifest,
    data_file,
    read_manifest,
    same_content,
    verify_export,
    write_manifest,
)
from trainset.project import git
from trainset.warehouse import EngineError, is_numeric, is_text, open_warehouse

SPLIT_ORDER = ("train", "validation", "test")
SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
# Spreadsheets run cells that start with these as formulas.
FORMULA_PREFIXES = ("=", "+", "-", "@")


@dataclass
class ExportResult:
    path: Path
    status: str  # written, unchanged or replaced
    manifest: Manifest


class Warehouse(Protocol):
    """What an export needs of a warehouse (warehouse.py's DuckDB or Spark)."""

    writer: str

    def quote(self, name: str) -> str: ...
    def rows(self, query: str) -> list[tuple[Any, ...]]: ...
    def column_types(self, relation: str) -> dict[str, str]: ...
    def quantile(self, quoted: str, fraction: float) -> str: ...
    def write(self, query: str, id_col: str, path: Path, fmt: str, required: set[str]) -> None: ...


def _git_state(project_dir: Path) -> GitState:
    commit = git(["rev-parse", "HEAD"], project_dir, check=False, timeout=30)
    status = git(["status", "--porcelain"], project_dir, check=False, timeout=30)
    return GitState(commit=commit, dirty=bool(status) if status is not None else None)


def check_gate(dataset: Dataset, allow_failed_tests: bool, where: str = "the warehouse") -> None:
    """Refuse a dataset the warehouse's record has no build of, whose
    latest build failed (naming why), or whose tests fail."""
    label = f"{dataset.name} v{dataset.version}"
    refused = record.refusal(dataset, where)
    if refused and not (allow_failed_tests and dataset.record and dataset.record.built):
        raise TrainsetError(refused)
    failing = dataset.failing_tests
    if failing and not allow_failed_tests:
        names = ", ".join(f"{t.name} ({t.status})" for t in failing)
        raise TrainsetError(
            f"{label} has {len(failing)} failing test(s): {names}; fix them, "
            "or export anyway with --allow-failed-tests"
        )


def _safe_child(root: Path, *parts: str) -> Path:
    """root/parts, refusing anything that would leave root."""
    for part in parts:
        if not SAFE_NAME.match(part):
            raise TrainsetError(f"refusing unsafe path component {part!r}")
    path = root.joinpath(*parts)
    if root.resolve() not in path.resolve().parents:
        raise TrainsetError(f"refusing to write outside {root}: {path}")
    return path


def _clean_stale_temporaries(parent: Path) -> None:
    """Remove temporary folders left by exports that were killed."""
    for stale in parent.glob(".*.tmp-*"):
        pid = stale.name.split(".tmp-")[-1].split("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def export_dataset(
    project_dir: Path,
    name: str,
    version: int | None = None,
    out: Path = Path("exports"),
    fmt: str = "parquet",
    allow_failed_tests: bool = False,
    force: bool = False,
    csv_safe: bool = False,
    on_step: Callable[[str], None] | None = None,
    dbt_target: Path | None = None,
    db: Path | None = None,
    profile_target: str | None = None,
    record_fallback: bool = False,
) -> ExportResult:
    """Export one version of a dataset; see the module docstring.

    dbt_target and db name dbt's target folder and the DuckDB file when they
    are not the project's own (DBT_TARGET_PATH, TRAINSET_DB); target names
    the profile target (profile_target) to read. The rows and the test outcomes both come
    from that one warehouse. record_fallback reads a warehouse that has no
    build record through dbt_target's run_results.json instead: only for a
    target folder that one build wrote alone (trainset review's base side).
    """
    if fmt not in FORMATS:
        raise TrainsetError(f"unknown format {fmt!r}: use parquet, csv or jsonl")
    if csv_safe and fmt != "csv":
        raise TrainsetError("--csv-safe applies to --format csv only")
    step = on_step or (lambda _: None)
    dataset = load_dataset(project_dir, name, version, target=dbt_target)
    place = record.locate(project_dir, dbt_target, profile_target, db)
    id_col = dataset.one("id")
    features = dataset.role("feature")
    if not features:
        raise TrainsetError(f"{name} has no column with meta.role 'feature'")
    if dataset.scores:
        # A scoring model: features only, those of its training dataset.
        training = scoring_check(project_dir, dataset, dbt_target)
        label_name = split_name = None
    else:
        training = None
        label_name, split_name = dataset.one("label").name, dataset.one("split").name
    roles = Roles(
        id=id_col.name,
        label=label_name,
        split=split_name,
        features=[f.name for f in features],
    )

    out = Path(out)
    parent = _safe_child(out, name)
    target = _safe_child(out, name, f"v{dataset.version}")
    temporary: Path | None = None
    try:
        # One connection for the record and the rows: the data and its
        # test outcomes come from the same warehouse state.
        with open_warehouse(project_dir, place.adapter, place.target, db) as warehouse:
            step("reading the build record")
            runs = record.read_runs(warehouse, place.schema, record.watched(dataset))
            if runs is None and record_fallback and dbt_target is not None:
                runs = record.runs_from_run_results(Path(dbt_target) / "run_results.json")
            dataset = record.with_record(dataset, runs or [], dataset.vars)
            dataset.adapter = place.adapter
            check_gate(dataset, allow_failed_tests, place.where)
            temporary = _temporary_folder(parent, dataset.version)
            options = ExportOptions(roles, fmt, csv_safe, allow_failed_tests, scores=training)
            manifest = _write_version(project_dir, dataset, warehouse, temporary, options, step)
        return _publish(temporary, target, manifest, force)
    except OSError as error:
        raise TrainsetError(
            f"cannot write the export into {parent}: {error.strerror or error}; "
            "the previous version is untouched"
        ) from None
    except EngineError as error:
        raise TrainsetError(
            f"cannot write the export into {parent}: {error}; the previous version is untouched"
        ) from None
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)


def _temporary_folder(parent: Path, version: int | None) -> Path:
    """A fresh folder beside the version's, renamed into place when done."""
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise TrainsetError(f"cannot create {parent}: {error.strerror}") from None
    _clean_stale_temporaries(parent)
    temporary = parent / f".v{version}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        temporary.mkdir()
    except OSError as error:
        raise TrainsetError(f"cannot write into {parent}: {error.strerror}") from None
    return temporary


def _write_version(
    project_dir: Path,
    dataset: Dataset,
    warehouse: Warehouse,
    folder: Path,
    options: ExportOptions,
    step: Callable[[str], None],
) -> Manifest:
    """The split files, then the manifest and card that describe them."""
    written = _write_split_files(dataset, warehouse, folder, options, step)
    step("checksums")
    manifest = build_manifest(
        dataset,
        folder,
        options,
        written,
        writer=warehouse.writer,
        git=_git_state(project_dir),
        provenance=_provenance(warehouse, dataset),
    )
    step("manifest and card")
    write_manifest(folder, manifest)
    return manifest


def _write_split_files(
    dataset: Dataset,
    warehouse: Warehouse,
    folder: Path,
    options: ExportOptions,
    step: Callable[[str], None],
) -> WrittenFiles:
    roles, fmt, csv_safe = options.roles, options.format, options.csv_safe
    id_col, label_col, split_col, feature_cols = roles.id, roles.label, roles.split, roles.features
    splits: dict[str, SplitFacts] = {}
    formula_cells = 0
    q = warehouse.quote
    relation = dataset.relation
    types = warehouse.column_types(relation)
    if dataset.task == "regression" and not is_numeric(types.get(label_col or "", "")):
        raise TrainsetError(
            f"{dataset.name} is a regression (meta.task) but its label {label_col} is "
            f"{types.get(label_col or '')}, not a number"
        )
    labelled = [id_col, *([label_col] if label_col else [])]
    nulls, total = _null_counts(warehouse, relation, [*labelled, *feature_cols])
    required = {c for c, n in nulls.items() if n == 0}
    # Features with no value at all (an optional raw table was absent):
    # the card names them, profile and baseline leave them out.
    all_null = [c for c in feature_cols if total and nulls[c] == total]
    parts: list[tuple[str | None, str]] = [(None, "")]
    if split_col is not None:
        found = [r[0] for r in warehouse.rows(f"select distinct {q(split_col)} from {relation}")]
        if None in found:
            raise TrainsetError(f"{dataset.name} has rows with a null {split_col}")
        order = sorted(
            found,
            key=lambda s: (
                SPLIT_ORDER.index(s) if s in SPLIT_ORDER else len(SPLIT_ORDER),
                s,
            ),
        )
        for split in order:
            _safe_child(folder, split)
        parts = [(split, f"where {q(split_col)} = {_literal(split)}") for split in order]
    kinds = [(FEATURES, feature_cols), *([(LABELS, [label_col])] if label_col else [])]
    for split, where in parts:
        for kind, cols in kinds:
            name = data_file(kind, split, fmt)
            (folder / name).parent.mkdir(exist_ok=True)
            step(name)
            selected = [q(id_col), *(q(c) for c in cols)]
            if csv_safe:
                selected = [q(id_col), *(_neutralised(q(c), types[c]) for c in cols)]
            warehouse.write(
                f"select {', '.join(selected)} from {relation} {where}",
                id_col,
                folder / name,
                fmt,
                required,
            )
            text = [c for c in [id_col, *cols] if is_text(types.get(c, ""))]
            if fmt == "csv" and not csv_safe and text:
                formula_cells += _formula_cells(warehouse, relation, where, text)
        if split is None or label_col is None:
            continue
        if dataset.task == "regression":
            facts = label_statistics(warehouse, relation, where, label_col)
        else:
            counts = warehouse.rows(
                f"select {q(label_col)}, count(*) from {relation} {where} group by 1 order by 1"
            )
            facts = SplitFacts(
                rows=sum(n for _, n in counts),
                labels={str(label): n for label, n in counts},
            )
        for column in dataset.role("as_of")[:1]:
            # The time the split covers: under a time split, train ends
            # before validation starts.
            first, last = warehouse.rows(
                f"select min({q(column.name)}), max({q(column.name)}) from {relation} {where}"
            )[0]
            facts.as_of_range = [str(first), str(last)]
        splits[split] = facts
    return WrittenFiles(types, splits, total, all_null, formula_cells)


def scoring_check(project_dir: Path, dataset: Dataset, dbt_target: Path | None) -> Scores:
    """The training dataset a scoring model names, whose features it must
    give in the same order; refused in one line otherwise."""
    scores = dataset.scores or {}
    if not isinstance(scores, dict) or not scores.get("dataset"):
        raise TrainsetError(
            f"{dataset.name} has meta.scores {scores!r}: give {{dataset: NAME, version: N}}"
        )
    if dataset.role("label") or dataset.role("split"):
        raise TrainsetError(
            f"{dataset.name} is a scoring model (meta.scores) but has a label or split column"
        )
    training = load_dataset(project_dir, scores["dataset"], scores.get("version"), dbt_target)
    wanted = [c.name for c in training.role("feature")]
    given = [c.name for c in dataset.role("feature")]
    if given != wanted:
        raise TrainsetError(
            f"{dataset.name}'s features ({', '.join(given)}) are not {training.name} "
            f"v{training.version}'s ({', '.join(wanted)}) in the same order"
        )
    return Scores(dataset=training.name, version=training.version, features=wanted)


def _provenance(warehouse: Warehouse, dataset: Dataset) -> dict[str, list[dict[str, Any]]]:
    """The rows of the models that describe the build's inputs, by kind."""
    found = {}
    for kind, relation in sorted(dataset.provenance.items()):
        # The same file under another name: drop DuckDB's catalog.
        relation = ".".join(relation.split(".")[-2:])
        columns = list(warehouse.column_types(relation))
        # Sorted, so one build gives one manifest: a grouped view's rows
        # come back in whatever order the engine's threads finish.
        listed = ", ".join(warehouse.quote(c) for c in columns)
        rows = warehouse.rows(f"select {listed} from {relation} order by {listed} limit 1000")
        found[kind] = [
            {
                c: (v if v is None or isinstance(v, (bool, int, float)) else str(v))
                for c, v in zip(columns, row, strict=True)
            }
            for row in rows
        ]
    return found


def _literal(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _null_counts(
    warehouse: Warehouse, relation: str, columns: list[str]
) -> tuple[dict[str, int], int]:
    """Nulls per column, and rows. The columns with none are required:
    DuckDB's writer marks them so in Parquet (it knows from its
    statistics); Spark's writer is told."""
    q = warehouse.quote
    counts = warehouse.rows(
        "select count(*), "
        + ", ".join(f"coalesce(count_if({q(c)} is null), 0)" for c in columns)
        + f" from {relation}"
    )[0]
    return dict(zip(columns, counts[1:], strict=True)), counts[0]


def label_statistics(warehouse: Warehouse, relation: str, where: str, label: str) -> SplitFacts:
    """A numeric label's rows and statistics in one split, rounded to 6
    decimals so that both engines write the same figures."""
    c = warehouse.quote(label)
    quartiles = ", ".join(warehouse.quantile(c, f) for f in (0.25, 0.5, 0.75))
    row = warehouse.rows(
        f"select count(*), avg({c}), stddev_samp({c}), min({c}), {quartiles}, max({c}) "
        f"from {relation} {where}"
    )[0]
    stats = [None if value is None else round(float(value), 6) for value in row[1:]]
    return SplitFacts(rows=row[0], label_stats=LabelStats(*stats))


def _neutralised(quoted: str, data_type: str) -> str:
    """A text column with formula-like cells prefixed by a quote."""
    if not is_text(data_type):
        return quoted
    prefixes = ", ".join(_literal(p) for p in FORMULA_PREFIXES)
    return (
        f"case when left({quoted}, 1) in ({prefixes}) then '''' || {quoted} "
        f"else {quoted} end as {quoted}"
    )


def _formula_cells(warehouse: Warehouse, relation: str, where: str, text: list[str]) -> int:
    """Cells of the text columns that a spreadsheet would run as formulas."""
    prefixes = ", ".join(_literal(p) for p in FORMULA_PREFIXES)
    # coalesce: DuckDB's count_if over nothing but nulls is null, not 0.
    terms = " + ".join(
        f"coalesce(count_if(left({warehouse.quote(c)}, 1) in ({prefixes})), 0)" for c in text
    )
    return int(warehouse.rows(f"select {terms} from {relation} {where}")[0][0])


def _existing(target: Path) -> Manifest | None:
    """The manifest already in target; None when there is none, or one this
    trainset cannot read (then the version is replaced only with --force)."""
    if not (target / MANIFEST_FILE).is_file():
        return None
    try:
        return read_manifest(target)
    except TrainsetError:
        return None


def _publish(temporary: Path, target: Path, manifest: Manifest, force: bool) -> ExportResult:
    if target.is_symlink():
        raise TrainsetError(f"refusing to replace {target}: it is a symbolic link")
    if target.exists():
        # The same data, whatever wrote the manifest (an older trainset, an
        # earlier schema version): the version is unchanged.
        existing = _existing(target)
        same = (
            existing is not None
            and same_content(existing, manifest)
            and not verify_export(target, raise_on_error=False)
        )
        if same and existing is not None:
            return ExportResult(target, "unchanged", existing)
        if not force:
            raise TrainsetError(
                f"{target} already holds different data: versions are immutable; "
                "bump the model version, or replace it with --force"
            )
        backup = target.with_name(f".{target.name}.old-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        os.rename(target, backup)
        try:
            os.rename(temporary, target)
        except OSError:
            os.rename(backup, target)
            raise
        shutil.rmtree(backup, ignore_errors=True)
        return ExportResult(target, "replaced", manifest)
    os.rename(temporary, target)
    return ExportResult(target, "written", manifest)

"""Export a built dataset version as split files, a manifest and a card.

Layout: OUT/DATASET/vN/{SPLIT/features.EXT, SPLIT/labels.EXT, manifest.json,
README.md}. Files are written by the engine that built the dataset (DuckDB's
COPY, or Spark's writer), sorted by the id, into a temporary folder beside
the target and renamed into place, so an interrupted export leaves the
previous state intact.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from trainset import __version__, record
from trainset.artifacts import Dataset, load_dataset
from trainset.card import render_card
from trainset.errors import TrainsetError
from trainset.project import git
from trainset.warehouse import EngineError, is_numeric, is_text, open_warehouse

FORMATS = {"parquet": "parquet", "csv": "csv", "jsonl": "jsonl"}
SPLIT_ORDER = ("train", "validation", "test")
SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
# Spreadsheets run cells that start with these as formulas.
FORMULA_PREFIXES = ("=", "+", "-", "@")


@dataclass
class ExportResult:
    path: Path
    status: str  # written, unchanged or replaced
    manifest: dict


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _git_state(project_dir: Path) -> dict:
    commit = git(["rev-parse", "HEAD"], project_dir, check=False, timeout=30)
    status = git(["status", "--porcelain"], project_dir, check=False, timeout=30)
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


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
            manifest = _write_version(
                project_dir,
                dataset,
                warehouse,
                temporary,
                fmt,
                csv_safe,
                allow_failed_tests,
                id_col.name,
                label_name,
                split_name,
                [f.name for f in features],
                step,
            )
            if training is not None:
                manifest["scores"] = training
                _write_manifest(temporary, manifest)
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
    warehouse,
    folder: Path,
    fmt: str,
    csv_safe: bool,
    allow_failed_tests: bool,
    id_col: str,
    label_col: str | None,
    split_col: str | None,
    feature_cols: list[str],
    step: Callable[[str], None],
) -> dict:
    ext = FORMATS[fmt]
    files = []
    splits: dict[str, dict] = {}
    formula_cells = 0
    q = warehouse.quote
    relation = dataset.relation
    types = warehouse.column_types(relation)
    if dataset.task == "regression" and not is_numeric(types.get(label_col, "")):
        raise TrainsetError(
            f"{dataset.name} is a regression (meta.task) but its label {label_col} is "
            f"{types.get(label_col)}, not a number"
        )
    labelled = [id_col, *([label_col] if label_col else [])]
    nulls, total = _null_counts(warehouse, relation, [*labelled, *feature_cols])
    required = {c for c, n in nulls.items() if n == 0}
    # Features with no value at all (an optional raw table was absent):
    # the card names them, profile and baseline leave them out.
    all_null = [c for c in feature_cols if total and nulls[c] == total]
    parts: list[tuple[str | None, Path, str]] = [(None, folder, "")]
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
        parts = [
            (split, _safe_child(folder, split), f"where {q(split_col)} = {_literal(split)}")
            for split in order
        ]
    kinds = [("features", feature_cols), *([("labels", [label_col])] if label_col else [])]
    for split, split_dir, where in parts:
        split_dir.mkdir(exist_ok=True)
        for kind, cols in kinds:
            step(f"{split}/{kind}.{ext}" if split else f"{kind}.{ext}")
            selected = [q(id_col), *(q(c) for c in cols)]
            if csv_safe:
                selected = [q(id_col), *(_neutralised(q(c), types[c]) for c in cols)]
            warehouse.write(
                f"select {', '.join(selected)} from {relation} {where}",
                id_col,
                split_dir / f"{kind}.{ext}",
                fmt,
                required,
            )
            text = [c for c in [id_col, *cols] if is_text(types.get(c, ""))]
            if fmt == "csv" and not csv_safe and text:
                formula_cells += _formula_cells(warehouse, relation, where, text)
        if split is None or label_col is None:
            continue
        if dataset.task == "regression":
            splits[split] = label_statistics(warehouse, relation, where, label_col)
        else:
            counts = warehouse.rows(
                f"select {q(label_col)}, count(*) from {relation} {where} group by 1 order by 1"
            )
            splits[split] = {
                "rows": sum(n for _, n in counts),
                "labels": {str(label): n for label, n in counts},
            }
        for column in dataset.role("as_of")[:1]:
            # The time the split covers: under a time split, train ends
            # before validation starts.
            first, last = warehouse.rows(
                f"select min({q(column.name)}), max({q(column.name)}) from {relation} {where}"
            )[0]
            splits[split]["as_of_range"] = [str(first), str(last)]
    writer = warehouse.writer
    provenance = _provenance(warehouse, dataset)
    step("checksums")
    for path in sorted(p for p in folder.rglob(f"*.{ext}")):
        files.append(
            {
                "path": path.relative_to(folder).as_posix(),
                "bytes": path.stat().st_size,
                "sha256": sha256_of(path),
            }
        )
    tests = [{k: v for k, v in asdict(t).items() if k != "parents"} for t in dataset.tests]
    latest = dataset.record.latest if dataset.record else None
    summary: dict[str, int] = {}
    for t in dataset.tests:
        summary[t.status] = summary.get(t.status, 0) + 1
    manifest = {
        "trainset_version": __version__,
        "dataset": dataset.name,
        "version": dataset.version,
        "latest_version": dataset.latest_version,
        "description": dataset.description,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "format": fmt,
        # Which engine wrote the files: checksums differ between writers,
        # the content does not.
        "writer": writer,
        "dbt": {
            "unique_id": dataset.unique_id,
            "relation": dataset.relation,
            "dbt_version": dataset.dbt_version,
            "adapter": dataset.adapter,
            "target": dataset.dbt_target,
            "invocation_id": dataset.invocation_id,
            "built_at": dataset.generated_at,
            # The newest build that tried the dataset: another invocation
            # than the one above when --allow-failed-tests exported an
            # earlier build because the newest one failed or skipped it.
            "latest_attempt": {
                "invocation_id": latest.invocation_id,
                "status": latest.status,
                "started_at": latest.when,
            }
            if latest
            else None,
        },
        "git": _git_state(project_dir),
        "vars": dataset.vars,
        "columns": [
            {
                "name": c.name,
                "role": c.role,
                "data_type": types.get(c.name, c.data_type),
                "description": c.description,
            }
            for c in dataset.columns
        ],
        "all_null_features": all_null,
        # classification: splits count the labels; regression: splits give
        # the label's statistics (label_stats).
        "task": "scoring" if split_col is None else dataset.task,
        "roles": {
            "id": id_col,
            "label": label_col,
            "split": split_col,
            "features": feature_cols,
        },
        "splits": splits,
        "files": files,
        "tests": {"summary": summary, "results": tests},
        "exposures": dataset.exposures,
        # What the build's inputs were: the taxonomy, the raw tables found.
        "provenance": provenance,
        "allow_failed_tests": allow_failed_tests,
        "failing_tests_overridden": [t.name for t in dataset.failing_tests]
        if allow_failed_tests
        else [],
        "csv_safe": csv_safe,
        "csv_formula_cells": formula_cells,
    }
    if split_col is None:
        manifest["rows"] = total
    step("manifest and card")
    _write_manifest(folder, manifest)
    return manifest


def _write_manifest(folder: Path, manifest: dict) -> None:
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")
    (folder / "README.md").write_text(render_card(manifest))


def scoring_check(project_dir: Path, dataset: Dataset, dbt_target: Path | None) -> dict:
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
    return {"dataset": training.name, "version": training.version, "features": wanted}


def _provenance(warehouse, dataset: Dataset) -> dict[str, list[dict]]:
    """The rows of the models that describe the build's inputs, by kind."""
    found = {}
    for kind, relation in sorted(dataset.provenance.items()):
        # The same file under another name: drop DuckDB's catalog.
        relation = ".".join(relation.split(".")[-2:])
        columns, rows = warehouse.head(relation, 1000)
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


def _null_counts(warehouse, relation: str, columns: list[str]) -> tuple[dict[str, int], int]:
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


def label_statistics(warehouse, relation: str, where: str, label: str) -> dict:
    """A numeric label's rows and statistics in one split, rounded to 6
    decimals so that both engines write the same figures."""
    c = warehouse.quote(label)
    quartiles = ", ".join(warehouse.quantile(c, f) for f in (0.25, 0.5, 0.75))
    row = warehouse.rows(
        f"select count(*), avg({c}), stddev_samp({c}), min({c}), {quartiles}, max({c}) "
        f"from {relation} {where}"
    )[0]
    names = ("mean", "std", "min", "p25", "median", "p75", "max")
    return {
        "rows": row[0],
        "label_stats": {
            name: None if value is None else round(float(value), 6)
            for name, value in zip(names, row[1:], strict=True)
        },
    }


def _neutralised(quoted: str, data_type: str) -> str:
    """A text column with formula-like cells prefixed by a quote."""
    if not is_text(data_type):
        return quoted
    prefixes = ", ".join(_literal(p) for p in FORMULA_PREFIXES)
    return (
        f"case when left({quoted}, 1) in ({prefixes}) then '''' || {quoted} "
        f"else {quoted} end as {quoted}"
    )


def _formula_cells(warehouse, relation: str, where: str, text: list[str]) -> int:
    """Cells of the text columns that a spreadsheet would run as formulas."""
    prefixes = ", ".join(_literal(p) for p in FORMULA_PREFIXES)
    # coalesce: DuckDB's count_if over nothing but nulls is null, not 0.
    terms = " + ".join(
        f"coalesce(count_if(left({warehouse.quote(c)}, 1) in ({prefixes})), 0)" for c in text
    )
    return warehouse.rows(f"select {terms} from {relation} {where}")[0][0]


def _data_checksums(manifest: dict) -> dict[str, str]:
    return {f["path"]: f["sha256"] for f in manifest["files"]}


def _publish(temporary: Path, target: Path, manifest: dict, force: bool) -> ExportResult:
    if target.is_symlink():
        raise TrainsetError(f"refusing to replace {target}: it is a symbolic link")
    if target.exists():
        existing_path = target / "manifest.json"
        existing = json.loads(existing_path.read_text()) if existing_path.is_file() else None
        same = (
            existing is not None
            and _data_checksums(existing) == _data_checksums(manifest)
            and not verify_export(target, raise_on_error=False)
        )
        if same:
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


def verify_export(path: Path, raise_on_error: bool = True) -> list[str]:
    """Re-hash an exported version against its manifest; the problems found.

    Raises TrainsetError naming the first bad file when raise_on_error.
    """
    path = Path(path)
    manifest_path = path / "manifest.json"
    if not manifest_path.is_file():
        problems = [f"{manifest_path}: missing"]
    else:
        try:
            manifest = json.loads(manifest_path.read_text())
            entries = manifest["files"]
        except (json.JSONDecodeError, KeyError, TypeError):
            entries = None
        problems = [] if entries is not None else [f"{manifest_path}: not a trainset manifest"]
        for entry in entries or []:
            file = path / entry["path"]
            if not file.is_file():
                problems.append(f"{file}: missing")
            elif file.stat().st_size != entry["bytes"] or sha256_of(file) != entry["sha256"]:
                problems.append(f"{file}: checksum mismatch")
    if problems and raise_on_error:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise TrainsetError(f"verify failed: {problems[0]}{more}")
    return problems

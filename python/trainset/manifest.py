"""The export format: one version folder's manifest, its files and checks.

This module owns what an exported version is. The typed model below
(Manifest and its parts) is the manifest.json on disk, key for key and in
the same order; read_manifest, write_version and verify_export read, write
and re-hash it; the file names of a version folder are here; and so is the
rule that sorts feature columns into numeric, categorical and text.

Schema versions: 1 is the shape with "schema_version". A manifest without
the key is the pre-versioned shape, read as version 0 (the keys that came
later get the values older exports meant). A newer version is refused in
one line. docs/manifest.schema.json is generated from the model
(json_schema) and a test keeps the two equal.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import types
import typing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainset.card import render_card
from trainset.errors import TrainsetError

# The type names in a manifest are the engines' own: warehouse.py reads them.
from trainset.warehouse import is_numeric

if TYPE_CHECKING:
    import pandas as pd

    from trainset.artifacts import Dataset

SCHEMA_VERSION = 1
MANIFEST_FILE = "manifest.json"
CARD_FILE = "README.md"
FORMATS = ("parquet", "csv", "jsonl")
TASKS = ("classification", "regression", "scoring")
FEATURES, LABELS = "features", "labels"

# A key written only by some exports (a scoring export's rows and scores,
# a split's label counts or statistics): left out of the JSON when None.
OPTIONAL = {"optional": True}


@dataclass
class Column:
    name: str
    role: str | None
    data_type: str | None
    description: str | None


@dataclass
class Roles:
    id: str
    label: str | None
    split: str | None
    features: list[str]


@dataclass
class LabelStats:
    mean: float | None
    std: float | None
    min: float | None
    p25: float | None
    median: float | None
    p75: float | None
    max: float | None


@dataclass
class SplitFacts:
    rows: int
    # classification: rows per label; regression: the label's statistics.
    labels: dict[str, int] | None = field(default=None, metadata=OPTIONAL)
    label_stats: LabelStats | None = field(default=None, metadata=OPTIONAL)
    as_of_range: list[str] | None = field(default=None, metadata=OPTIONAL)


@dataclass
class FileEntry:
    path: str
    bytes: int
    sha256: str


@dataclass
class DbtTestResult:
    name: str
    unique_id: str
    status: str
    failures: int | None
    attached_to: str
    message: str | None = None
    invocation_id: str | None = None


@dataclass
class DbtTests:
    summary: dict[str, int]
    results: list[DbtTestResult]


@dataclass
class LatestAttempt:
    invocation_id: str | None
    status: str | None
    started_at: str | None


@dataclass
class DbtBuild:
    unique_id: str
    relation: str
    dbt_version: str
    adapter: str
    target: str | None
    invocation_id: str | None
    built_at: str | None
    # The newest build that tried the dataset: another invocation than the
    # one above when --allow-failed-tests exported an earlier build.
    latest_attempt: LatestAttempt | None = None


@dataclass
class GitState:
    commit: str | None
    dirty: bool | None


@dataclass
class Scores:
    """A scoring export's training dataset, whose features it gives in order."""

    dataset: str
    version: int | None
    features: list[str]


@dataclass
class Manifest:
    schema_version: int
    trainset_version: str
    dataset: str
    version: int | None
    latest_version: int | None
    description: str | None
    created_at: str
    format: str
    # Which engine wrote the files: checksums differ between writers, the
    # content does not.
    writer: str | None
    dbt: DbtBuild
    git: GitState
    vars: dict[str, Any]
    columns: list[Column]
    all_null_features: list[str]
    task: str
    roles: Roles
    splits: dict[str, SplitFacts]
    files: list[FileEntry]
    tests: DbtTests
    exposures: list[dict[str, Any]]
    # What the build's inputs were: the taxonomy, the raw tables found.
    provenance: dict[str, list[dict[str, Any]]]
    allow_failed_tests: bool
    failing_tests_overridden: list[str]
    csv_safe: bool
    csv_formula_cells: int
    rows: int | None = field(default=None, metadata=OPTIONAL)
    scores: Scores | None = field(default=None, metadata=OPTIONAL)

    @property
    def regression(self) -> bool:
        return self.task == "regression"

    @property
    def label(self) -> str:
        """The label column of a training export."""
        if self.roles.label is None:
            raise TrainsetError(f"{self.dataset} v{self.version} is a scoring export: no label")
        return self.roles.label

    @property
    def total_rows(self) -> int:
        return self.rows if self.rows is not None else sum(s.rows for s in self.splits.values())

    def class_labels(self) -> list[str]:
        """Every label of a classification, over all splits, sorted."""
        return sorted({label for s in self.splits.values() for label in s.labels or {}})

    def column_type(self, name: str) -> str | None:
        return next((c.data_type for c in self.columns if c.name == name), None)

    def columns_with_role(self, role: str) -> list[Column]:
        return [c for c in self.columns if c.role == role]

    def checksums(self) -> dict[str, str]:
        return {f.path: f.sha256 for f in self.files}

    def data_file(self, kind: str, split: str | None) -> str:
        return data_file(kind, split, self.format)

    def to_dict(self) -> dict[str, Any]:
        return typing.cast(dict[str, Any], _dump(self))

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, default=str) + "\n"


def data_file(kind: str, split: str | None, fmt: str) -> str:
    """A version folder's features or labels file: SPLIT/KIND.EXT, or KIND.EXT
    for a scoring export (no splits)."""
    name = f"{kind}.{fmt}"
    return f"{split}/{name}" if split else name


# The keys an export written before the schema version could lack, with
# the value such an export meant.
LEGACY_DEFAULTS: dict[str, Any] = {
    "latest_version": None,
    "writer": None,
    "all_null_features": [],
    "task": "classification",
    "exposures": [],
    "provenance": {},
    "allow_failed_tests": False,
    "failing_tests_overridden": [],
    "csv_safe": False,
    "csv_formula_cells": 0,
}


def from_dict(data: object, where: str = "manifest") -> Manifest:
    """The typed manifest of a parsed manifest.json; a newer or broken one
    is refused in one line."""
    if not isinstance(data, dict):
        raise TrainsetError(f"{where}: not a trainset manifest (not a JSON object)")
    version = data.get("schema_version", 0)
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise TrainsetError(f"{where}: unknown manifest schema version {version!r}")
    if version > SCHEMA_VERSION:
        raise TrainsetError(
            f"{where}: manifest schema version {version} is newer than this trainset reads "
            f"(up to {SCHEMA_VERSION}); upgrade trainset"
        )
    if version == 0:
        data = {**LEGACY_DEFAULTS, **data, "schema_version": 0}
    return typing.cast(Manifest, _load(Manifest, data, where))


@dataclass(frozen=True)
class ExportOptions:
    """What an export was asked to write: the columns by role, the format,
    and the options."""

    roles: Roles
    format: str
    csv_safe: bool
    allow_failed_tests: bool
    scores: Scores | None  # a scoring model's training dataset


@dataclass(frozen=True)
class WrittenFiles:
    """What an export learned while writing the split files."""

    types: dict[str, str]  # column types as the warehouse gives them
    splits: dict[str, SplitFacts]
    rows: int
    all_null_features: list[str]
    csv_formula_cells: int


def build_manifest(
    dataset: Dataset,
    folder: Path,
    options: ExportOptions,
    written: WrittenFiles,
    *,
    writer: str | None,
    git: GitState,
    provenance: dict[str, list[dict[str, Any]]],
) -> Manifest:
    """The manifest of the files written into folder (hashed here) from
    dataset, as options asked and written says."""
    from trainset import __version__

    summary: dict[str, int] = {}
    for t in dataset.tests:
        summary[t.status] = summary.get(t.status, 0) + 1
    latest = dataset.record.latest if dataset.record else None
    scoring = options.roles.split is None
    return Manifest(
        schema_version=SCHEMA_VERSION,
        trainset_version=__version__,
        dataset=dataset.name,
        version=dataset.version,
        latest_version=dataset.latest_version,
        description=dataset.description,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        format=options.format,
        writer=writer,
        dbt=DbtBuild(
            unique_id=dataset.unique_id,
            relation=dataset.relation,
            dbt_version=dataset.dbt_version,
            adapter=dataset.adapter,
            target=dataset.dbt_target,
            invocation_id=dataset.invocation_id,
            built_at=dataset.generated_at,
            latest_attempt=LatestAttempt(latest.invocation_id, latest.status, latest.when)
            if latest
            else None,
        ),
        git=git,
        vars=dataset.vars,
        columns=[
            Column(c.name, c.role, written.types.get(c.name, c.data_type), c.description)
            for c in dataset.columns
        ],
        all_null_features=written.all_null_features,
        # classification: splits count the labels; regression: splits give
        # the label's statistics (label_stats).
        task="scoring" if scoring else dataset.task,
        roles=options.roles,
        splits=written.splits,
        files=file_entries(folder, options.format),
        tests=DbtTests(
            summary=summary,
            results=[
                DbtTestResult(
                    t.name,
                    t.unique_id,
                    t.status,
                    t.failures,
                    t.attached_to,
                    t.message,
                    t.invocation_id,
                )
                for t in dataset.tests
            ],
        ),
        # An Exposure is a dict; the manifest's field stays a plain JSON
        # object, as its published schema says.
        exposures=typing.cast(list[dict[str, Any]], dataset.exposures),
        provenance=provenance,
        allow_failed_tests=options.allow_failed_tests,
        failing_tests_overridden=[t.name for t in dataset.failing_tests]
        if options.allow_failed_tests
        else [],
        csv_safe=options.csv_safe,
        csv_formula_cells=written.csv_formula_cells,
        rows=written.rows if scoring else None,
        scores=options.scores,
    )


def read_manifest(path: Path) -> Manifest:
    """The manifest of the exported version at path."""
    file = Path(path) / MANIFEST_FILE
    if not file.is_file():
        raise TrainsetError(f"{path} is not an exported dataset version (no {MANIFEST_FILE})")
    try:
        data = json.loads(file.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise TrainsetError(f"{file}: not a trainset manifest ({error})") from None
    return from_dict(data, str(file))


def write_manifest(folder: Path, manifest: Manifest) -> None:
    """manifest.json and the card rendered from it."""
    (folder / MANIFEST_FILE).write_text(manifest.to_json())
    (folder / CARD_FILE).write_text(render_card(manifest))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_entries(folder: Path, fmt: str) -> list[FileEntry]:
    """Every data file of a version folder, with its size and sha256."""
    return [
        FileEntry(path.relative_to(folder).as_posix(), path.stat().st_size, sha256_of(path))
        for path in sorted(folder.rglob(f"*.{fmt}"))
    ]


def verify_export(path: Path, raise_on_error: bool = True) -> list[str]:
    """Re-hash an exported version against its manifest; the problems found.

    Raises TrainsetError naming the first bad file when raise_on_error.
    """
    path = Path(path)
    manifest_path = path / MANIFEST_FILE
    entries: list[FileEntry] | None = None
    if not manifest_path.is_file():
        problems = [f"{manifest_path}: missing"]
    else:
        try:
            entries = read_manifest(path).files
            problems = []
        except TrainsetError as error:
            problems = [str(error)]
        for entry in entries or []:
            file = path / entry.path
            if not file.is_file():
                problems.append(f"{file}: missing")
            elif file.stat().st_size != entry.bytes or sha256_of(file) != entry.sha256:
                problems.append(f"{file}: checksum mismatch")
    if problems and raise_on_error:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise TrainsetError(f"verify failed: {problems[0]}{more}")
    return problems


def _content(manifest: Manifest) -> tuple[object, ...]:
    """What a version's data is: its files' checksums, and the facts the
    manifest states about those rows (not when or by which writer version
    the manifest was written)."""
    return (
        manifest.dataset,
        manifest.version,
        manifest.format,
        manifest.task,
        manifest.checksums(),
        [(c.name, c.role, c.data_type) for c in manifest.columns],
        manifest.roles,
        manifest.splits,
        manifest.rows,
        manifest.scores,
        manifest.csv_safe,
    )


def same_content(a: Manifest, b: Manifest) -> bool:
    """Whether two manifests describe the same data, whatever schema
    version or writer version wrote them."""
    return _content(a) == _content(b)


# Column kinds: how the baseline, profile and diff read a feature.


def kind_of(values: int, distinct: int, mean_length: float | None) -> str:
    """Free text (long or mostly distinct values) or categories."""
    long_text = bool(values) and mean_length is not None and mean_length > 30
    return "text" if long_text or distinct / max(values, 1) > 0.5 else "categorical"


def declared_kinds(manifest: Manifest) -> dict[str, str | None]:
    """numeric for each feature its declared type makes a number, None for
    one the data must tell (text or categorical, by kind_of)."""
    return {
        c: "numeric" if is_numeric(manifest.column_type(c)) else None
        for c in manifest.roles.features
    }


def feature_kinds(manifest: Manifest, X: pd.DataFrame) -> dict[str, str]:
    """text, categorical or numeric for each feature column.

    Declared types decide numeric; among text columns, free text (long or
    mostly distinct values) is told from categories by the training data.
    """
    kinds: dict[str, str] = {}
    for column, kind in declared_kinds(manifest).items():
        if kind is None:
            values = X[column].dropna().astype(str)
            mean = float(values.str.len().mean()) if len(values) else None
            kind = kind_of(len(values), int(values.nunique()), mean)
        kinds[column] = kind
    return kinds


# The model to and from JSON, and as JSON Schema, read from its type hints.


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _is_optional(f: dataclasses.Field[Any]) -> bool:
    return bool(f.metadata.get("optional"))


def _dump(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _dump(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not (_is_optional(f) and getattr(value, f.name) is None)
        }
    if isinstance(value, list):
        return [_dump(v) for v in value]
    if isinstance(value, dict):
        return {k: _dump(v) for k, v in value.items()}
    return value


def _load(tp: Any, value: object, where: str) -> object:
    """value (parsed JSON) as type tp; refused in one line where it is not."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _load(inner, value, where)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise TrainsetError(f"{where}: not a trainset manifest (expected an object)")
        hints = _hints(tp)
        known = {f.name for f in dataclasses.fields(tp)}
        unknown = sorted(set(value) - known)
        if unknown:
            raise TrainsetError(f"{where}: not a trainset manifest (unknown key {unknown[0]!r})")
        kwargs = {}
        for f in dataclasses.fields(tp):
            if f.name in value:
                kwargs[f.name] = _load(hints[f.name], value[f.name], f"{where}: {f.name}")
            elif f.default is dataclasses.MISSING:
                raise TrainsetError(f"{where}: not a trainset manifest (no key {f.name!r})")
        return tp(**kwargs)
    if origin is list:
        if not isinstance(value, list):
            raise TrainsetError(f"{where}: not a trainset manifest (expected a list)")
        return [_load(args[0], v, where) for v in value]
    if origin is dict:
        if not isinstance(value, dict):
            raise TrainsetError(f"{where}: not a trainset manifest (expected an object)")
        return {k: _load(args[1], v, where) for k, v in value.items()}
    wanted = {str: (str,), int: (int,), float: (int, float), bool: (bool,)}[tp]
    if not isinstance(value, wanted) or (tp is not bool and isinstance(value, bool)):
        raise TrainsetError(f"{where}: not a trainset manifest (expected {tp.__name__})")
    return value


JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean"}


def _schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is Any:
        return {}
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in args if a is not type(None)]
        return {"anyOf": [_schema(inner, defs), {"type": "null"}]}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}  # placeholder: a model may refer to itself
            hints = _hints(tp)
            fields = dataclasses.fields(tp)
            defs[name] = {
                "type": "object",
                "properties": {f.name: _schema(hints[f.name], defs) for f in fields},
                "required": [f.name for f in fields if not _is_optional(f)],
                "additionalProperties": False,
            }
        return {"$ref": f"#/$defs/{name}"}
    if origin is list:
        return {"type": "array", "items": _schema(args[0], defs)}
    if origin is dict:
        return {"type": "object", "additionalProperties": _schema(args[1], defs)}
    return {"type": JSON_TYPES[tp]}


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the current manifest shape (docs/manifest.schema.json)."""
    defs: dict[str, Any] = {}
    _schema(Manifest, defs)
    manifest = defs.pop("Manifest")
    properties = manifest["properties"]
    properties["schema_version"] = {"const": SCHEMA_VERSION}
    properties["format"] = {"enum": list(FORMATS)}
    properties["task"] = {"enum": list(TASKS)}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "trainset export manifest",
        "description": "manifest.json of an exported dataset version (OUT/DATASET/vN/).",
        **manifest,
        "$defs": dict(sorted(defs.items())),
    }


def schema_text() -> str:
    """docs/manifest.schema.json as published."""
    return json.dumps(json_schema(), indent=2) + "\n"

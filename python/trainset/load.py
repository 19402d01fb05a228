"""Load an exported dataset version for training: pandas or Hugging Face."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainset.errors import TrainsetError
from trainset.manifest import FEATURES, LABELS, Manifest, read_manifest, verify_export
from trainset.warehouse import duckdb_type

if TYPE_CHECKING:
    import pandas as pd


def require_training(manifest: Manifest, path: Path) -> Manifest:
    """The manifest of a training export; a scoring export (features only)
    is refused in one line."""
    scores = manifest.scores
    if scores:
        raise TrainsetError(
            f"{path} is a scoring export (features only, no labels or splits): this reads "
            f"a training export, such as {scores.dataset} v{scores.version}; "
            "load it with trainset.load_scoring"
        )
    return manifest


def read_training(path: Path, verify: bool = True) -> Manifest:
    """The manifest of the training export at path, its files' checksums
    checked first (unless the caller has just done so)."""
    manifest = require_training(read_manifest(path), path)
    if verify:
        verify_export(path)
    return manifest


def split_reader_sql(path: Path, kind: str, split: str | None, manifest: Manifest) -> str:
    """The DuckDB table function that reads one split's features or labels
    (split None: a scoring export's one features file)."""
    fmt = manifest.format
    file = Path(path) / manifest.data_file(kind, split)
    if not file.is_file():
        known = ", ".join(manifest.splits)
        raise TrainsetError(f"no split {split!r} in {path} (splits: {known})")
    types = {c.name: duckdb_type(c.data_type) for c in manifest.columns}
    roles = manifest.roles
    names = [roles.id, *(roles.features if kind == FEATURES else [manifest.label])]
    columns = "{" + ", ".join(f"'{n}': '{types[n]}'" for n in names) + "}"
    literal = "'" + str(file).replace("'", "''") + "'"
    return {
        "parquet": f"read_parquet({literal})",
        # Quoted empty fields are empty strings, unquoted ones are nulls.
        "csv": f"read_csv({literal}, header = true, columns = {columns}, "
        "allow_quoted_nulls = false, delim = ',', quote = '\"', escape = '\"')",
        "jsonl": f"read_json({literal}, columns = {columns}, format = 'newline_delimited')",
    }[fmt]


def read_split_file(path: Path, kind: str, split: str | None, manifest: Manifest) -> pd.DataFrame:
    """One split's features or labels as a pandas DataFrame, types intact."""
    import duckdb

    reader = split_reader_sql(path, kind, split, manifest)
    with duckdb.connect() as con:
        frame: pd.DataFrame = con.sql(f"select * from {reader}").df()
    return frame.set_index(manifest.roles.id)


def load(
    path: str | Path, split: str = "train", verify: bool = True
) -> tuple[pd.DataFrame, pd.Series[Any]]:
    """(X, y) of one split: a DataFrame of features and a Series of labels,
    both indexed by the id, after checking every file's checksum (unless
    the caller has just done so)."""
    path = Path(path)
    manifest = read_training(path, verify)
    features = read_split_file(path, FEATURES, split, manifest)
    labels = read_split_file(path, LABELS, split, manifest)
    if not features.index.equals(labels.index):
        raise TrainsetError(f"{path}/{split}: features and labels hold different ids")
    return features, labels[manifest.label]


def load_hf(path: str | Path) -> Any:
    """A Hugging Face DatasetDict, one Dataset per split, with the label as
    a ClassLabel (a float for a regression), after checking every file's
    checksum."""
    try:
        import datasets
    except ImportError:
        raise TrainsetError(
            "load_hf needs the Hugging Face datasets package: pip install datasets"
        ) from None
    path = Path(path)
    manifest = read_training(path)
    label = manifest.label
    regression = manifest.regression
    if regression:
        label_type = datasets.Value("float64")
    else:
        label_type = datasets.ClassLabel(names=manifest.class_labels())
    splits = {}
    for split in manifest.splits:
        features = read_split_file(path, FEATURES, split, manifest)
        labels = read_split_file(path, LABELS, split, manifest)
        frame = features.join(labels).reset_index()
        frame[label] = frame[label].astype(float if regression else str)
        dataset = datasets.Dataset.from_pandas(frame, preserve_index=False)
        splits[split] = dataset.cast_column(label, label_type)
    return datasets.DatasetDict(splits)


def load_scoring(path: str | Path, verify: bool = True) -> pd.DataFrame:
    """A scoring export's features, indexed by the id, with its columns in
    the order of the training dataset's features (what a pipeline fitted
    on `load(...)` of that dataset expects), after checking checksums."""
    path = Path(path)
    manifest = read_manifest(path)
    scores = manifest.scores
    if not scores:
        raise TrainsetError(
            f"{path} is not a scoring export (its manifest names no training dataset): "
            "use trainset.load"
        )
    if verify:
        verify_export(path)
    features = read_split_file(path, FEATURES, None, manifest)
    return features[scores.features]


def load_all(path: str | Path, verify: bool = True) -> tuple[pd.DataFrame, Manifest]:
    """Every split in one DataFrame (features, label and a `split` column),
    indexed by the id; with the manifest. For the look-at-the-data tools."""
    import pandas as pd

    path = Path(path)
    manifest = read_training(path, verify)
    frames = []
    for split in manifest.splits:
        features = read_split_file(path, FEATURES, split, manifest)
        labels = read_split_file(path, LABELS, split, manifest)
        frame = features.join(labels)
        frame["split"] = split
        frames.append(frame)
    return pd.concat(frames), manifest

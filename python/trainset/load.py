"""Load an exported dataset version for training: pandas or Hugging Face."""

from __future__ import annotations

import json
from pathlib import Path

from trainset.errors import TrainsetError
from trainset.warehouse import duckdb_type


def read_manifest(path: Path) -> dict:
    manifest = Path(path) / "manifest.json"
    if not manifest.is_file():
        raise TrainsetError(f"{path} is not an exported dataset version (no manifest.json)")
    return json.loads(manifest.read_text())


def require_training(manifest: dict, path: Path) -> dict:
    """The manifest of a training export; a scoring export (features only)
    is refused in one line."""
    scores = manifest.get("scores")
    if scores:
        raise TrainsetError(
            f"{path} is a scoring export (features only, no labels or splits): this reads "
            f"a training export, such as {scores['dataset']} v{scores['version']}; "
            "load it with trainset.load_scoring"
        )
    return manifest


def task_of(manifest: dict) -> str:
    """classification or regression; exports older than the task key are
    classifications."""
    return manifest.get("task", "classification")


def split_reader_sql(path: Path, kind: str, split: str | None, manifest: dict) -> str:
    """The DuckDB table function that reads one split's features or labels
    (split None: a scoring export's one features file)."""
    fmt = manifest["format"]
    file = Path(path) / split / f"{kind}.{fmt}" if split else Path(path) / f"{kind}.{fmt}"
    if not file.is_file():
        known = ", ".join(manifest["splits"])
        raise TrainsetError(f"no split {split!r} in {path} (splits: {known})")
    types = {c["name"]: duckdb_type(c["data_type"]) for c in manifest["columns"]}
    roles = manifest["roles"]
    names = [
        roles["id"],
        *(roles["features"] if kind == "features" else [roles["label"]]),
    ]
    columns = "{" + ", ".join(f"'{n}': '{types[n]}'" for n in names) + "}"
    literal = "'" + str(file).replace("'", "''") + "'"
    return {
        "parquet": f"read_parquet({literal})",
        # Quoted empty fields are empty strings, unquoted ones are nulls.
        "csv": f"read_csv({literal}, header = true, columns = {columns}, "
        "allow_quoted_nulls = false, delim = ',', quote = '\"', escape = '\"')",
        "jsonl": f"read_json({literal}, columns = {columns}, format = 'newline_delimited')",
    }[fmt]


def read_split_file(path: Path, kind: str, split: str | None, manifest: dict):
    """One split's features or labels as a pandas DataFrame, types intact."""
    import duckdb

    reader = split_reader_sql(path, kind, split, manifest)
    with duckdb.connect() as con:
        frame = con.sql(f"select * from {reader}").df()
    return frame.set_index(manifest["roles"]["id"])


def load(path: str | Path, split: str = "train", verify: bool = True):
    """(X, y) of one split: a DataFrame of features and a Series of labels,
    both indexed by the id, after checking every file's checksum (unless
    the caller has just done so)."""
    from trainset.export import verify_export

    path = Path(path)
    manifest = require_training(read_manifest(path), path)
    if verify:
        verify_export(path)
    features = read_split_file(path, "features", split, manifest)
    labels = read_split_file(path, "labels", split, manifest)
    if not features.index.equals(labels.index):
        raise TrainsetError(f"{path}/{split}: features and labels hold different ids")
    return features, labels[manifest["roles"]["label"]]


def load_hf(path: str | Path):
    """A Hugging Face DatasetDict, one Dataset per split, with the label as
    a ClassLabel (a float for a regression), after checking every file's
    checksum."""
    try:
        import datasets
    except ImportError:
        raise TrainsetError(
            "load_hf needs the Hugging Face datasets package: pip install datasets"
        ) from None
    from trainset.export import verify_export

    path = Path(path)
    manifest = require_training(read_manifest(path), path)
    verify_export(path)
    label = manifest["roles"]["label"]
    regression = task_of(manifest) == "regression"
    if regression:
        label_type = datasets.Value("float64")
    else:
        names = sorted({str(v) for s in manifest["splits"].values() for v in s["labels"]})
        label_type = datasets.ClassLabel(names=names)
    splits = {}
    for split in manifest["splits"]:
        features = read_split_file(path, "features", split, manifest)
        labels = read_split_file(path, "labels", split, manifest)
        frame = features.join(labels).reset_index()
        frame[label] = frame[label].astype(float if regression else str)
        dataset = datasets.Dataset.from_pandas(frame, preserve_index=False)
        splits[split] = dataset.cast_column(label, label_type)
    return datasets.DatasetDict(splits)


def load_scoring(path: str | Path, verify: bool = True):
    """A scoring export's features, indexed by the id, with its columns in
    the order of the training dataset's features (what a pipeline fitted
    on `load(...)` of that dataset expects), after checking checksums."""
    from trainset.export import verify_export

    path = Path(path)
    manifest = read_manifest(path)
    scores = manifest.get("scores")
    if not scores:
        raise TrainsetError(
            f"{path} is not a scoring export (its manifest names no training dataset): "
            "use trainset.load"
        )
    if verify:
        verify_export(path)
    features = read_split_file(path, "features", None, manifest)
    return features[scores["features"]]


def load_all(path: str | Path, verify: bool = True):
    """Every split in one DataFrame (features, label and a `split` column),
    indexed by the id; with the manifest. For the look-at-the-data tools."""
    import pandas as pd

    from trainset.export import verify_export

    path = Path(path)
    manifest = require_training(read_manifest(path), path)
    if verify:
        verify_export(path)
    frames = []
    for split in manifest["splits"]:
        features = read_split_file(path, "features", split, manifest)
        labels = read_split_file(path, "labels", split, manifest)
        frame = features.join(labels)
        frame["split"] = split
        frames.append(frame)
    return pd.concat(frames), manifest

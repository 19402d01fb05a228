"""The full label audit: cleanlab's Datalab over the training rows.

Label issues by confident learning over out-of-fold predicted probabilities
of the baseline pipeline: each training row is scored by a model that never
saw it. Beside them, from each row's nearest neighbours in a reduced feature
matrix (reduced_features): outliers, near-duplicates, a non-IID order of the
rows, and class imbalance. A numeric label (a regression) has no classes to
confuse: its rows are ranked by out-of-fold absolute residual instead, the
distance between the given value and what a model that never saw the row
predicts; Datalab's regression task adds the neighbour checks. At scale the
audit reads a stated, stratified, seeded sample of train; its text features
are hashed over at most the first HASHED_TEXT_CHARS characters of each text
and built once for all folds and the neighbours, so long texts stay cheap in
time and memory.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainset.baseline import make_pipeline
from trainset.errors import TrainsetError
from trainset.manifest import Manifest, feature_kinds
from trainset.scan import SEED

if TYPE_CHECKING:
    import numpy.typing as npt
    import pandas as pd
    import scipy.sparse as sp
    from sklearn.pipeline import Pipeline

MAX_ROWS = 100_000
# What label_issues.csv keeps of a text: the profile shows the whole of it.
CSV_TEXT = 1000
# Datalab's issue types, in the order the CSV and the profile show them.
ISSUE_TYPES = ("label", "outlier", "near_duplicate", "non_iid", "class_imbalance")
# The types read from the nearest-neighbour graph.
KNN_TYPES = ("outlier", "near_duplicate", "non_iid")
# The reduced feature matrix's dimensions, and the neighbours per row.
SVD_DIMENSIONS = 64
SVD_FIT_ROWS = 10_000
NEIGHBOURS = 10
# How many near-duplicates of a row the CSV names.
NEAR_DUPLICATES_NAMED = 5


def run_audit(
    path: str | Path,
    folds: int = 5,
    on_step: Callable[[str], None] | None = None,
    max_rows: int | None = MAX_ROWS,
    seed: int = SEED,
) -> pd.DataFrame:
    """Write the rows flagged by any issue type to label_issues.csv (and
    what was audited, with each type's count and score, to
    label_issues.json) beside the export; return every audited row as a
    DataFrame, most suspect label first (lowest label quality score)."""
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from threadpoolctl import threadpool_limits

    from trainset.load import read_training
    from trainset.scan import load_sample

    step = on_step or (lambda _: None)
    path = Path(path)
    manifest = read_training(path, verify=False)
    if "train" not in manifest.splits:
        raise TrainsetError(f"{path} has no train split")
    if max_rows is not None and max_rows < 2:
        raise TrainsetError(f"--max-rows must be at least 2, got {max_rows}")
    step("loading train")
    X, y, sample = load_sample(path, "train", max_rows, seed, on_step=step)
    if manifest.regression:
        return _residual_audit(path, manifest, X, y.astype(float), sample, folds, seed, step)
    y = y.astype(str)
    labels = sorted(y.unique())
    if len(labels) < 2:
        raise TrainsetError("the audit needs at least two labels in train")
    smallest = int(y.value_counts().min())
    folds = max(2, min(folds, smallest))
    kinds = feature_kinds(manifest, X)
    step(f"out-of-fold probabilities of {len(X):,} rows ({folds} folds)")
    pipeline = make_pipeline(kinds, bounded=True)
    # The features are built once, not once per fold: hashing learns nothing,
    # and IDF weights, one-hot columns and scaling never see the label.
    features = pipeline[:-1].fit_transform(X)
    # The folds on both cores, one BLAS thread each: the solver's small dense
    # steps only contend for cores.
    with threadpool_limits(1):
        probabilities = cross_val_predict(
            pipeline[-1],
            features,
            y,
            cv=StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed),
            method="predict_proba",
            n_jobs=2,
        )
    step("reducing the features")
    reduced = reduced_features(pipeline, features, seed)
    columns, found = _datalab(y, "classification", reduced, X.index, step, probabilities)
    frame = X[[]].copy()
    frame["given_label"] = y.values
    # Datalab's classes are the sorted labels, the columns' order here too.
    frame["suggested_label"] = [labels[i] for i in probabilities.argmax(axis=1)]
    frame["score"] = columns.pop("label_score")
    frame["is_label_issue"] = columns.pop("is_label_issue")
    for column, values in columns.items():
        frame[column] = values
    frame["text"] = _joined_text(X, [c for c, k in kinds.items() if k == "text"])
    # Ties are broken by id (the index; a str, which pandas-stubs wants).
    ident = str(frame.index.name or "index")
    frame = frame.sort_values(["score", ident], kind="stable")
    facts = {"folds": folds, "seed": seed, "sample": sample}
    return _write(
        path, frame, "score", facts, {"issue_types": found, **_reduced_said(reduced, kinds)}
    )


def reduced_features(pipeline: Pipeline, features: Any, seed: int = SEED) -> npt.NDArray[Any]:
    """The audit's dense feature matrix for its nearest neighbours.

    With text features: their TF-IDF columns projected by a seeded
    TruncatedSVD onto SVD_DIMENSIONS dimensions, each row then scaled to unit
    length (latent semantic analysis, compared by angle). The other features
    stay out: on the bundled sample, scaled numeric columns beside the
    projection (heavy-tailed amounts) swamped the text distances and hid a
    planted set of texts in another language (docs/looking.md). Without text
    features: the one-hot categorical and scaled numeric columns, projected
    the same way when wider than SVD_DIMENSIONS."""
    import numpy as np
    import scipy.sparse as sp
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    matrix = sp.csr_matrix(features)
    slices: dict[str, slice] = pipeline[0].output_indices_
    names = ["text"] if slices.get("text", slice(0, 0)).stop else list(slices)
    kept = sp.hstack([matrix[:, slices[n]] for n in names]).tocsr()
    if "text" in names:
        kept = normalize(kept)
    if kept.shape[1] <= SVD_DIMENSIONS:
        return np.asarray(kept.toarray(), dtype=np.float32)
    svd = TruncatedSVD(n_components=SVD_DIMENSIONS, random_state=seed)
    # Fitted on a seeded sample of rows (the directions settle long before
    # 100,000 rows), then every row projected: one sparse product.
    rows = np.random.default_rng(seed).permutation(kept.shape[0])[:SVD_FIT_ROWS]
    svd.fit(kept[np.sort(rows)])
    projected = normalize(svd.transform(kept))
    return np.asarray(projected, dtype=np.float32)


def knn_graph(features: npt.NDArray[Any], k: int = NEIGHBOURS) -> sp.csr_matrix:
    """Each row's k nearest other rows by Euclidean distance, exact (brute
    force in blocks on both cores), as the sparse distance graph Datalab
    reads: computed once for its outlier, near-duplicate and non-IID checks."""
    from sklearn.neighbors import NearestNeighbors

    k = min(k, len(features) - 1)
    index = NearestNeighbors(n_neighbors=k, algorithm="brute", n_jobs=2).fit(features)
    graph: sp.csr_matrix = index.kneighbors_graph(mode="distance")
    return graph


def _datalab(
    y: pd.Series[Any],
    task: str,
    features: npt.NDArray[Any],
    ids: pd.Index[Any],
    step: Callable[[str], None],
    probabilities: npt.NDArray[Any] | None = None,
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """cleanlab's Datalab over the rows: (a flag and a score column per
    issue type, and the ids of each near-duplicate's nearest copies; each
    type's count and dataset-level score). Its label check needs out-of-fold
    probabilities; without them (a regression) the caller ranks labels."""
    import io
    import warnings
    from contextlib import redirect_stdout

    import pandas as pd
    from cleanlab import Datalab

    types = [t for t in ISSUE_TYPES if t != "label" or probabilities is not None]
    if task == "regression":
        # Classes only: Datalab's regression task has no class imbalance.
        types = [t for t in types if t != "class_imbalance"]
    step(f"nearest neighbours of {len(features):,} rows")
    graph = knn_graph(features)
    k = graph.nnz // graph.shape[0]
    step("finding issues: " + ", ".join(types))
    lab = Datalab(pd.DataFrame({"label": y.to_numpy()}), label_name="label", task=task, verbosity=0)
    options = {t: ({"k": k} if t in KNN_TYPES else {}) for t in types}
    # Datalab prints what it does: the command line says it instead. The
    # graph stands for the features, which Datalab need not see; its own
    # deprecation warnings (of pandas' API) are not the user's to act on.
    with redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="cleanlab")
        warnings.filterwarnings("ignore", category=FutureWarning, module="cleanlab")
        lab.find_issues(pred_probs=probabilities, knn_graph=graph, issue_types=options)
    issues = lab.get_issues()
    columns: dict[str, Any] = {}
    for name in types:
        columns[f"is_{name}_issue"] = issues[f"is_{name}_issue"].to_numpy(dtype=bool)
        columns[f"{name}_score"] = issues[f"{name}_score"].to_numpy(dtype=float)
    sets = lab.get_issues("near_duplicate")["near_duplicate_sets"]
    names = ids.astype(str).to_numpy(dtype=object)
    columns["near_duplicate_of"] = [
        " ".join(names[list(s)[:NEAR_DUPLICATES_NAMED]]) if len(s) else "" for s in sets
    ]
    summary = lab.get_issue_summary().set_index("issue_type")
    found = {
        name: {
            "count": int(summary.loc[name, "num_issues"]),
            "score": round(float(summary.loc[name, "score"]), 6),
        }
        for name in types
    }
    return columns, found


def _reduced_said(features: npt.NDArray[Any], kinds: dict[str, str]) -> dict[str, Any]:
    """What label_issues.json says of the neighbours' feature matrix."""
    source = "text features" if "text" in kinds.values() else "features"
    return {
        "neighbours": {
            "features": f"{features.shape[1]} dimensions of the {source} (when wider: "
            f"TruncatedSVD fitted on at most {SVD_FIT_ROWS:,} rows, rows scaled to unit length)",
            "k": min(NEIGHBOURS, len(features) - 1),
            "metric": "euclidean",
        }
    }


def _joined_text(X: pd.DataFrame, text_columns: list[str]) -> pd.Series[str] | str:
    return X[text_columns].fillna("").astype(str).agg(" | ".join, axis=1) if text_columns else ""


def _write(
    path: Path,
    frame: pd.DataFrame,
    score: str,
    facts: dict[str, Any],
    more: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Write the rows of frame (ranked, most suspect first) that any issue
    type flags to label_issues.csv, and what was audited to
    label_issues.json; return frame with the sample in its attrs."""
    flags = [c for c in frame.columns if c.startswith("is_") and c.endswith("_issue")]
    flagged = frame[frame[flags].any(axis=1)].copy()
    for column in [score, *(c for c in frame.columns if c.endswith("_score"))]:
        flagged[column] = flagged[column].round(6)
    flagged["text"] = flagged["text"].str.slice(0, CSV_TEXT)
    flagged.to_csv(path / "label_issues.csv")
    facts = {
        "rows": len(frame),
        # The label issues, as before the other types joined the CSV.
        "flagged": int(frame["is_label_issue"].sum()),
        "rows_in_csv": len(flagged),
        **facts,
        "text_in_csv": f"first {CSV_TEXT} characters",
        **(more or {}),
    }
    (path / "label_issues.json").write_text(json.dumps(facts, indent=2) + "\n")
    frame.attrs["sample"] = facts["sample"]
    frame.attrs["issue_types"] = facts["issue_types"]
    return frame


# A row is flagged when its residual's modified z-score (0.6745 times its
# distance from the median residual, over the residuals' median absolute
# deviation; Iglewicz and Hoaglin) exceeds this: robust to the outliers it
# looks for, unlike a z-score over the mean and standard deviation.
RESIDUAL_Z = 3.5
RESIDUAL_METHOD = (
    "out-of-fold absolute residual: each row's label against the prediction of a ridge "
    "regression that never saw it ({folds}-fold cross-validation), largest first; flagged "
    f"when the residual's modified z-score (median and MAD) exceeds {RESIDUAL_Z}"
)


def _residual_audit(
    path: Path,
    manifest: Manifest,
    X: pd.DataFrame,
    y: pd.Series[float],
    sample: dict[str, Any],
    folds: int,
    seed: int,
    step: Callable[[str], None],
) -> pd.DataFrame:
    """A regression's audit: rows ranked by out-of-fold absolute residual."""
    import numpy as np
    from sklearn.model_selection import KFold, cross_val_predict
    from threadpoolctl import threadpool_limits

    folds = max(2, min(folds, len(y)))
    kinds = feature_kinds(manifest, X)
    step(f"out-of-fold predictions of {len(X):,} rows ({folds} folds)")
    pipeline = make_pipeline(kinds, bounded=True, task="regression")
    # As for classes: features built once; hashing, IDF weights, one-hot
    # columns and scaling never see the label.
    features = pipeline[:-1].fit_transform(X)
    with threadpool_limits(1):
        predicted = cross_val_predict(
            pipeline[-1],
            features,
            y.to_numpy(),
            cv=KFold(n_splits=folds, shuffle=True, random_state=seed),
            n_jobs=2,
        )
    step("ranking residuals")
    residual = y.to_numpy() - predicted
    deviation = np.median(np.abs(residual - np.median(residual)))
    z = (
        0.6745 * np.abs(residual - np.median(residual)) / deviation
        if deviation > 0
        else 0 * residual
    )
    frame = X[[]].copy()
    frame["given_label"] = y.values
    frame["predicted_label"] = predicted.round(6)
    frame["abs_residual"] = np.abs(residual)
    frame["is_label_issue"] = z > RESIDUAL_Z
    step("reducing the features")
    reduced = reduced_features(pipeline, features, seed)
    columns, found = _datalab(y, "regression", reduced, X.index, step)
    for column, values in columns.items():
        frame[column] = values
    frame["text"] = _joined_text(X, [c for c, k in kinds.items() if k == "text"])
    ident = str(frame.index.name or "index")
    frame = frame.sort_values(["abs_residual", ident], ascending=[False, True], kind="stable")
    method = RESIDUAL_METHOD.format(folds=folds)
    frame.attrs["method"] = method
    facts = {"folds": folds, "seed": seed, "sample": sample}
    label = {"count": int(frame["is_label_issue"].sum()), "score": None}
    more = {"task": "regression", "method": method, "issue_types": {"label": label, **found}}
    return _write(path, frame, "abs_residual", facts, {**more, **_reduced_said(reduced, kinds)})

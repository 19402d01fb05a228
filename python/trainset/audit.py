"""Rank the training examples most likely to be mislabelled.

Confident learning (cleanlab's find_label_issues) over out-of-fold predicted
probabilities of the baseline pipeline: each training row is scored by a
model that never saw it. A numeric label (a regression) has no classes to
confuse: its rows are ranked by out-of-fold absolute residual instead, the
distance between the given value and what a model that never saw the row
predicts. At scale the audit reads a stated, stratified, seeded sample of
train; its text features are hashed over at most the first
HASHED_TEXT_CHARS characters of each text and built once for all folds, so
five folds over long texts stay cheap in time and memory.
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
    import pandas as pd

MAX_ROWS = 100_000
# What label_issues.csv keeps of a text: the profile shows the whole of it.
CSV_TEXT = 1000


def run_audit(
    path: str | Path,
    folds: int = 5,
    on_step: Callable[[str], None] | None = None,
    max_rows: int | None = MAX_ROWS,
    seed: int = SEED,
) -> pd.DataFrame:
    """Write the flagged rows to label_issues.csv (and what was audited to
    label_issues.json) beside the export; return every audited row as a
    DataFrame, most suspect first (lowest label quality score)."""
    import numpy as np
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores
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
    codes = np.array([labels.index(v) for v in y])
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
    step("finding label issues")
    issues = find_label_issues(codes, probabilities, filter_by="prune_by_noise_rate")
    scores = get_label_quality_scores(codes, probabilities)
    text_columns = [c for c, k in kinds.items() if k == "text"]
    frame = X[[]].copy()
    frame["given_label"] = y.values
    frame["suggested_label"] = [labels[i] for i in probabilities.argmax(axis=1)]
    frame["score"] = scores
    frame["is_label_issue"] = issues
    frame["text"] = _joined_text(X, text_columns)
    # Ties are broken by id (the index; a str, which pandas-stubs wants).
    ident = str(frame.index.name or "index")
    frame = frame.sort_values(["score", ident], kind="stable")
    return _write(path, frame, "score", {"folds": folds, "seed": seed, "sample": sample})


def _joined_text(X: pd.DataFrame, text_columns: list[str]) -> pd.Series[str] | str:
    return X[text_columns].fillna("").astype(str).agg(" | ".join, axis=1) if text_columns else ""


def _write(
    path: Path,
    frame: pd.DataFrame,
    score: str,
    facts: dict[str, Any],
    more: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Write the flagged rows of frame (ranked, most suspect first) to
    label_issues.csv and what was audited to label_issues.json; return
    frame with the sample in its attrs."""
    flagged = frame[frame["is_label_issue"]].copy()
    flagged[score] = flagged[score].round(6)
    flagged["text"] = flagged["text"].str.slice(0, CSV_TEXT)
    flagged.to_csv(path / "label_issues.csv")
    facts = {
        "rows": len(frame),
        "flagged": len(flagged),
        **facts,
        "text_in_csv": f"first {CSV_TEXT} characters",
        **(more or {}),
    }
    (path / "label_issues.json").write_text(json.dumps(facts, indent=2) + "\n")
    frame.attrs["sample"] = facts["sample"]
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
    frame["text"] = _joined_text(X, [c for c, k in kinds.items() if k == "text"])
    ident = str(frame.index.name or "index")
    frame = frame.sort_values(["abs_residual", ident], ascending=[False, True], kind="stable")
    method = RESIDUAL_METHOD.format(folds=folds)
    frame.attrs["method"] = method
    facts = {"folds": folds, "seed": seed, "sample": sample}
    return _write(path, frame, "abs_residual", facts, {"task": "regression", "method": method})

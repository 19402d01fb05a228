"""Rank the training examples most likely to be mislabelled.

Confident learning (cleanlab's find_label_issues) over out-of-fold predicted
probabilities of the baseline pipeline: each training row is scored by a
model that never saw it.
"""

from __future__ import annotations

from pathlib import Path

from trainset.baseline import SEED, feature_kinds, make_pipeline
from trainset.errors import TrainsetError
from trainset.load import load, read_manifest


def run_audit(path: str | Path, folds: int = 5, on_step=None):
    """Write label_issues.csv beside the export; return it as a DataFrame,
    most suspect first (lowest label quality score)."""
    import numpy as np
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    step = on_step or (lambda _: None)
    path = Path(path)
    manifest = read_manifest(path)
    step("loading train")
    X, y = load(path, "train")
    y = y.astype(str)
    labels = sorted(y.unique())
    if len(labels) < 2:
        raise TrainsetError("the audit needs at least two labels in train")
    smallest = int(y.value_counts().min())
    folds = max(2, min(folds, smallest))
    codes = np.array([labels.index(v) for v in y])
    kinds = feature_kinds(manifest, X)
    step(f"out-of-fold probabilities ({folds} folds)")
    probabilities = cross_val_predict(
        make_pipeline(kinds),
        X,
        y,
        cv=StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED),
        method="predict_proba",
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
    frame["text"] = (
        X[text_columns].fillna("").astype(str).agg(" | ".join, axis=1) if text_columns else ""
    )
    frame = frame.sort_values(["score", frame.index.name or "index"], kind="stable")
    frame.to_csv(path / "label_issues.csv")
    return frame

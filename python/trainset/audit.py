"""Rank the training examples most likely to be mislabelled.

Confident learning (cleanlab's find_label_issues) over out-of-fold predicted
probabilities of the baseline pipeline: each training row is scored by a
model that never saw it. At scale the audit reads a stated, stratified,
seeded sample of train; its text features are hashed over at most the first
HASHED_TEXT_CHARS characters of each text and built once for all folds, so
five folds over long texts stay cheap in time and memory.
"""

from __future__ import annotations

import json
from pathlib import Path

from trainset.baseline import SEED, feature_kinds, make_pipeline
from trainset.errors import TrainsetError

MAX_ROWS = 100_000
# What label_issues.csv keeps of a text: the profile shows the whole of it.
CSV_TEXT = 1000


def run_audit(
    path: str | Path,
    folds: int = 5,
    on_step=None,
    max_rows: int | None = MAX_ROWS,
    seed: int = SEED,
):
    """Write the flagged rows to label_issues.csv (and what was audited to
    label_issues.json) beside the export; return every audited row as a
    DataFrame, most suspect first (lowest label quality score)."""
    import numpy as np
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from threadpoolctl import threadpool_limits

    from trainset.load import read_manifest
    from trainset.scan import load_sample

    step = on_step or (lambda _: None)
    path = Path(path)
    manifest = read_manifest(path)
    if "train" not in manifest["splits"]:
        raise TrainsetError(f"{path} has no train split")
    if max_rows is not None and max_rows < 2:
        raise TrainsetError(f"--max-rows must be at least 2, got {max_rows}")
    step("loading train")
    X, y, sample = load_sample(path, "train", max_rows, seed, on_step=step)
    y = y.astype(str)
    labels = sorted(y.unique())
    if len(labels) < 2:
        raise TrainsetError("the audit needs at least two labels in train")
    smallest = int(y.value_counts().min())
    folds = max(2, min(folds, smallest))
    codes = np.array([labels.index(v) for v in y])
    kinds = feature_kinds(manifest, X)
    step(f"out-of-fold probabilities of {len(X):,} rows ({folds} folds)")
    pipeline = make_pipeline(kinds, hashed=True)
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
    frame["text"] = (
        X[text_columns].fillna("").astype(str).agg(" | ".join, axis=1) if text_columns else ""
    )
    frame = frame.sort_values(["score", frame.index.name or "index"], kind="stable")
    flagged = frame[frame["is_label_issue"]].copy()
    flagged["score"] = flagged["score"].round(6)
    flagged["text"] = flagged["text"].str.slice(0, CSV_TEXT)
    flagged.to_csv(path / "label_issues.csv")
    facts = {
        "rows": len(frame),
        "flagged": len(flagged),
        "folds": folds,
        "seed": seed,
        "sample": sample,
        "text_in_csv": f"first {CSV_TEXT} characters",
    }
    (path / "label_issues.json").write_text(json.dumps(facts, indent=2) + "\n")
    frame.attrs["sample"] = sample
    return frame

"""A quick, fixed-seed baseline: can this data carry the task at all?

TF-IDF over word and character n-grams for text features, one-hot for
categorical ones, scaling for numeric ones, and a logistic regression, all
in one scikit-learn pipeline built from the manifest's roles and types.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from trainset.errors import TrainsetError
from trainset.load import load, read_manifest

SEED = 0
NUMERIC_TYPES = ("INT", "DECIMAL", "DOUBLE", "FLOAT", "REAL", "NUMERIC", "BIGINT", "LONG")


def feature_kinds(manifest: dict, X) -> dict[str, str]:
    """text, categorical or numeric for each feature column.

    Declared types decide numeric; among text columns, free text (long or
    mostly distinct values) is told from categories by the training data.
    """
    types = {c["name"]: (c["data_type"] or "").upper() for c in manifest["columns"]}
    kinds = {}
    for column in manifest["roles"]["features"]:
        if any(t in types[column] for t in NUMERIC_TYPES):
            kinds[column] = "numeric"
            continue
        values = X[column].dropna().astype(str)
        distinct = values.nunique() / max(len(values), 1)
        long_text = values.str.len().mean() > 30 if len(values) else False
        kinds[column] = "text" if long_text or distinct > 0.5 else "categorical"
    return kinds


def make_pipeline(kinds: dict[str, str]):
    """The baseline pipeline for features of the given kinds."""
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FunctionTransformer, Pipeline, make_pipeline, make_union
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    def as_text(frame):
        return frame.fillna("").astype(str).agg(" ".join, axis=1)

    parts = []
    text = [c for c, k in kinds.items() if k == "text"]
    if text:
        parts.append(
            (
                "text",
                make_pipeline(
                    FunctionTransformer(as_text),
                    make_union(
                        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
                        TfidfVectorizer(
                            analyzer="char_wb",
                            ngram_range=(2, 5),
                            min_df=2,
                            sublinear_tf=True,
                            max_features=50_000,
                        ),
                    ),
                ),
                text,
            )
        )
    categorical = [c for c, k in kinds.items() if k == "categorical"]
    if categorical:
        parts.append(
            (
                "categorical",
                make_pipeline(
                    FunctionTransformer(lambda f: f.fillna("<null>").astype(str)),
                    OneHotEncoder(handle_unknown="ignore"),
                ),
                categorical,
            )
        )
    numeric = [c for c, k in kinds.items() if k == "numeric"]
    if numeric:
        parts.append(
            (
                "numeric",
                make_pipeline(
                    FunctionTransformer(lambda f: f.astype(float)),
                    SimpleImputer(strategy="median"),
                    StandardScaler(),
                ),
                numeric,
            )
        )
    if not parts:
        raise TrainsetError("no features to train on")
    return Pipeline(
        [
            ("features", ColumnTransformer(parts)),
            ("model", LogisticRegression(max_iter=2000, C=4.0, random_state=SEED)),
        ]
    )


def _scores(y_true, y_pred, labels: list[str]) -> dict:
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

    per_label = f1_score(y_true, y_pred, labels=labels, average=None, zero_division=0)
    return {
        "rows": len(y_true),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(
            f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)
        ),
        "f1_per_label": {label: float(v) for label, v in zip(labels, per_label, strict=True)},
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }


def manifest_sha256(path: Path) -> str:
    return hashlib.sha256((Path(path) / "manifest.json").read_bytes()).hexdigest()


def run_baseline(path: str | Path, on_step=None) -> dict:
    """Train on train, score validation and test; write baseline.json and
    confusion_matrix.png beside the export, and return the report."""
    step = on_step or (lambda _: None)
    path = Path(path)
    manifest = read_manifest(path)
    if "train" not in manifest["splits"]:
        raise TrainsetError(f"{path} has no train split")
    step("loading")
    X_train, y_train = load(path, "train")
    kinds = feature_kinds(manifest, X_train)
    labels = sorted({str(v) for s in manifest["splits"].values() for v in s["labels"]})
    step("training")
    pipeline = make_pipeline(kinds)
    pipeline.fit(X_train, y_train.astype(str))
    majority = y_train.astype(str).value_counts().sort_index().idxmax()
    report = {
        "dataset": manifest["dataset"],
        "version": manifest["version"],
        "manifest_sha256": manifest_sha256(path),
        "model": "TF-IDF (word 1-2, char 2-5) + one-hot + scaling, logistic regression",
        "seed": SEED,
        "feature_kinds": kinds,
        "labels": labels,
        "majority_label": majority,
        "splits": {},
    }
    for split in ("validation", "test"):
        if split not in manifest["splits"]:
            continue
        step(f"scoring {split}")
        X, y = load(path, split)
        y = y.astype(str)
        predicted = pipeline.predict(X)
        scores = _scores(y, predicted, labels)
        scores["majority_baseline"] = {
            k: v
            for k, v in _scores(y, [majority] * len(y), labels).items()
            if k in ("accuracy", "macro_f1")
        }
        scores["lift_macro_f1"] = scores["macro_f1"] - scores["majority_baseline"]["macro_f1"]
        report["splits"][split] = scores
    (path / "baseline.json").write_text(json.dumps(report, indent=2) + "\n")
    step("plotting")
    plot_confusion(report, path / "confusion_matrix.png")
    return report


def plot_confusion(report: dict, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    splits = list(report["splits"])
    fig, axes = plt.subplots(1, len(splits), figsize=(6 * len(splits), 5), squeeze=False)
    labels = report["labels"]
    for ax, split in zip(axes[0], splits, strict=True):
        matrix = report["splits"][split]["confusion_matrix"]
        ax.imshow(matrix, cmap="Blues")
        ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
        ax.set_yticks(range(len(labels)), labels)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        ax.set_title(f"{split}: macro-F1 {report['splits'][split]['macro_f1']:.3f}")
        for i, row in enumerate(matrix):
            for j, n in enumerate(row):
                ax.text(j, i, str(n), ha="center", va="center", fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=100, metadata={"Software": None})
    plt.close(fig)

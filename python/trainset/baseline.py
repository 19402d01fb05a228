"""A quick, fixed-seed baseline: can this data carry the task at all?

TF-IDF over word and character n-grams for text features, one-hot for
categorical ones, scaling for numeric ones, and a logistic regression (a
ridge regression for a numeric label), all in one scikit-learn pipeline
built from the manifest's roles and types.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from trainset.errors import TrainsetError
from trainset.load import load, read_training
from trainset.manifest import MANIFEST_FILE, Manifest, feature_kinds
from trainset.scan import SEED, SEGMENT_MIN_ROWS

if TYPE_CHECKING:
    import numpy.typing as npt
    import pandas as pd
    import scipy.sparse as sp
    from sklearn.pipeline import FeatureUnion, Pipeline

    # (actual, predicted) label values of one split, for the plot.
    Points = dict[str, tuple[npt.NDArray[Any], npt.NDArray[Any]]]
    # What reports progress: the command line's on_step.
    Step = Callable[[str], None]

MAX_TRAIN_ROWS = 200_000
# A label with fewer rows than this in a scored split has an F1 that one
# row swings: it is flagged, not read as a score (--min-rows-per-label).
MIN_ROWS_PER_LABEL = 10
# Rows scored at once: the text features of a whole 856k-row split (10M
# tickets) held sparse matrices of several GB at once.
PREDICT_ROWS = 50_000
# Segments: the split they are scored on (the fewest rows one needs is
# scan.SEGMENT_MIN_ROWS, which diff reads without this module).
SEGMENT_SPLIT = "test"
# The "by" of the text-length quartiles (a feature's name elsewhere).
TEXT_LENGTH = "text length"


# Text n-grams are hashed into this many columns: no vocabulary to build or
# hold, whatever the number of rows.
TEXT_FEATURES = 2**20
# The audit's bounded variant reads at most this much of each text, into a
# smaller space, so its cost per fold is bounded however long the texts are.
HASHED_TEXT_CHARS = 1000
HASHED_FEATURES = 2**14


class WordCharNgrams:
    """Counts of the character n-grams within words, hashed: the numbers of
    HashingVectorizer(analyzer="char_wb", alternate_sign=False, norm=None),
    computed once per distinct word rather than once per occurrence (a
    text's counts are the sum of its words'), since words repeat."""

    def __init__(self, ngram_range: tuple[int, int], n_features: int) -> None:
        self.ngram_range = ngram_range
        self.n_features = n_features

    # What scikit-learn's clone needs, without importing it with this module.
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {"ngram_range": self.ngram_range, "n_features": self.n_features}

    def set_params(self, **params: Any) -> Self:
        for name, value in params.items():
            setattr(self, name, value)
        return self

    def fit(self, X: pd.Series[Any], y: object = None) -> Self:
        return self

    def fit_transform(self, X: pd.Series[Any], y: object = None) -> sp.csr_matrix:
        return self.transform(X)

    def transform(self, X: pd.Series[Any]) -> sp.csr_matrix:
        import numpy as np
        import pandas as pd
        import scipy.sparse as sp
        from sklearn.feature_extraction.text import HashingVectorizer

        # char_wb lower-cases, then splits on white space.
        words = pd.Series(X).fillna("").astype(str).str.lower().str.split()
        # pandas-stubs types .str over str values only; .str.len() of lists
        # is pandas' documented length of each.
        lengths = words.str.len().to_numpy()  # type: ignore[misc]
        rows = np.repeat(np.arange(len(words)), lengths)
        codes, distinct = pd.factorize(words.explode().dropna().to_numpy())
        occurrences = sp.csr_matrix(
            (np.ones(len(codes)), (rows, codes)), shape=(len(words), len(distinct))
        )
        per_word = HashingVectorizer(
            analyzer="char_wb",
            ngram_range=self.ngram_range,
            n_features=self.n_features,
            alternate_sign=False,
            norm=None,
            lowercase=False,
        ).transform(distinct)
        counts = (occurrences @ per_word).tocsr()
        counts.sort_indices()
        return counts


def joined_text(frame: pd.DataFrame) -> pd.Series[str]:
    """The text features of each row as one text, as the pipeline reads
    them: missing values empty, columns joined by a space."""
    # Column by column: a row-wise join is a Python call per row.
    columns = [frame[c].fillna("").astype(str) for c in frame.columns]
    # pandas-stubs leave out str.cat's documented list of Series.
    return (
        columns[0].str.cat(columns[1:], sep=" ")  # type: ignore[arg-type]
        if len(columns) > 1
        else columns[0]
    )


def _text_features(bounded: bool) -> FeatureUnion:
    """Word 1-2 and character 3-5 n-grams (within words), hashed and TF-IDF
    weighted; bounded (the audit's): a smaller space."""
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
    from sklearn.pipeline import make_pipeline, make_union

    n_features = HASHED_FEATURES if bounded else TEXT_FEATURES

    def tfidf(counts: object) -> Pipeline:
        return make_pipeline(counts, TfidfTransformer(sublinear_tf=True))

    return make_union(
        tfidf(
            HashingVectorizer(
                ngram_range=(1, 2), n_features=n_features, alternate_sign=False, norm=None
            )
        ),
        tfidf(WordCharNgrams(ngram_range=(3, 5), n_features=n_features)),
    )


def make_pipeline(
    kinds: dict[str, str], bounded: bool = False, task: str = "classification"
) -> Pipeline:
    """The baseline pipeline for features of the given kinds (bounded: the
    audit's variant of the text features and of the model), ending in a
    linear classifier, or for a regression task a ridge regression."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression, Ridge, SGDClassifier
    from sklearn.pipeline import FunctionTransformer, Pipeline, make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    def as_text(frame: pd.DataFrame) -> pd.Series[str]:
        text = joined_text(frame)
        return text.str.slice(0, HASHED_TEXT_CHARS) if bounded else text

    parts = []
    text = [c for c, k in kinds.items() if k == "text"]
    if text:
        parts.append(
            (
                "text",
                make_pipeline(FunctionTransformer(as_text), _text_features(bounded)),
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
    if task == "regression":
        # Deterministic (no random state to fix) and fast on sparse features.
        model = Ridge(alpha=1.0)
    elif bounded:
        # The audit's folds stop sooner: a ranking needs no last digit.
        model = LogisticRegression(max_iter=300, tol=1e-3, C=4.0, random_state=SEED)
    else:
        # Averaged SGD on the logistic loss: a pass over the rows per epoch,
        # where lbfgs over a million hashed columns took minutes per
        # thousand rows; on the sample it scores as the fitted-vocabulary
        # logistic regression did (docs/benchmarks.md).
        model = SGDClassifier(loss="log_loss", alpha=1e-5, average=True, random_state=SEED)
    return Pipeline([("features", ColumnTransformer(parts)), ("model", model)])


def _scores(y_true: pd.Series[str], y_pred: npt.ArrayLike, labels: list[str]) -> dict[str, Any]:
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


def thin_labels(
    y: pd.Series[Any], labels: list[str], min_rows: int, split: str
) -> dict[str, dict[str, Any]]:
    """The labels with fewer than min_rows rows of y (a split's labels),
    each with its row count and the note that says why it is not scored."""
    counts = y.value_counts()
    return {
        label: {"rows": int(counts.get(label, 0)), "note": f"too few {split} rows to score"}
        for label in labels
        if counts.get(label, 0) < min_rows
    }


def _segments(
    X: pd.DataFrame, kinds: dict[str, str], min_rows: int
) -> Iterator[tuple[dict[str, Any], npt.NDArray[Any]]]:
    """({by, value[, characters]}, row positions) of each segment of at
    least min_rows rows: each value of each categorical feature (missing as
    <null>, as the pipeline one-hot encodes it), and each quartile of the
    length of the text features joined as the pipeline joins them."""
    import numpy as np
    import pandas as pd

    def groups(keys: pd.Series[Any]) -> list[tuple[Any, npt.NDArray[Any]]]:
        # One pass over the rows, whatever the number of values.
        found = keys.reset_index(drop=True).groupby(keys.to_numpy(), sort=True).indices
        return [(key, np.asarray(rows)) for key, rows in found.items() if len(rows) >= min_rows]

    for feature in (c for c, k in kinds.items() if k == "categorical"):
        for value, rows in groups(X[feature].fillna("<null>").astype(str)):
            yield {"by": feature, "value": value}, rows
    text = [c for c, k in kinds.items() if k == "text"]
    if not text or X.empty:
        return
    lengths = joined_text(X[text]).str.len().to_numpy()
    # Fewer than four bins when many texts share a length.
    bins = pd.Series(pd.qcut(lengths, 4, labels=False, duplicates="drop"))
    for i, rows in groups(bins):
        inside = lengths[rows]
        segment = {
            "by": TEXT_LENGTH,
            "value": f"Q{int(i) + 1}",
            "characters": [int(inside.min()), int(inside.max())],
        }
        yield segment, rows


def segment_scores(
    X: pd.DataFrame,
    y_true: npt.ArrayLike,
    y_pred: npt.ArrayLike,
    kinds: dict[str, str],
    task: str = "classification",
    min_rows: int = SEGMENT_MIN_ROWS,
) -> dict[str, Any]:
    """The score of the whole of X and of each segment of at least min_rows
    rows (a categorical feature's value, a text-length quartile), worst
    first by gap: how much worse than the whole it scores. A
    classification's score is macro-F1 over the labels that occur in the
    rows (true or predicted), so a segment is not charged for labels it
    lacks; a regression's, MAE (with RMSE and R² beside it)."""
    import numpy as np

    actual, predicted = np.asarray(y_true), np.asarray(y_pred)
    regression = task == "regression"

    def score(rows: npt.NDArray[Any]) -> dict[str, float]:
        if regression:
            return _errors(actual[rows].astype(float), predicted[rows].astype(float))
        from sklearn.metrics import f1_score

        f1 = f1_score(actual[rows], predicted[rows], average="macro", zero_division=0)
        return {"macro_f1": float(f1)}

    metric = "mae" if regression else "macro_f1"
    overall = score(np.arange(len(actual)))
    found = []
    for segment, rows in _segments(X, kinds, min_rows):
        scores = score(rows)
        # Positive: worse than the whole (a higher error, a lower F1).
        gap = scores[metric] - overall[metric]
        found.append({**segment, "rows": len(rows), **scores, "gap": gap if regression else -gap})
    found.sort(key=lambda r: (-r["gap"], r["by"], r["value"]))
    return {"metric": metric, "min_rows": min_rows, "overall": overall, "segments": found}


def manifest_sha256(path: Path) -> str:
    return hashlib.sha256((Path(path) / MANIFEST_FILE).read_bytes()).hexdigest()


def run_baseline(
    path: str | Path,
    on_step: Step | None = None,
    max_train_rows: int | None = MAX_TRAIN_ROWS,
    seed: int = SEED,
    min_rows_per_label: int = MIN_ROWS_PER_LABEL,
) -> dict[str, Any]:
    """Train on train (a stratified, seeded sample of at most about
    max_train_rows rows), score the whole validation and test splits, and
    the segments of test; flag the labels with fewer than
    min_rows_per_label rows in a scored split; write baseline.json beside
    the export with confusion_matrix.png (a regression:
    predicted_vs_actual.png), and return the report."""
    from threadpoolctl import threadpool_limits

    from trainset.scan import empty_features, load_sample

    step = on_step or (lambda _: None)
    path = Path(path)
    manifest = read_training(path, verify=False)
    if "train" not in manifest.splits:
        raise TrainsetError(f"{path} has no train split")
    if max_train_rows is not None and max_train_rows < 1:
        raise TrainsetError(f"--max-train-rows must be at least 1, got {max_train_rows}")
    if min_rows_per_label < 0:
        raise TrainsetError(f"--min-rows-per-label must be at least 0, got {min_rows_per_label}")
    task = manifest.task
    step("loading train")
    X_train, y_train, sample = load_sample(path, "train", max_train_rows, seed, on_step=step)
    y_train = y_train.astype(float if task == "regression" else str)
    empty = empty_features(manifest)
    kinds = {c: k for c, k in feature_kinds(manifest, X_train).items() if c not in empty}
    step(f"training on {len(X_train):,} rows")
    pipeline = make_pipeline(kinds, task=task)
    # One BLAS thread: the solver's small dense steps only contend for cores.
    with threadpool_limits(1):
        pipeline.fit(X_train, y_train)
    report: dict[str, Any] = {
        "dataset": manifest.dataset,
        "version": manifest.version,
        "manifest_sha256": manifest_sha256(path),
        **({"task": task} if task == "regression" else {}),
        "model": f"{FEATURES_SAID}, " + MODEL_SAID[task],
        "seed": seed,
        "train_sample": sample,
        "feature_kinds": kinds,
        "left_out_features": {c: "no value in any row" for c in empty},
    }
    fitted = Fitted(manifest, pipeline, y_train, path, kinds, step)
    if task == "regression":
        scores, points = _regression_report(fitted)
    else:
        scores = _classification_report(fitted, min_rows_per_label)
    report.update(scores)
    (path / "baseline.json").write_text(json.dumps(report, indent=2) + "\n")
    step("plotting")
    if task == "regression":
        plot_predictions(report, points, path / PREDICTIONS_PNG)
    else:
        plot_confusion(report, path / "confusion_matrix.png")
    return report


FEATURES_SAID = "hashed TF-IDF (word 1-2, char 3-5) + one-hot + scaling"
MODEL_SAID = {
    "classification": "logistic regression (averaged SGD)",
    "regression": "ridge regression",
}
PREDICTIONS_PNG = "predicted_vs_actual.png"


@dataclass(frozen=True)
class Fitted:
    """A fitted baseline and what scoring it needs: the export, its
    manifest, the training labels, the features' kinds and progress."""

    manifest: Manifest
    pipeline: Pipeline
    y_train: pd.Series[Any]
    path: Path
    kinds: dict[str, str]
    step: Step

    def scored_splits(self) -> Iterator[tuple[str, pd.DataFrame, pd.Series[Any]]]:
        """(split, X, y) of validation and test, each read whole."""
        for split in ("validation", "test"):
            if split not in self.manifest.splits:
                continue
            self.step(f"scoring {split}")
            X, y = load(self.path, split, verify=False)
            yield split, X, y

    def predict(self, X: pd.DataFrame) -> npt.NDArray[Any]:
        """The pipeline's predictions, PREDICT_ROWS rows at a time: every
        step after fitting works row by row, so batches give the same."""
        import numpy as np

        if len(X) <= PREDICT_ROWS:
            return np.asarray(self.pipeline.predict(X))
        return np.concatenate(
            [
                self.pipeline.predict(X.iloc[start : start + PREDICT_ROWS])
                for start in range(0, len(X), PREDICT_ROWS)
            ]
        )

    def segments(
        self, split: str, X: pd.DataFrame, y: npt.ArrayLike, predicted: npt.ArrayLike
    ) -> dict[str, Any] | None:
        """The segment scores of the split segments are scored on; None for another."""
        if split != SEGMENT_SPLIT:
            return None
        self.step("scoring segments")
        return {"split": split, **segment_scores(X, y, predicted, self.kinds, self.manifest.task)}


def _classification_report(fitted: Fitted, min_rows_per_label: int) -> dict[str, Any]:
    """Accuracy, macro-F1, F1 per label and the confusion matrix per split,
    beside the majority class of train, with the labels too thin to score;
    and the segments of test. Macro-F1 still averages every label, thin
    ones included, so it stays comparable with earlier baselines."""
    labels = fitted.manifest.class_labels()
    # A label (y_train is str here); str() only tells mypy so.
    majority = str(fitted.y_train.value_counts().sort_index().idxmax())
    splits: dict[str, dict[str, Any]] = {}
    segments = None
    for split, X, y in fitted.scored_splits():
        y = y.astype(str)
        predicted = fitted.predict(X)
        scores = _scores(y, predicted, labels)
        scores["majority_baseline"] = {
            k: v
            for k, v in _scores(y, [majority] * len(y), labels).items()
            if k in ("accuracy", "macro_f1")
        }
        scores["lift_macro_f1"] = scores["macro_f1"] - scores["majority_baseline"]["macro_f1"]
        scores["thin_labels"] = thin_labels(y, labels, min_rows_per_label, split)
        splits[split] = scores
        segments = fitted.segments(split, X, y, predicted) or segments
    return {
        "labels": labels,
        "majority_label": majority,
        "min_rows_per_label": min_rows_per_label,
        "splits": splits,
        **({"segments": segments} if segments else {}),
    }


def _errors(y_true: npt.ArrayLike, y_pred: npt.ArrayLike) -> dict[str, float]:
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

    return {
        "mae": float(mean_absolute_error(y_true, y_pred)),
        "rmse": float(mean_squared_error(y_true, y_pred) ** 0.5),
        "r2": float(r2_score(y_true, y_pred)),
    }


def _regression_report(fitted: Fitted) -> tuple[dict[str, Any], Points]:
    """MAE, RMSE and R² per split, beside predicting the median of train
    (the constant with the least absolute error there), and per segment of
    test; and the (actual, predicted) values per split, for the plot."""
    import numpy as np

    median = float(np.median(fitted.y_train))
    splits: dict[str, dict[str, Any]] = {}
    points: Points = {}
    segments = None
    for split, X, y in fitted.scored_splits():
        actual = y.astype(float).to_numpy()
        predicted = fitted.predict(X)
        scores: dict[str, Any] = {"rows": len(actual), **_errors(actual, predicted)}
        scores["median_baseline"] = _errors(actual, np.full(len(actual), median))
        # Positive: the model's error is smaller than the median's.
        scores["lift_mae"] = scores["median_baseline"]["mae"] - scores["mae"]
        splits[split], points[split] = scores, (actual, predicted)
        segments = fitted.segments(split, X, actual, predicted) or segments
    return {
        "label": fitted.manifest.label,
        "train_median": median,
        "plot": PREDICTIONS_PNG,
        "splits": splits,
        **({"segments": segments} if segments else {}),
    }, points


def plot_confusion(report: dict[str, Any], out: Path) -> None:
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


def plot_predictions(report: dict[str, Any], points: Points, out: Path) -> None:
    """A regression's picture: predicted against actual per split, with the
    diagonal of a perfect model and the train median's flat line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    splits = list(report["splits"])
    fig, axes = plt.subplots(1, len(splits), figsize=(6 * len(splits), 5), squeeze=False)
    for ax, split in zip(axes[0], splits, strict=True):
        actual, predicted = points[split]
        ax.scatter(actual, predicted, s=4, alpha=0.3)
        low = float(min(actual.min(), predicted.min()))
        high = float(max(actual.max(), predicted.max()))
        ax.plot([low, high], [low, high], color="grey", linewidth=1, label="predicted = actual")
        ax.axhline(report["train_median"], color="orange", linewidth=1, label="train median")
        ax.set_xlabel(f"actual {report['label']}")
        ax.set_ylabel("predicted")
        s = report["splits"][split]
        ax.set_title(f"{split}: MAE {s['mae']:.3g}, R² {s['r2']:.3f}")
        ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=100, metadata={"Software": None})
    plt.close(fig)

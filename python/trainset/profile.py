"""A self-contained HTML profile of an exported dataset version.

Charts are matplotlib PNGs embedded as data URIs and the page has no
script, so it opens anywhere with no network. sweetviz compares train and
test well but only for numeric or boolean targets; a multi-class label is
what every trainset dataset has, so the charts here are drawn per label.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import re
from collections import Counter
from pathlib import Path

from trainset.baseline import feature_kinds
from trainset.compare import label_shift, row_changes, schema_changes
from trainset.load import load_all

DRIFT_THRESHOLD = 0.1  # Jensen-Shannon distance between train and a split
SHORT_TEXT, LONG_TEXT = 5, 1000
EXAMPLES = 20
SECTIONS = ("overview", "features", "drift", "problems", "baseline", "audit", "compare")


def _esc(value) -> str:
    return html.escape("" if value is None else str(value))


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode()
    return f'<img class="chart" alt="chart" src="data:image/png;base64,{data}">'


def _table(headers: list[str], rows: list[list]) -> str:
    head = "".join(f"<th>{_esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_esc(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figure(width=7, height=3.2):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(width, height))


def js_distance(p: Counter, q: Counter) -> float:
    """Jensen-Shannon distance (base 2, in [0, 1]) of two count tables."""
    sp, sq = sum(p.values()) or 1, sum(q.values()) or 1
    total = 0.0
    for key in set(p) | set(q):
        a, b = p.get(key, 0) / sp, q.get(key, 0) / sq
        m = (a + b) / 2
        if a:
            total += 0.5 * a * math.log2(a / m)
        if b:
            total += 0.5 * b * math.log2(b / m)
    return math.sqrt(max(total, 0.0))


def _bins(values, edges) -> Counter:
    import numpy as np

    counts, _ = np.histogram(values, bins=edges)
    return Counter({i: int(n) for i, n in enumerate(counts)})


def _distribution(series, kind: str, edges=None) -> Counter:
    """What drift is measured on: values, numeric bins or text lengths."""
    if kind == "categorical":
        return Counter(series.fillna("<null>").astype(str))
    values = (
        series.dropna().astype(str).str.len() if kind == "text" else series.dropna().astype(float)
    )
    return _bins(values, edges)


def _edges(series, kind: str):
    import numpy as np

    values = (
        series.dropna().astype(str).str.len() if kind == "text" else series.dropna().astype(float)
    )
    if values.empty:
        return np.array([0.0, 1.0])
    return np.unique(np.quantile(values, np.linspace(0, 1, 11)))


def normalize(text) -> str:
    return re.sub(r"\s+", " ", str(text or "").strip().lower())


TOKEN = re.compile(r"[^\W\d_]{3,}|<\w+>")


def distinctive_tokens(texts, labels, top: int = 8) -> dict[str, list[str]]:
    """Per label, the tokens most over-represented against the other labels
    (smoothed log-odds)."""
    per_label: dict[str, Counter] = {}
    for text, label in zip(texts, labels, strict=True):
        per_label.setdefault(label, Counter()).update(set(TOKEN.findall(str(text).lower())))
    overall = sum(per_label.values(), Counter())
    result = {}
    for label, counts in sorted(per_label.items()):
        n_label = sum(counts.values()) or 1
        n_rest = (sum(overall.values()) - n_label) or 1
        scored = {
            token: math.log((n + 1) / n_label) - math.log((overall[token] - n + 1) / n_rest)
            for token, n in counts.items()
            if n >= 3
        }
        result[label] = [t for t, _ in sorted(scored.items(), key=lambda kv: -kv[1])[:top]]
    return result


def _label_chart(manifests: list[tuple[str, dict]]) -> str:
    import numpy as np

    fig, ax = _figure(8, 3.4)
    labels = sorted(
        {lab for _, m in manifests for s in m["splits"].values() for lab in s["labels"]}
    )
    series = [
        (f"{name} {split}" if len(manifests) > 1 else split, facts)
        for name, m in manifests
        for split, facts in m["splits"].items()
    ]
    width = 0.8 / max(len(series), 1)
    x = np.arange(len(labels))
    for i, (name, facts) in enumerate(series):
        total = facts["rows"] or 1
        ax.bar(
            x + i * width,
            [facts["labels"].get(lab, 0) / total for lab in labels],
            width,
            label=name,
        )
    ax.set_xticks(x + width * (len(series) - 1) / 2, labels, rotation=30, ha="right")
    ax.set_ylabel("share of split")
    ax.legend(fontsize=7)
    return _png(fig)


def _feature_section(frame, column: str, kind: str, splits: list[str], label: str) -> tuple:
    """HTML for one feature, and its drift rows."""
    import numpy as np

    parts = [
        f'<section class="feature" id="feature-{_esc(column)}">',
        f"<h3>{_esc(column)} <small>({kind})</small></h3>",
    ]
    null_rows = [[s, f"{frame.loc[frame.split == s, column].isna().mean():.1%}"] for s in splits]
    parts.append(_table(["split", "null rate"], null_rows))
    fig, ax = _figure()
    if kind == "categorical":
        top = frame[column].fillna("<null>").astype(str).value_counts().index[:10]
        x = np.arange(len(top))
        width = 0.8 / len(splits)
        for i, s in enumerate(splits):
            shares = frame.loc[frame.split == s, column].fillna("<null>").astype(str)
            shares = shares.value_counts(normalize=True)
            ax.bar(x + i * width, [shares.get(v, 0) for v in top], width, label=s)
        ax.set_xticks(
            x + width * (len(splits) - 1) / 2, [str(v)[:20] for v in top], rotation=30, ha="right"
        )
        ax.set_ylabel("share")
        ax.legend(fontsize=7)
    elif kind == "numeric":
        for s in splits:
            values = frame.loc[frame.split == s, column].dropna().astype(float)
            ax.hist(values, bins=30, alpha=0.5, density=True, label=s)
        ax.legend(fontsize=7)
        stats = []
        for s in splits:
            v = frame.loc[frame.split == s, column].dropna().astype(float)
            q = v.quantile([0.25, 0.5, 0.75]) if len(v) else None
            stats.append(
                [s, len(v)]
                + (
                    [
                        f"{x:.3g}"
                        for x in (v.mean(), v.std(), v.min(), q[0.25], q[0.5], q[0.75], v.max())
                    ]
                    if len(v)
                    else [""] * 7
                )
            )
        parts.append(
            _table(["split", "n", "mean", "std", "min", "p25", "median", "p75", "max"], stats)
        )
    else:
        lengths = frame[column].fillna("").astype(str).str.len()
        groups = sorted(frame[label].astype(str).unique())
        ax.boxplot([lengths[frame[label].astype(str) == g] for g in groups], showfliers=False)
        ax.set_xticks(range(1, len(groups) + 1), groups, rotation=30, ha="right")
        ax.set_ylabel("length (characters)")
        tokens = distinctive_tokens(frame[column].fillna(""), frame[label].astype(str))
        parts.append(
            _table(
                ["label", "most distinctive tokens"], [[g, ", ".join(t)] for g, t in tokens.items()]
            )
        )
    parts.append(_png(fig))
    drift = []
    edges = None if kind == "categorical" else _edges(frame[column], kind)
    train = _distribution(frame.loc[frame.split == "train", column], kind, edges)
    for s in splits:
        if s == "train":
            continue
        d = js_distance(train, _distribution(frame.loc[frame.split == s, column], kind, edges))
        drift.append([column, kind, s, f"{d:.3f}", "yes" if d > DRIFT_THRESHOLD else ""])
    parts.append("</section>")
    return "".join(parts), drift


def _problems(frame, manifest: dict, text_columns: list[str], label: str) -> str:
    features = manifest["roles"]["features"]
    parts = []
    dup_key = frame[features].astype("string").fillna("<null>").agg("\x1f".join, axis=1)
    within = frame[dup_key.duplicated(keep=False)].assign(_key=dup_key)
    within = within[within.duplicated(["_key", "split"], keep=False)]
    parts.append(f"<h3>Exact duplicates within a split: {len(within)} rows</h3>")
    parts.append(
        _table(
            ["id", "split", *text_columns[:1]],
            [
                [i, r.split, *(r[c] for c in text_columns[:1])]
                for i, r in within.head(EXAMPLES).iterrows()
            ],
        )
    )
    if text_columns:
        key = frame[text_columns].fillna("").astype(str).agg(" | ".join, axis=1).map(normalize)
        splits_of = key.groupby(key).transform(lambda k: frame.loc[k.index, "split"].nunique())
        across = frame[splits_of > 1].assign(_key=key[splits_of > 1]).sort_values("_key")
        parts.append(f"<h3>Duplicates across splits: {len(across)} rows</h3>")
        parts.append(
            _table(
                ["id", "split", "text"],
                [[i, r.split, r._key] for i, r in across.head(EXAMPLES).iterrows()],
            )
        )
        labels_of = frame[label].astype(str).groupby(key).agg(lambda v: sorted(set(v)))
        conflicts = labels_of[labels_of.map(len) > 1]
        sizes = key.value_counts()
        parts.append(
            f"<h3>Texts with conflicting labels: {len(conflicts)} texts, "
            f"{int(sizes[conflicts.index].sum()) if len(conflicts) else 0} rows</h3>"
        )
        parts.append(
            _table(
                ["text", "labels", "rows"],
                [[t, ", ".join(v), int(sizes[t])] for t, v in conflicts.head(EXAMPLES).items()],
            )
        )
        for column in text_columns:
            lengths = frame[column].fillna("").astype(str).str.len()
            short = frame[lengths < SHORT_TEXT]
            long = frame[lengths > LONG_TEXT]
            parts.append(
                f"<h3>{_esc(column)}: {len(short)} very short (&lt; {SHORT_TEXT} "
                f"characters), {len(long)} very long (&gt; {LONG_TEXT})</h3>"
            )
            parts.append(
                _table(
                    ["id", "split", "length", "text"],
                    [
                        [i, r.split, len(str(r[column] or "")), str(r[column])[:200]]
                        for i, r in pd_concat(short, long).head(EXAMPLES).iterrows()
                    ],
                )
            )
    return "".join(parts)


def pd_concat(*frames):
    import pandas as pd

    return pd.concat(frames)


def _baseline_section(path: Path) -> str:
    report_path = path / "baseline.json"
    if not report_path.is_file():
        return "<p>No baseline yet: run <code>trainset baseline</code> on this export.</p>"
    report = json.loads(report_path.read_text())
    rows = []
    for split, s in report["splits"].items():
        rows.append(
            [
                split,
                s["rows"],
                f"{s['accuracy']:.3f}",
                f"{s['macro_f1']:.3f}",
                f"{s['majority_baseline']['accuracy']:.3f}",
                f"{s['majority_baseline']['macro_f1']:.3f}",
            ]
        )
    parts = [
        f"<p>{_esc(report['model'])}; majority label: <b>{_esc(report['majority_label'])}</b>.</p>",
        _table(
            ["split", "rows", "accuracy", "macro-F1", "majority accuracy", "majority macro-F1"],
            rows,
        ),
    ]
    labels = report["labels"]
    parts.append(
        _table(
            ["label", *report["splits"]],
            [
                [lab, *(f"{s['f1_per_label'][lab]:.3f}" for s in report["splits"].values())]
                for lab in labels
            ],
        )
    )
    png = path / "confusion_matrix.png"
    if png.is_file():
        data = base64.b64encode(png.read_bytes()).decode()
        parts.append(
            f'<img class="chart" alt="confusion matrix" src="data:image/png;base64,{data}">'
        )
    return "".join(parts)


def _audit_section(path: Path) -> str:
    import pandas as pd

    issues_path = path / "label_issues.csv"
    if not issues_path.is_file():
        return "<p>No audit yet: run <code>trainset audit</code> on this export.</p>"
    issues = pd.read_csv(issues_path, dtype=str)
    flagged = int((issues["is_label_issue"] == "True").sum())
    return (
        f"<p>{flagged} of {len(issues)} training rows flagged by cleanlab; "
        f"the {EXAMPLES} most suspect:</p>"
        + _table(list(issues.columns), issues.head(EXAMPLES).values.tolist())
    )


def _compare_section(frame, manifest, other_frame, other_manifest, other_path) -> str:
    changes = schema_changes(other_manifest, manifest)
    rows = row_changes(other_frame, frame)
    shift = label_shift(other_manifest, manifest)
    parts = [
        f"<p>Against <code>{_esc(other_path)}</code> "
        f"({_esc(other_manifest['dataset'])} v{other_manifest['version']}).</p>",
        "<h3>Rows</h3>",
        _table(["added", "removed", "kept"], [[rows["added"], rows["removed"], rows["kept"]]]),
        "<h3>Columns</h3>",
        _table(
            ["added", "removed", "retyped", "role changed"],
            [
                [
                    ", ".join(changes["added"]),
                    ", ".join(changes["removed"]),
                    ", ".join(
                        f"{c['column']}: {c['old']} → {c['new']}" for c in changes["retyped"]
                    ),
                    ", ".join(
                        f"{c['column']}: {c['old']} → {c['new']}" for c in changes["role_changed"]
                    ),
                ]
            ],
        ),
        "<h3>Label distribution shift</h3>",
        _table(
            ["split", "total variation distance"],
            [[s, f"{v['total_variation']:.3f}"] for s, v in shift.items()],
        ),
        '<div class="side">',
        f"<div><h4>this version</h4>{_label_chart([('this', manifest)])}</div>",
        f"<div><h4>other version</h4>{_label_chart([('other', other_manifest)])}</div>",
        "</div>",
    ]
    feature_rows = []
    for column in manifest["roles"]["features"]:
        if column not in other_frame.columns:
            continue
        feature_rows.append(
            [
                column,
                f"{other_frame[column].isna().mean():.1%}",
                f"{frame[column].isna().mean():.1%}",
            ]
        )
    parts.append(_table(["feature", "null rate (other)", "null rate (this)"], feature_rows))
    return "".join(parts)


STYLE = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:.85em}
td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top;max-width:600px}
th{background:#f3f3f3} section{margin-bottom:2em} img.chart{max-width:100%;display:block}
.side{display:flex;gap:1em} .side>div{flex:1} nav a{margin-right:1em}
"""


def render_profile(
    path: str | Path, compare: str | Path | None = None, out: str | Path | None = None, on_step=None
) -> Path:
    """Write the HTML profile of an export (default: PATH/profile.html)."""
    step = on_step or (lambda _: None)
    path = Path(path)
    step("loading")
    frame, manifest = load_all(path)
    label = manifest["roles"]["label"]
    splits = list(manifest["splits"])
    train = frame[frame.split == "train"] if "train" in splits else frame
    kinds = feature_kinds(manifest, train)
    text_columns = [c for c, k in kinds.items() if k == "text"]
    title = f"{manifest['dataset']} v{manifest['version']}"
    body = [
        f"<h1>Profile of {_esc(title)}</h1>",
        "<nav>" + "".join(f'<a href="#{s}">{s}</a>' for s in SECTIONS) + "</nav>",
    ]

    step("overview")
    tests = manifest["tests"]
    body += [
        '<section id="overview"><h2>Overview</h2>',
        _table(["split", "rows"], [[s, f["rows"]] for s, f in manifest["splits"].items()]),
        "<h3>Labels by split</h3>",
        _label_chart([("this", manifest)]),
        "<h3>dbt tests</h3>",
        _table(["status", "tests"], sorted(tests["summary"].items())),
        _table(
            ["test", "status", "failing rows"],
            [
                [t["name"], t["status"], t["failures"]]
                for t in tests["results"]
                if t["status"] != "pass"
            ],
        ),
        "</section>",
    ]

    step("features")
    drift_rows = []
    feature_html = []
    for column, kind in kinds.items():
        section, drift = _feature_section(frame, column, kind, splits, label)
        feature_html.append(section)
        drift_rows += drift
    body += ['<section id="features"><h2>Features</h2>', *feature_html, "</section>"]
    body += [
        '<section id="drift"><h2>Drift against train</h2>',
        f"<p>Jensen-Shannon distance of each feature's distribution (values, numeric "
        f"deciles or text lengths) between train and each other split; flagged above "
        f"{DRIFT_THRESHOLD}.</p>",
        _table(["feature", "kind", "split", "JS distance", "flagged"], drift_rows),
        "</section>",
    ]

    step("data problems")
    body += [
        '<section id="problems"><h2>Data problems</h2>',
        _problems(frame, manifest, text_columns, label),
        "</section>",
    ]
    body += ['<section id="baseline"><h2>Baseline</h2>', _baseline_section(path), "</section>"]
    body += ['<section id="audit"><h2>Suspect labels</h2>', _audit_section(path), "</section>"]
    body.append('<section id="compare"><h2>Comparison</h2>')
    if compare is not None:
        step("comparing")
        other_frame, other_manifest = load_all(Path(compare))
        body.append(_compare_section(frame, manifest, other_frame, other_manifest, compare))
    else:
        body.append("<p>Run with <code>--compare OTHER_EXPORT</code> to compare versions.</p>")
    body.append("</section>")

    page = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{_esc(title)}</title><style>{STYLE}</style></head><body>"
        + "".join(body)
        + "</body></html>"
    )
    target = Path(out) if out else path / "profile.html"
    target.write_text(page, encoding="utf-8")
    return target


# How this machine's Chromium runs headless with no network calls of its own.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def screenshot(page: Path, out: Path, width: int = 1200, height: int = 2400) -> Path:
    """A PNG of the report, taken by headless Chromium (Debian's chromium)."""
    import shutil
    import subprocess
    import tempfile

    from trainset.errors import TrainsetError

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise TrainsetError("--screenshot needs chromium: apt-get install chromium")
    with tempfile.TemporaryDirectory() as profile_dir:
        done = subprocess.run(
            [
                chromium,
                *CHROMIUM_FLAGS,
                "--hide-scrollbars",
                f"--user-data-dir={profile_dir}",
                f"--window-size={width},{height}",
                f"--screenshot={Path(out).resolve()}",
                Path(page).resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    if done.returncode != 0 or not Path(out).is_file():
        raise TrainsetError(f"chromium could not take the screenshot: {done.stderr.strip()[-200:]}")
    return Path(out)

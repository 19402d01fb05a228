"""A self-contained HTML profile of an exported dataset version.

Charts are matplotlib PNGs embedded as data URIs and the page has no
script, so it opens anywhere with no network. Every count is computed in
DuckDB over the split files, so a profile of millions of rows takes seconds
and bounded memory; duplicates and conflicts use the dbt tests' own text
key (the text_key macro, rendered from macros/). sweetviz compares train and
test well but only for numeric or boolean targets; a multi-class label is
what most trainset datasets have, so the charts here are drawn per label.
A numeric label (a regression) is profiled as a number: its distribution
per split, its drift against train (Kolmogorov-Smirnov), and the per-label
parts drawn per label quartile.
"""

from __future__ import annotations

import base64
import io
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from trainset.compare import (
    is_number,
    ks_statistic,
    label_shift,
    numeric_label_shift,
    numeric_stats_sql,
    schema_changes,
)
from trainset.manifest import Manifest
from trainset.render import escape_html, html_table
from trainset.scan import (
    SEED,
    attach,
    connect,
    empty_features,
    feature_kinds_sql,
    fetch,
    literal,
    null_rates,
    quote,
    sample_sql,
    text_key_sql,
)

if TYPE_CHECKING:
    import duckdb
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    Connection = duckdb.DuckDBPyConnection

DRIFT_THRESHOLD = 0.1  # Jensen-Shannon distance between train and a split
SHORT_TEXT, LONG_TEXT = 5, 1000
EXAMPLES = 20
# The distinctive tokens per label are counted in Python, on at most this many rows.
TOKEN_SAMPLE = 20_000
AUDIT_TEXT = 300
# The order no_cross_split_duplicates ranks splits in (its default).
SPLIT_ORDER = ("train", "validation", "test")
# The column of the token sample that holds a numeric label's quartile.
QUARTILE = "_label_quartile"
SECTIONS = ("overview", "features", "text", "drift", "problems", "baseline", "audit", "compare")


def _num(value: float | None) -> str:
    """A count with thousands separators, another number in four
    significant digits (whole above a thousand, never an exponent)."""
    if value is None:
        return ""
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def _png(fig: Figure) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode()
    return f'<img class="chart" alt="chart" src="data:image/png;base64,{data}">'


def _figure(width: float = 7, height: float = 3.2) -> tuple[Figure, Axes]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(width, height))


TOKEN = re.compile(r"[^\W\d_]{3,}|<\w+>")


def distinctive_tokens(
    texts: Iterable[object], labels: Iterable[str], top: int = 8
) -> dict[str, list[str]]:
    """Per label, the tokens most over-represented against the other labels
    (smoothed log-odds); ties in alphabetical order."""
    per_label: dict[str, Counter[str]] = {}
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
        result[label] = [t for t, _ in sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]
    return result


def _label_chart(manifests: list[tuple[str, Manifest]]) -> str:
    import numpy as np

    fig, ax = _figure(8, 3.4)
    labels = sorted({lab for _, m in manifests for lab in m.class_labels()})
    series = [
        (f"{name} {split}" if len(manifests) > 1 else split, facts)
        for name, m in manifests
        for split, facts in m.splits.items()
    ]
    width = 0.8 / max(len(series), 1)
    x = np.arange(len(labels))
    for i, (name, facts) in enumerate(series):
        total = facts.rows or 1
        counts = facts.labels or {}
        ax.bar(
            x + i * width,
            [counts.get(lab, 0) / total for lab in labels],
            width,
            label=name,
        )
    ax.set_xticks(x + width * (len(series) - 1) / 2, labels, rotation=30, ha="right")
    ax.set_ylabel("share of split")
    ax.legend(fontsize=7)
    return _png(fig)


def js_distance_sql(
    con: Connection, bucket: str, split: str, where: str = "true", relation: str = "rows"
) -> float:
    """Jensen-Shannon distance (base 2, in [0, 1]) between the distribution
    of the bucket expression in train and in split (rows of relation, which
    has a split column), computed in DuckDB."""
    (total,) = fetch(
        con,
        f"""
        with counts as (
            select split, {bucket} as k, count(*) as n
            from {relation} where split in ('train', {literal(split)}) and {where}
            group by all
        ),
        shares as (
            select split, k, n / sum(n) over (partition by split) as share from counts
        ),
        paired as (
            select coalesce(a.share, 0) as a, coalesce(b.share, 0) as b
            from (select * from shares where split = 'train') as a
            full outer join (select * from shares where split = {literal(split)}) as b
                on a.k is not distinct from b.k
        )
        select coalesce(sum(
            case when a > 0 then 0.5 * a * log2(a / ((a + b) / 2)) else 0 end
            + case when b > 0 then 0.5 * b * log2(b / ((a + b) / 2)) else 0 end
        ), 0) from paired
        """,
    )[0]
    return math.sqrt(max(total, 0.0))


def _bin_case(value: str, edges: list[float]) -> str:
    """The bin of value among edges, as numpy.histogram counts it."""
    if len(edges) < 3:
        return "0"
    whens = " ".join(f"when {value} < {e!r} then {i}" for i, e in enumerate(edges[1:-1]))
    return f"case {whens} else {len(edges) - 2} end"


def _deciles(con: Connection, value: str, where: str, relation: str = "rows") -> list[float]:
    (quantiles,) = fetch(
        con,
        f"select quantile_cont({value}, [{', '.join(str(i / 10) for i in range(11))}]) "
        f"from {relation} where {where}",
    )[0]
    return sorted(set(quantiles)) if quantiles else [0.0, 1.0]


def _null_rates(con: Connection, column: str, splits: list[str]) -> list[list[str]]:
    rates = dict(
        fetch(
            con,
            f"select split, avg(case when {quote(column)} is null then 1.0 else 0.0 end) "
            "from rows group by split",
        )
    )
    return [[s, f"{rates.get(s, 0):.1%}"] for s in splits]


def _categorical_chart(con: Connection, column: str, splits: list[str]) -> str:
    import numpy as np

    value = f"coalesce(cast({quote(column)} as varchar), '<null>')"
    top = [
        v
        for (v,) in fetch(
            con,
            f"select {value} as v from rows group by v order by count(*) desc, v limit 10",
        )
    ]
    shares = {
        (s, v): share
        for s, v, share in fetch(
            con,
            f"select split, {value} as v, count(*) / sum(count(*)) over (partition by split) "
            "from rows group by split, v",
        )
        if v in set(top)
    }
    fig, ax = _figure()
    x = np.arange(len(top))
    width = 0.8 / len(splits)
    for i, s in enumerate(splits):
        ax.bar(x + i * width, [shares.get((s, v), 0) for v in top], width, label=s)
    ax.set_xticks(
        x + width * (len(splits) - 1) / 2, [str(v)[:20] for v in top], rotation=30, ha="right"
    )
    ax.set_ylabel("share")
    ax.legend(fontsize=7)
    return _png(fig)


def _numeric_parts(con: Connection, column: str, splits: list[str]) -> list[str]:
    value = f"cast({quote(column)} as double)"
    stats = {
        row[0]: row[1:]
        for row in fetch(
            con,
            f"select split, count({value}), favg({value}), stddev_samp({value}), min({value}), "
            f"quantile_cont({value}, [0.25, 0.5, 0.75]), max({value}) from rows group by split",
        )
    }
    lo, hi = fetch(con, f"select min({value}), max({value}) from rows")[0]
    fig, ax = _figure()
    if lo is not None:
        width = (hi - lo) / 30 or 1.0
        counts = fetch(
            con,
            f"select split, least(cast(floor(({value} - {lo!r}) / {width!r}) as integer), 29) "
            f"as b, count(*) from rows where {value} is not null group by all",
        )
        edges = [lo + i * width for i in range(31)]
        for s in splits:
            n = stats.get(s, (0,))[0] or 1
            heights = [0.0] * 30
            for split, b, count in counts:
                if split == s:
                    heights[b] = count / (n * width)
            ax.stairs(heights, edges, fill=True, alpha=0.5, label=s)
        ax.legend(fontsize=7)
    rows = []
    for s in splits:
        n, mean, std, low, quartiles, high = stats.get(s, (0, None, None, None, None, None))
        values = (mean, std, low, *(quartiles or (None,) * 3), high)
        rows.append(
            [s, n] + ([f"{x:.3g}" if x is not None else "nan" for x in values] if n else [""] * 7)
        )
    return [
        html_table(["split", "n", "mean", "std", "min", "p25", "median", "p75", "max"], rows),
        _png(fig),
    ]


class TextSample(TypedDict):
    """The rows the distinctive tokens and the detected languages are
    computed on, and how the page says so."""

    frame: pd.DataFrame
    said: str
    rows: int
    seed: int
    group: str


def _text_parts(con: Connection, column: str, group: str, sample: TextSample | None) -> list[str]:
    """Text length per label group (group: the SQL of a row's label, or of
    its label quartile) and the most distinctive tokens per group."""
    # render_profile draws the sample whenever there is a text feature.
    assert sample is not None
    length = f"length(coalesce(cast({quote(column)} as varchar), ''))"
    boxes = fetch(
        con,
        f"""
        with lengths as (select {group} as g, {length} as n from rows),
        quartiles as (
            select g, quantile_cont(n, [0.25, 0.5, 0.75]) as q from lengths group by g
        )
        select g, q,
            min(n) filter (where n >= q[1] - 1.5 * (q[3] - q[1])),
            max(n) filter (where n <= q[3] + 1.5 * (q[3] - q[1]))
        from lengths inner join quartiles using (g)
        group by g, q order by g
        """,
    )
    fig, ax = _figure()
    ax.bxp(
        [
            {"label": g, "q1": q[0], "med": q[1], "q3": q[2], "whislo": lo, "whishi": hi}
            for g, q, lo, hi in boxes
        ],
        showfliers=False,
    )
    ax.set_xticks(range(1, len(boxes) + 1), [g for g, *_ in boxes], rotation=30, ha="right")
    ax.set_ylabel("length (characters)")
    texts = sample["frame"]
    tokens = distinctive_tokens(texts[column].fillna(""), texts[sample["group"]].astype(str))
    return [
        html_table(
            [
                "label quartile" if sample["group"] == QUARTILE else "label",
                "most distinctive tokens",
            ],
            [[g, ", ".join(t)] for g, t in tokens.items()],
        ),
        f'<p class="note">Distinctive tokens: {sample["said"]}.</p>',
        _png(fig),
    ]


def _feature_section(
    con: Connection,
    column: str,
    kind: str,
    splits: list[str],
    group: str,
    sample: TextSample | None,
) -> tuple[str, list[list[str]]]:
    """HTML for one feature, and its drift rows."""
    parts = [
        f'<section class="feature" id="feature-{escape_html(column)}">',
        f"<h3>{escape_html(column)} <small>({kind})</small></h3>",
        html_table(["split", "null rate"], _null_rates(con, column, splits)),
    ]
    if kind == "categorical":
        parts.append(_categorical_chart(con, column, splits))
        bucket, where = f"coalesce(cast({quote(column)} as varchar), '<null>')", "true"
    else:
        parts += (
            _numeric_parts(con, column, splits)
            if kind == "numeric"
            else _text_parts(con, column, group, sample)
        )
        value = (
            f"cast({quote(column)} as double)"
            if kind == "numeric"
            else f"length(cast({quote(column)} as varchar))"
        )
        where = f"{quote(column)} is not null"
        bucket = _bin_case(value, _deciles(con, value, where))
    drift = []
    for s in splits:
        if s == "train" or "train" not in splits:
            continue
        d = js_distance_sql(con, bucket, s, where)
        drift.append([column, kind, s, f"{d:.3f}", "yes" if d > DRIFT_THRESHOLD else ""])
    parts.append("</section>")
    return "".join(parts), drift


# A text's properties, each a count over its characters (or 0/1 for a
# URL), computed in DuckDB on every row; t is the text as varchar. The
# counts remove the rare characters and measure what went: removing the
# common ones instead is ten times slower at a million rows.
TEXT_COUNTS = {
    "n_chars": "length(t)",
    "n_non_ascii": "length(t) - length(regexp_replace(t, '[^[:ascii:]]', '', 'g'))",
    "n_digits": "length(t) - length(regexp_replace(t, '[0-9]', '', 'g'))",
    "has_url": "cast(regexp_matches(t, '(?i)\\bhttps?://|\\bwww[.][a-z0-9-]') as integer)",
}
# The properties whose drift the profile measures: a row's value, and its name.
TEXT_DRIFT = {
    "n_non_ascii / greatest(n_chars, 1)": "non-ASCII share",
    "n_digits / greatest(n_chars, 1)": "digit share",
    "has_url": "has a URL",
}
# Shown per group, the rest summed as "other".
TOP_LANGUAGES = 4
SHARED_LINES = 20


def _language_frame(sample: TextSample, ident: str, text_columns: list[str]) -> pd.DataFrame:
    """The detected language of each text of the sample, one row per id and column."""
    import pandas as pd

    from trainset.language import detect_language

    frame = sample["frame"]
    parts = [
        pd.DataFrame(
            {
                "id": frame[ident].astype(str),
                "text_column": column,
                "language": [
                    detect_language(None if pd.isna(t) else str(t)) for t in frame[column]
                ],
            }
        )
        for column in text_columns
    ]
    return pd.concat(parts, ignore_index=True)


def _language_cell(shares: list[tuple[str, float]]) -> str:
    shown = [f"{lang} {share:.0%}" for lang, share in shares[:TOP_LANGUAGES]]
    rest = sum(share for _, share in shares[TOP_LANGUAGES:])
    return ", ".join(shown + ([f"other {rest:.1%}"] if rest > 0 else []))


def _text_properties(
    con: Connection,
    manifest: Manifest,
    text_columns: list[str],
    group: str,
    splits: list[str],
    sample: TextSample,
) -> tuple[list[str], list[list[str]]]:
    """Each text feature's properties per split and per label group (length,
    shares of non-ASCII characters, digits and rows with a URL, in DuckDB
    over every row; the detected language on the stated sample), and their
    drift rows against train."""
    ident = quote(manifest.roles.id)
    counts = ", ".join(f"{sql} as {name}" for name, sql in TEXT_COUNTS.items())
    con.execute(
        "create temporary table text_properties as "
        + " union all ".join(
            f"select cast({ident} as varchar) as id, split, cast({group} as varchar) as grp, "
            f"{literal(c)} as text_column, {counts} "
            f"from (select *, cast({quote(c)} as varchar) as t from rows) where t is not null"
            for c in text_columns
        )
    )
    con.register("detected_languages", _language_frame(sample, manifest.roles.id, text_columns))
    con.execute(
        """
        create temporary table text_languages as
        select p.split, p.grp, p.text_column, coalesce(d.language, '<none>') as language
        from detected_languages as d
        inner join text_properties as p on d.id = p.id and d.text_column = p.text_column
        """
    )
    con.unregister("detected_languages")
    parts = [
        "<p>Per text feature, on every row: the length in characters, the share of its "
        "characters that are not ASCII and that are digits, and the share of rows holding "
        "a URL (http, https or www.). The language is detected by py3langid (no language "
        f"under {_min_letters()} letters), {sample['said']}.</p>"
    ]
    drift = []
    for column in text_columns:
        where = f"text_column = {literal(column)}"
        stats = fetch(
            con,
            f"""
            with keyed as (
                select 'split' as part, split as g, * from text_properties where {where}
                union all
                select 'label' as part, grp as g, * from text_properties where {where}
            )
            select part, g, count(*), avg(n_chars), median(n_chars),
                sum(n_non_ascii) / greatest(sum(n_chars), 1),
                sum(n_digits) / greatest(sum(n_chars), 1), avg(has_url)
            from keyed group by part, g
            """,
        )
        languages: dict[tuple[str, str], list[tuple[str, float]]] = {}
        for by, g, lang, share in fetch(
            con,
            f"""
            with keyed as (
                select 'split' as part, split as g, language from text_languages where {where}
                union all
                select 'label' as part, grp as g, language from text_languages where {where}
            )
            select part, g, language, count(*) / sum(count(*)) over (partition by part, g) as share
            from keyed group by part, g, language order by part, g, share desc, language
            """,
        ):
            languages.setdefault((by, g), []).append((lang, share))
        order = {s: i for i, s in enumerate(splits)}
        stats.sort(key=lambda r: (r[0] == "label", order.get(r[1], 0), str(r[1])))
        rows = [
            [
                f"{by} {g}",
                n,
                f"{mean:.0f}",
                f"{median:.0f}",
                f"{non_ascii:.2%}",
                f"{digits:.2%}",
                f"{url:.2%}",
                _language_cell(languages.get((by, g), [])),
            ]
            for by, g, n, mean, median, non_ascii, digits, url in stats
        ]
        parts += [
            f"<h3>{escape_html(column)}</h3>",
            html_table(
                [
                    "rows of",
                    "rows",
                    "mean length",
                    "median length",
                    "non-ASCII characters",
                    "digits",
                    "rows with a URL",
                    "languages (sample)",
                ],
                rows,
                "text-properties",
            ),
        ]
        drift += _text_property_drift(con, column, splits)
    return parts, drift


def _min_letters() -> int:
    from trainset.language import MIN_LETTERS

    return MIN_LETTERS


def _text_property_drift(con: Connection, column: str, splits: list[str]) -> list[list[str]]:
    """The drift rows of one text feature's properties: the per-row shares
    binned at their deciles, the URL flag and the detected language as they are."""
    where = f"text_column = {literal(column)}"
    buckets = [
        (_bin_case(value, _deciles(con, value, where, "text_properties")), name, "text_properties")
        for value, name in TEXT_DRIFT.items()
    ]
    buckets.append(("language", "language (sample)", "text_languages"))
    rows = []
    for bucket, name, relation in buckets:
        for s in splits:
            if s == "train" or "train" not in splits:
                continue
            d = js_distance_sql(con, bucket, s, where, relation)
            rows.append(
                [
                    f"{column}: {name}",
                    "text property",
                    s,
                    f"{d:.3f}",
                    "yes" if d > DRIFT_THRESHOLD else "",
                ]
            )
    return rows


def _shared_lines(con: Connection, ident: str, text_columns: list[str]) -> list[str]:
    """Per text feature, the lines (trimmed, blank ones left out) that the
    most rows share, with their row counts: templates and boilerplate."""
    parts = [
        f"<p>The {SHARED_LINES} lines of each text feature that the most rows share "
        "(a line counts once per row; ends trimmed), with the rows that hold them.</p>"
    ]
    for column in text_columns:
        (total,) = fetch(con, f"select count({quote(column)}) from rows")[0]
        lines = fetch(
            con,
            f"""
            with split_lines as (
                select
                    {ident} as row_id,
                    unnest(regexp_split_to_array(cast({quote(column)} as varchar), '\\r?\\n'))
                        as line
                from rows where {quote(column)} is not null
            ),
            row_lines as (
                select distinct row_id, trim(line, chr(32) || chr(9)) as line from split_lines
            )
            select line, count(*) as n from row_lines where line <> ''
            group by line having count(*) > 1
            order by n desc, line limit {SHARED_LINES}
            """,
        )
        parts += [
            f"<h4>{escape_html(column)}</h4>",
            html_table(
                ["line", "rows", "share of rows"],
                [[_clip(line), n, f"{n / (total or 1):.1%}"] for line, n in lines],
                "shared-lines",
            ),
        ]
    return parts


def _text_sample(
    con: Connection,
    manifest: Manifest,
    text_columns: list[str],
    seed: int = SEED,
    quartiles: str | None = None,
) -> TextSample:
    """The rows the distinctive tokens are computed on: all of them, or a
    seeded sample stratified by label (or by label quartile, the SQL
    quartiles, for a numeric label); and how the page says so."""
    ident = manifest.roles.id
    relation, group, by = "rows", manifest.label, "label"
    if quartiles is not None:
        relation = f"(select *, {quartiles} as {QUARTILE} from rows)"
        group, by = QUARTILE, "label quartile"
    columns = ", ".join(quote(c) for c in [ident, *text_columns, group])
    (total,) = fetch(con, "select count(*) from rows")[0]
    order = f"order by {quote(ident)}"
    if total <= TOKEN_SAMPLE:
        frame = con.execute(f"select {columns} from {relation} {order}").df()
        said = f"computed on all {total:,} rows"
    else:
        inner = sample_sql(relation, ident, TOKEN_SAMPLE, seed, group)
        frame = con.execute(f"select {columns} from ({inner}) {order}").df()
        said = (
            f"computed on a sample of {len(frame):,} of {total:,} rows "
            f"(stratified by {by}, seed {seed})"
        )
    return {"frame": frame, "said": said, "rows": len(frame), "seed": seed, "group": group}


def _label_quartiles(con: Connection, label: str) -> tuple[str, float]:
    """The SQL naming a row's label quartile (over all rows), for the parts
    drawn per label when the label is a number; and the interquartile range."""
    value = f"cast({quote(label)} as double)"
    (quartiles,) = fetch(con, f"select quantile_cont({value}, [0.25, 0.5, 0.75]) from rows")[0]
    q1, q2, q3 = quartiles or (0.0, 0.0, 0.0)
    whens = " ".join(
        f"when {value} <= {q!r} then {literal(f'Q{i} ≤ {_num(q)}')}"
        for i, q in enumerate((q1, q2, q3), start=1)
    )
    return f"case {whens} else {literal(f'Q4 > {_num(q3)}')} end", q3 - q1


def _label_drift(con: Connection, label: str, splits: list[str]) -> str:
    """A numeric label's drift against train: the Kolmogorov-Smirnov
    statistic per split, computed in DuckDB, with its asymptotic p-value."""
    from scipy.special import kolmogorov

    value = f"cast({quote(label)} as double)"
    stats = numeric_stats_sql(con, "rows", value)
    rows = []
    for s in splits:
        if s == "train" or "train" not in splits:
            continue
        gap = ks_statistic(
            con,
            f"select {value} as v from rows where split = 'train'",
            f"select {value} as v from rows where split = {literal(s)}",
        )
        if gap is None:
            rows.append([s, "", "", "", ""])
            continue
        n, m = stats["train"]["rows"], stats[s]["rows"]
        p_value = float(kolmogorov(math.sqrt(n * m / (n + m)) * gap))
        rows.append(
            [
                s,
                f"{gap:.3f}",
                f"{p_value:.2g}",
                f"{_num(stats['train']['median'])} → {_num(stats[s]['median'])}",
                "yes" if gap > DRIFT_THRESHOLD else "",
            ]
        )
    return (
        "<h3>Label drift against train</h3>"
        "<p>The label is a number: the Kolmogorov-Smirnov statistic (the largest gap "
        "between the distribution functions of train's labels and a split's) per split, "
        f"flagged above {DRIFT_THRESHOLD}; the p-value is the chance of a gap as large "
        "between two samples of one distribution.</p>"
        + html_table(
            ["split", "KS statistic", "p-value", "median (train → split)", "flagged"],
            rows,
            "label-drift",
        )
    )


def _split_order(manifest: Manifest) -> str:
    whens = " ".join(f"when {literal(s)} then {i}" for i, s in enumerate(manifest.splits))
    return f"case split {whens} end"


def _problems(
    con: Connection,
    manifest: Manifest,
    text_columns: list[str],
    label: str,
    spread: float | None = None,
) -> str:
    """Duplicates, conflicting labels and extreme texts. A numeric label
    (spread: its interquartile range) conflicts when identical texts carry
    labels further apart than spread."""
    ident = quote(manifest.roles.id)
    features = ", ".join(quote(f) for f in manifest.roles.features)
    order = f"{_split_order(manifest)}, {ident}"
    first_text = [quote(c) for c in text_columns[:1]]
    parts = []
    # Rows whose split and features another row shares: grouped by a hash
    # first, so the window partitions on one number, then checked in full.
    con.execute(
        f"""
        create temporary table within_split as
        with hashed as (select *, hash(split, {features}) as h from rows),
        repeated as (select h from hashed group by h having count(*) > 1),
        counted as (
            select *, count(*) over (partition by split, {features}) as copies
            from hashed where h in (select h from repeated)
        )
        select {", ".join([ident, "split", *first_text])} from counted where copies > 1
        """
    )
    within = "select * from within_split"
    (n_within,) = fetch(con, "select count(*) from within_split")[0]
    parts.append(f"<h3>Exact duplicates within a split: {n_within} rows</h3>")
    parts.append(
        html_table(
            ["id", "split", *text_columns[:1]],
            [list(r) for r in fetch(con, f"{within} order by {order} limit {EXAMPLES}")],
        )
    )
    if not text_columns:
        return "".join(parts)
    key = text_key_sql(text_columns)
    ranks = " ".join(f"when {literal(s)} then {i}" for i, s in enumerate(SPLIT_ORDER))
    # The key is computed once: the duplicates and the conflicts read it.
    con.execute(
        f"""
        create temporary table keyed as
        select {ident} as id, split, case split {ranks} end as split_rank,
            {key} as text_key,
            cast({quote(label)} as {"varchar" if spread is None else "double"}) as label_value
        from rows
        """
    )
    con.execute(
        """
        create temporary table across_splits as
        with ranked as (
            select *, min(split_rank) over (partition by text_key) as first_rank from keyed
        )
        select id, split, split_rank, text_key, first_rank from ranked
        where split_rank > first_rank
        """
    )
    across = "select id, split, text_key, first_rank from across_splits"
    (n_across,) = fetch(con, "select count(*) from across_splits")[0]
    parts.append(
        f"<h3>Duplicates across splits: {n_across} rows</h3>"
        f"<p>Rows whose text ({escape_html(', '.join(text_columns))}, normalized as the dbt tests "
        "no_cross_split_duplicates and no_conflicting_labels normalize it) is already in an "
        f"earlier split ({' before '.join(SPLIT_ORDER)}).</p>"
    )
    parts.append(
        html_table(
            ["id", "split", "also in", "text"],
            [
                [i, s, SPLIT_ORDER[first], _clip(t)]
                for i, s, t, first in fetch(
                    con, f"{across} order by text_key, split_rank, id limit {EXAMPLES}"
                )
            ],
        )
    )
    parts += _conflicts(con, spread)
    for column in text_columns:
        length = f"length(coalesce(cast({quote(column)} as varchar), ''))"
        (short, long) = fetch(
            con,
            f"select count(*) filter (where {length} < {SHORT_TEXT}), "
            f"count(*) filter (where {length} > {LONG_TEXT}) from rows",
        )[0]
        parts.append(
            f"<h3>{escape_html(column)}: {short} very short (&lt; {SHORT_TEXT} "
            f"characters), {long} very long (&gt; {LONG_TEXT})</h3>"
        )
        examples = fetch(
            con,
            f"""
            select {ident}, split, {length} as n, left(cast({quote(column)} as varchar), 200)
            from rows where {length} < {SHORT_TEXT} or {length} > {LONG_TEXT}
            order by n >= {SHORT_TEXT}, {order} limit {EXAMPLES}
            """,
        )
        parts.append(html_table(["id", "split", "length", "text"], [list(r) for r in examples]))
    return "".join(parts)


def _conflicts(con: Connection, spread: float | None) -> list[str]:
    """Texts (by the tests' text key) with conflicting labels: more than one
    class, or for a number, labels further apart than spread."""
    if spread is None:
        con.execute(
            """
            create temporary table conflicts as
            select text_key,
                string_agg(distinct label_value, ', ' order by label_value) as labels,
                count(*) as n
            from keyed group by text_key having count(distinct label_value) > 1
            """
        )
        title, headers = "Texts with conflicting labels", ["text", "labels", "rows"]
        note = ""
    else:
        con.execute(
            f"""
            create temporary table conflicts as
            select text_key, min(label_value) as low, max(label_value) as high, count(*) as n
            from keyed group by text_key
            having count(*) > 1 and max(label_value) - min(label_value) > {spread!r}
            """
        )
        title, headers = "Identical texts whose labels differ widely", ["text", "labels", "rows"]
        note = (
            '<p class="note">The label is a number: texts whose rows\' labels lie further '
            f"apart than the label's interquartile range ({_num(spread)}).</p>"
        )
    n_texts, n_rows = fetch(con, "select count(*), coalesce(sum(n), 0) from conflicts")[0]
    examples = fetch(con, f"select * from conflicts order by n desc, text_key limit {EXAMPLES}")
    return [
        f"<h3>{title}: {n_texts} texts, {int(n_rows)} rows</h3>",
        note,
        html_table(
            headers,
            [
                [_clip(t), labels if spread is None else f"{_num(labels)} to {_num(high[0])}", n]
                for t, labels, *high, n in examples
            ],
        ),
    ]


def _clip(text: object, limit: int = 200) -> str:
    text = "" if text is None else str(text)
    return text if len(text) <= limit else text[:limit] + "…"


def _regression_baseline(report: dict[str, Any]) -> str:
    """A regression baseline's metrics per split: every number it reports
    for a split, and those of the baselines nested in it."""
    columns: dict[tuple[str, ...], str] = {}
    for facts in report["splits"].values():
        for key, value in facts.items():
            if is_number(value):
                columns.setdefault((key,), key)
            elif isinstance(value, dict):
                for inner, number in value.items():
                    if is_number(number):
                        columns.setdefault((key, inner), f"{key} {inner}")

    def get(facts: object, path: tuple[str, ...]) -> object:
        for key in path:
            facts = facts.get(key) if isinstance(facts, dict) else None
        return "" if facts is None else f"{facts:.4g}" if isinstance(facts, float) else facts

    return (
        f"<p>{escape_html(report.get('model', ''))}</p>"
        + html_table(
            ["split", *columns.values()],
            [[split, *(get(f, c) for c in columns)] for split, f in report["splits"].items()],
        )
        + _segments_table(report)
    )


def _segments_table(report: dict[str, Any]) -> str:
    """The baseline's segments of test (baseline.json's `segments`), worst
    first: where the model fails, by categorical value and text length."""
    found = report.get("segments")
    if not found or not found["segments"]:
        return ""
    metric = found["metric"]
    rows = [
        [
            seg["by"],
            seg["value"]
            + (" ({}–{} characters)".format(*seg["characters"]) if "characters" in seg else ""),
            seg["rows"],
            f"{seg[metric]:.3f}",
            f"{seg['gap']:+.3f}",
        ]
        for seg in found["segments"]
    ]
    return (
        f"<p>Segments of test with at least {found['min_rows']} rows, worst first "
        f"(overall {metric} {found['overall'][metric]:.3f}; gap: how much worse).</p>"
        + html_table(["by", "value", "rows", metric, "gap"], rows)
    )


def _baseline_section(path: Path, regression: bool = False) -> str:
    report_path = path / "baseline.json"
    if not report_path.is_file():
        return "<p>No baseline yet: run <code>trainset baseline</code> on this export.</p>"
    report = json.loads(report_path.read_text())
    if regression:
        return _regression_baseline(report)
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
    sample = report.get("train_sample")
    trained = (
        f" Trained on {sample['rows']:,} of {sample['of_rows']:,} training rows"
        + (f" (a stratified sample, seed {sample['seed']})." if sample["sampled"] else ".")
        if sample
        else ""
    )
    parts = [
        f"<p>{escape_html(report['model'])}; majority label: "
        f"<b>{escape_html(report['majority_label'])}</b>.{trained}</p>",
        html_table(
            ["split", "rows", "accuracy", "macro-F1", "majority accuracy", "majority macro-F1"],
            rows,
        ),
    ]
    labels = report["labels"]

    def f1(split: dict[str, Any], label: str) -> str:
        # A label too thin to score in a split says so instead of a number.
        thin = split.get("thin_labels", {}).get(label)
        return thin["note"] if thin else f"{split['f1_per_label'][label]:.3f}"

    parts.append(
        html_table(
            ["label", *report["splits"]],
            [[lab, *(f1(s, lab) for s in report["splits"].values())] for lab in labels],
        )
    )
    parts.append(_segments_table(report))
    png = path / "confusion_matrix.png"
    if png.is_file():
        data = base64.b64encode(png.read_bytes()).decode()
        parts.append(
            f'<img class="chart" alt="confusion matrix" src="data:image/png;base64,{data}">'
        )
    return "".join(parts)


def _short_number(value: object) -> object:
    """A decimal number from a CSV cell in four significant digits; any
    other value as it is."""
    if isinstance(value, str) and "." in value:
        try:
            return f"{float(value):.4g}"
        except ValueError:
            return value
    return value


class Cell:
    """A table cell shown clipped, with its full text on hover."""

    def __init__(self, text: object, limit: int = AUDIT_TEXT) -> None:
        self.text = "" if text is None else str(text)
        self.limit = limit

    def html(self) -> str:
        if len(self.text) <= self.limit:
            return escape_html(self.text)
        return (
            f'<span title="{escape_html(self.text)}">{escape_html(self.text[: self.limit])}…</span>'
        )


# The other issue types the audit's CSV may hold, as the profile names them.
ISSUE_TITLES = {
    "outlier": "Outliers",
    "near_duplicate": "Near-duplicates",
    "non_iid": "Non-IID order",
    "class_imbalance": "Class imbalance",
}
# Examples shown per issue type beside the suspect labels.
TYPE_EXAMPLES = 5


def _audit_rows(
    top: pd.DataFrame, columns: list[str], whole: dict[str, str], regression: bool = False
) -> list[list[object]]:
    """Table rows of the audit's CSV: scores in 3 digits (a regression's
    numbers in 4 significant ones), the text clipped with the whole on hover."""
    rows = []
    for values in top[columns].itertuples(index=False):
        row = dict(zip(columns, values, strict=True))
        for name in row:
            if name == "score" or (name.endswith("_score") and not regression):
                row[name] = f"{float(row[name]):.3f}"
        if regression:
            row = {k: _short_number(v) if k != "text" else v for k, v in row.items()}
        if "text" in row:
            row["text"] = Cell(whole.get(values[0], row["text"]))
        rows.append(list(row.values()))
    return rows


def _issue_types(
    issues: pd.DataFrame,
    facts: dict[str, Any],
    whole: dict[str, str],
    shown: dict[str, pd.DataFrame],
    regression: bool,
) -> str:
    """Datalab's issue types: each one's count and dataset-level score (1
    is clean), then the top examples of each type beside label issues."""
    types = facts.get("issue_types", {})
    summary = [
        [
            name.replace("_", " "),
            f"{found['count']:,}",
            "" if found["score"] is None else f"{found['score']:.3f}",
        ]
        for name, found in types.items()
    ]
    parts = [
        "<h3>Issue types</h3>",
        "<p>Found by cleanlab's Datalab: rows flagged per type, and the type's score over "
        "the whole sample (1 is clean, lower is worse).</p>",
        html_table(["issue type", "rows flagged", "dataset score"], summary),
    ]
    ident = issues.columns[0]
    for name, top in shown.items():
        flagged = int(types.get(name, {}).get("count", len(top)))
        columns = [ident, "given_label", f"{name}_score"]
        if name == "near_duplicate":
            columns.append("near_duplicate_of")
        columns.append("text")
        parts += [
            f"<h3>{ISSUE_TITLES[name]}</h3>",
            f"<p>{flagged:,} rows flagged; the {len(top)} with the lowest {name} score:</p>",
            html_table(columns, _audit_rows(top, columns, whole, regression), "audit"),
        ]
    return "".join(parts)


def _audit_section(
    path: Path,
    full_text: Callable[[list[str]], dict[str, str]] | None = None,
    regression: bool = False,
) -> str:
    import pandas as pd

    issues_path = path / "label_issues.csv"
    if not issues_path.is_file():
        return "<p>No audit yet: run <code>trainset audit</code> on this export.</p>"
    issues = pd.read_csv(issues_path, dtype=str, keep_default_na=False)
    facts_path = path / "label_issues.json"
    facts = json.loads(facts_path.read_text()) if facts_path.is_file() else {}
    audited = facts.get("rows", len(issues))
    sample = facts.get("sample", {})
    said = (
        f" (a stratified sample of {audited:,} of {sample['of_rows']:,} training rows, "
        f"seed {sample['seed']})"
        if sample.get("sampled")
        else ""
    )
    # The CSV holds the rows any issue type flags (an older audit's, label
    # issues only); the suspect-label table keeps to the label's columns.
    other = [t for t in ISSUE_TITLES if f"is_{t}_issue" in issues.columns]
    extra = {c for t in other for c in (f"is_{t}_issue", f"{t}_score")} | {"near_duplicate_of"}
    label_columns = [c for c in issues.columns if c not in extra]
    labelled = issues[issues["is_label_issue"] == "True"] if other else issues
    top = labelled.head(EXAMPLES)
    shown = {}
    for name in other:
        of_type = issues[issues[f"is_{name}_issue"] == "True"]
        order = of_type[f"{name}_score"].astype(float).sort_values(kind="stable").index
        if len(order):
            shown[name] = of_type.loc[order[:TYPE_EXAMPLES]]
    ids = list(dict.fromkeys([*top.iloc[:, 0], *(i for f in shown.values() for i in f.iloc[:, 0])]))
    # The CSV keeps the start of each text; the page shows the whole on hover.
    whole = full_text(ids) if full_text and ids else {}
    rows = _audit_rows(top, label_columns, whole, regression)
    types = _issue_types(issues, facts, whole, shown, regression) if other else ""
    if regression:
        # A regression's audit ranks rows by residual, not with cleanlab,
        # and label_issues.json says how.
        method = f" ({escape_html(facts['method'])})" if facts.get("method") else ""
        return (
            f"<p>{facts.get('flagged', len(labelled)):,} of {audited:,} training rows "
            f"flagged{said}{method}; the {min(EXAMPLES, len(labelled))} ranked first (text cut "
            f"to {AUDIT_TEXT} characters, the whole text on hover):</p>"
            + html_table(label_columns, rows, "audit")
            + types
        )
    flagged = int((issues["is_label_issue"] == "True").sum())
    return (
        f"<p>{flagged} of {audited} training rows flagged by cleanlab{said}; "
        f"the {min(EXAMPLES, len(labelled))} most suspect (text cut to {AUDIT_TEXT} "
        "characters, the whole text on hover):</p>"
        + html_table(label_columns, rows, "audit")
        + types
    )


def _compare_labels(con: Connection, manifest: Manifest, other: Manifest) -> list[str]:
    """The label's shift from the other version to this one: class shares
    and their total variation, or a number's statistics and the
    Kolmogorov-Smirnov statistic."""
    task, other_task = manifest.task, other.task
    if task != other_task:
        return [f"<p>Not compared: this version is a {task}, the other a {other_task}.</p>"]
    if task == "classification":
        shift = label_shift(other, manifest)
        return [
            html_table(
                ["split", "total variation distance"],
                [[s, f"{v['total_variation']:.3f}"] for s, v in shift.items()],
            ),
            '<div class="side">',
            f"<div><h4>this version</h4>{_label_chart([('this', manifest)])}</div>",
            f"<div><h4>other version</h4>{_label_chart([('other', other)])}</div>",
            "</div>",
        ]
    splits = list(dict.fromkeys([*other.splits, *manifest.splits]))
    shift = numeric_label_shift(
        con,
        "other",
        "rows",
        f"cast({quote(other.label)} as double)",
        f"cast({quote(manifest.label)} as double)",
        splits,
    )

    def pair(facts: dict[str, Any], name: str) -> str:
        a, b = (side.get(name) if side else None for side in (facts["old"], facts["new"]))
        return f"{_num(a)} → {_num(b)}"

    return [
        "<p>The label is a number: its statistics in the other version → this one, and "
        "the Kolmogorov-Smirnov statistic between them.</p>",
        html_table(
            ["split", "rows", "mean", "p25", "median", "p75", "KS statistic"],
            [
                [
                    s,
                    pair(f, "rows"),
                    *(pair(f, name) for name in ("mean", "p25", "median", "p75")),
                    "" if f["ks"] is None else f"{f['ks']:.3f}",
                ]
                for s, f in shift.items()
            ],
        ),
    ]


def _compare_section(
    con: Connection, manifest: Manifest, other_manifest: Manifest, other_path: str | Path
) -> str:
    changes = schema_changes(other_manifest, manifest)
    ident = quote(manifest.roles.id)
    other_ident = quote(other_manifest.roles.id)
    added, removed, kept = fetch(
        con,
        f"""
        select count(*) filter (where o.id is null), count(*) filter (where t.id is null),
            count(*) filter (where t.id is not null and o.id is not null)
        from (select {ident} as id from rows) as t
        full outer join (select {other_ident} as id from other) as o on t.id = o.id
        """,
    )[0]
    parts = [
        f"<p>Against <code>{escape_html(other_path)}</code> "
        f"({escape_html(other_manifest.dataset)} v{other_manifest.version}).</p>",
        "<h3>Rows</h3>",
        html_table(["added", "removed", "kept"], [[added, removed, kept]]),
        "<h3>Columns</h3>",
        html_table(
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
        *_compare_labels(con, manifest, other_manifest),
    ]
    shared = [c for c in manifest.roles.features if c in other_manifest.roles.features]
    feature_rows = []
    if shared:
        other_rates = null_rates(con, "other", shared)
        rates = null_rates(con, "rows", shared)
        feature_rows = [
            [c, f"{a or 0:.1%}", f"{b or 0:.1%}"]
            for c, a, b in zip(shared, other_rates, rates, strict=True)
        ]
    parts.append(html_table(["feature", "null rate (other)", "null rate (this)"], feature_rows))
    return "".join(parts)


STYLE = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:.85em}
td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top;max-width:600px;
overflow-wrap:anywhere}
th{background:#f3f3f3} section{margin-bottom:2em} img.chart{max-width:100%;display:block}
table.audit{table-layout:fixed;width:100%} table.audit td:last-child{width:55%}
table.audit span[title]{cursor:help;text-decoration:underline dotted}
.side{display:flex;gap:1em} .side>div{flex:1} nav a{margin-right:1em} p.note{color:#555}
"""


def render_profile(
    path: str | Path,
    compare: str | Path | None = None,
    out: str | Path | None = None,
    on_step: Callable[[str], None] | None = None,
    seed: int = SEED,
) -> Path:
    """Write the HTML profile of an export (default: PATH/profile.html).

    Everything is counted in DuckDB over the split files; only the
    distinctive tokens and the detected languages are computed on a
    sample, stated on the page."""
    step = on_step or (lambda _: None)
    path = Path(path)
    step("reading the export")
    con = connect()
    # Read once: every section scans the rows again.
    manifest = attach(con, path, table=True)
    label = manifest.label
    regression = manifest.regression
    splits = list(manifest.splits)
    train = "split = 'train'" if "train" in splits else "true"
    kinds = feature_kinds_sql(con, manifest, f"(select * from rows where {train})")
    empty = empty_features(manifest)
    kinds = {c: k for c, k in kinds.items() if c not in empty}
    text_columns = [c for c, k in kinds.items() if k == "text"]
    title = f"{manifest.dataset} v{manifest.version}"
    body = [
        f"<h1>Profile of {escape_html(title)}</h1>",
        "<nav>" + "".join(f'<a href="#{s}">{s}</a>' for s in SECTIONS) + "</nav>",
    ]

    step("overview")
    tests = manifest.tests
    body += [
        '<section id="overview"><h2>Overview</h2>',
        html_table(["split", "rows"], [[s, f.rows] for s, f in manifest.splits.items()]),
        *(
            ["<h3>Label distribution by split</h3>", *_numeric_parts(con, label, splits)]
            if regression
            else ["<h3>Labels by split</h3>", _label_chart([("this", manifest)])]
        ),
        "<h3>dbt tests</h3>",
        html_table(["status", "tests"], sorted(tests.summary.items())),
        html_table(
            ["test", "status", "failing rows"],
            [[t.name, t.status, t.failures] for t in tests.results if t.status != "pass"],
        ),
        "</section>",
    ]

    # A number's parts per label are drawn per label quartile.
    quartiles, spread = _label_quartiles(con, label) if regression else (None, None)
    group = quartiles or f"cast({quote(label)} as varchar)"
    sample = _text_sample(con, manifest, text_columns, seed, quartiles) if text_columns else None
    drift_rows = []
    feature_html = []
    for column, kind in kinds.items():
        step(f"feature {column}")
        section, drift = _feature_section(con, column, kind, splits, group, sample)
        feature_html.append(section)
        drift_rows += drift
    left_out = (
        [f"<p>Left out, no value in any row: {escape_html(', '.join(empty))}.</p>"] if empty else []
    )
    body += ['<section id="features"><h2>Features</h2>', *left_out, *feature_html, "</section>"]
    step("text properties")
    text_parts, text_drift = (
        _text_properties(con, manifest, text_columns, group, splits, sample)
        if sample is not None
        else (["<p>No text feature.</p>"], [])
    )
    drift_rows += text_drift
    body += [
        '<section id="text"><h2>Text</h2>',
        *text_parts,
        *(
            [
                "<h3>Most shared lines</h3>",
                *_shared_lines(con, quote(manifest.roles.id), text_columns),
            ]
            if text_columns
            else []
        ),
        "</section>",
    ]
    body += [
        '<section id="drift"><h2>Drift against train</h2>',
        *([_label_drift(con, label, splits), "<h3>Features</h3>"] if regression else []),
        f"<p>Jensen-Shannon distance of each feature's distribution (values, numeric "
        f"deciles or text lengths), and of each text property (its deciles; the language "
        f"on the text section's sample), between train and each other split; flagged above "
        f"{DRIFT_THRESHOLD}.</p>",
        html_table(["feature", "kind", "split", "JS distance", "flagged"], drift_rows),
        "</section>",
    ]

    step("data problems")
    body += [
        '<section id="problems"><h2>Data problems</h2>',
        _problems(con, manifest, text_columns, label, spread),
        "</section>",
    ]
    body += [
        '<section id="baseline"><h2>Baseline</h2>',
        _baseline_section(path, regression),
        "</section>",
    ]

    def full_text(ids: list[str]) -> dict[str, str]:
        """The audit's text of each id: its text features joined by ' | '."""
        joined = " || ' | ' || ".join(f"coalesce({quote(c)}, '')" for c in text_columns) or "''"
        ident = f"cast({quote(manifest.roles.id)} as varchar)"
        return dict(
            fetch(
                con,
                f"select {ident}, {joined} from rows where {ident} in "
                f"({', '.join(literal(i) for i in ids)})",
            )
        )

    body += [
        '<section id="audit"><h2>Suspect labels</h2>',
        _audit_section(path, full_text, regression),
        "</section>",
    ]
    body.append('<section id="compare"><h2>Comparison</h2>')
    if compare is not None:
        step("comparing")
        other_manifest = attach(con, Path(compare), "other")
        body.append(_compare_section(con, manifest, other_manifest, compare))
    else:
        body.append("<p>Run with <code>--compare OTHER_EXPORT</code> to compare versions.</p>")
    body.append("</section>")
    con.close()

    page = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape_html(title)}</title><style>{STYLE}</style></head><body>"
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

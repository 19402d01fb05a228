"""What a change does to a dataset: two exported versions, compared by id.

diff_exports returns every figure as plain data (the JSON output), computed
in DuckDB over the split files joined on the id;
render_markdown lays it out for a pull-request comment; broken_rules checks
--fail-on rules such as `split-moves>0`, `rows-removed>5%` or
`segment-f1-drop>0.05` (the segments of the baseline.json beside each
export, which `trainset baseline` or `review --with-baseline` wrote). A numeric label
(a regression) is compared by its mean and quartiles and by how much the
labels of the ids in both versions changed, instead of by class flips.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainset.compare import (
    is_number,
    label_shift,
    numeric_label_shift,
    schema_changes,
    total_variation,
)
from trainset.errors import TrainsetError
from trainset.manifest import Manifest
from trainset.render import md_table
from trainset.scan import (
    SEGMENT_MIN_ROWS,
    attach,
    attach_features,
    connect,
    feature_kinds_sql,
    fetch,
    literal,
    null_rates,
    quote,
)

if TYPE_CHECKING:
    import duckdb

MARKDOWN_LIMIT = 65_000
EXAMPLES = 10
TEXT_EXAMPLES = 5


def diff_exports(
    old_path: str | Path,
    new_path: str | Path,
    on_step: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Every figure of the diff, computed in DuckDB by joining the two
    exports' split files on the id: neither export is loaded whole."""
    step = on_step or (lambda _: None)
    con = connect()
    step("reading the exports")
    old_m = attach(con, old_path, "old")
    new_m = attach(con, new_path, "new")
    # What needs no label reads the features files alone.
    sides = {
        "old": attach_features(con, old_path, old_m, "old"),
        "new": attach_features(con, new_path, new_m, "new"),
    }
    old_f, new_f = sides["old"], sides["new"]
    task = new_m.task
    if old_m.task != task:
        raise TrainsetError(
            f"{old_path} is a {old_m.task} and {new_path} a {task}: "
            "diff compares two versions of one kind of label"
        )
    regression = task == "regression"
    label_old, label_new = quote(old_m.label), quote(new_m.label)
    id_old, id_new = quote(old_m.roles.id), quote(new_m.roles.id)
    shared_features = [f for f in new_m.roles.features if f in set(old_m.roles.features)]
    # The old export's row order: its splits in turn, each by id.
    ranks = " ".join(f"when {literal(s)} then {i}" for i, s in enumerate(old_m.splits))
    changed_columns = "".join(
        f", {_differs(f'o.{quote(f)}', f'n.{quote(f)}')} as {quote('changed:' + f)}"
        for f in shared_features
    )
    # A number is kept as one too, to measure how much it changed.
    numeric_labels = (
        f", cast(o.{label_old} as double) as old_value, cast(n.{label_new} as double) as new_value"
        if regression
        else ""
    )
    step("joining on the id")
    con.execute(
        f"""
        create temp table pairs as
        select
            cast(o.{id_old} as varchar) as id,
            case o.split {ranks} end as old_rank,
            o.split as old_split,
            n.split as new_split,
            cast(o.{label_old} as varchar) as old_label,
            cast(n.{label_new} as varchar) as new_label,
            {_differs(f"o.{label_old}", f"n.{label_new}")} as flipped
            {numeric_labels}
            {changed_columns}
        from old as o inner join new as n on o.{id_old} = n.{id_new}
        """
    )
    changed_any = " or ".join(["flipped", *(quote("changed:" + f) for f in shared_features)])

    step("counting rows by split")
    old_rows = dict(fetch(con, f"select split, count(*) from {old_f} group by split"))
    new_rows = dict(fetch(con, f"select split, count(*) from {new_f} group by split"))
    added = dict(
        fetch(
            con,
            f"select split, count(*) from {new_f} "
            f"where {id_new} not in (select {id_old} from {old_f}) group by split",
        )
    )
    removed = dict(
        fetch(
            con,
            f"select split, count(*) from {old_f} "
            f"where {id_old} not in (select {id_new} from {new_f}) group by split",
        )
    )
    stays = {
        split: (stay, changed)
        for split, stay, changed in fetch(
            con,
            f"select old_split, count(*), count(*) filter (where {changed_any}) from pairs "
            "where old_split = new_split group by old_split",
        )
    }
    rows = {}
    for split in dict.fromkeys([*old_m.splits, *new_m.splits]):
        stay, n_changed = stays.get(split, (0, 0))
        rows[split] = {
            "old": old_rows.get(split, 0),
            "new": new_rows.get(split, 0),
            "added": added.get(split, 0),
            "removed": removed.get(split, 0),
            "changed": n_changed,
            "unchanged": stay - n_changed,
        }

    step("labels and split moves")
    splits = list(rows)
    labels = (
        _numeric_labels(con, label_old, label_new, splits)
        if regression
        else _class_labels(con, old_m, new_m, label_old, label_new)
    )
    (moved,) = fetch(con, "select count(*) from pairs where old_split <> new_split")[0]
    move_examples = fetch(
        con,
        "select id, old_split, new_split from pairs where old_split <> new_split "
        f"order by id limit {EXAMPLES}",
    )

    # The same text / categorical / numeric reading as the baseline's.
    kinds = feature_kinds_sql(con, new_m, new_f)
    step("null rates")
    nulls = {side: null_rates(con, rows, shared_features) for side, rows in sides.items()}
    features = {}
    for i, feature in enumerate(shared_features):
        step(f"feature {feature}")
        features[feature] = _feature_facts(
            con,
            feature,
            kinds[feature],
            (id_old, id_new),
            (nulls["old"][i], nulls["new"][i]),
            sides,
        )
    con.close()

    baselines = _baselines(Path(old_path), Path(new_path))
    # A diff without "task" is a classification's, as an export without it is.
    task_key = {"task": task} if regression else {}
    return {
        **task_key,
        "old": {
            "path": str(old_path),
            "dataset": old_m.dataset,
            "version": old_m.version,
            "rows": sum(old_rows.values()),
        },
        "new": {
            "path": str(new_path),
            "dataset": new_m.dataset,
            "version": new_m.version,
            "rows": sum(new_rows.values()),
        },
        "rows": rows,
        "totals": {
            "added": sum(r["added"] for r in rows.values()),
            "removed": sum(r["removed"] for r in rows.values()),
            "changed": sum(r["changed"] for r in rows.values()),
            "unchanged": sum(r["unchanged"] for r in rows.values()),
        },
        "labels": labels,
        "split_moves": {
            "rows": moved,
            "examples": [{"id": i, "old": a, "new": b} for i, a, b in move_examples],
        },
        "schema": schema_changes(old_m, new_m),
        "features": features,
        "baseline": _baseline_delta(baselines, regression),
        "baseline_segments": segment_deltas(*baselines) if baselines else None,
        "tests": _test_changes(old_m, new_m),
    }


def _class_labels(
    con: duckdb.DuckDBPyConnection,
    old_m: Manifest,
    new_m: Manifest,
    label_old: str,
    label_new: str,
) -> dict[str, Any]:
    """Class counts old and new, their total variation, and the flips."""
    (flips,) = fetch(con, "select count(*) from pairs where flipped")[0]
    top_flips = fetch(
        con,
        "select old_label, new_label, count(*) as n from pairs where flipped "
        "group by old_label, new_label order by n desc, min((old_rank, id)) limit 10",
    )
    flip_examples = fetch(
        con,
        f"select id, old_label, new_label from pairs where flipped order by id limit {EXAMPLES}",
    )
    label_counts = {
        side: dict(
            fetch(
                con,
                f"select cast({label} as varchar), count(*) from {side} group by all",
            )
        )
        for side, label in (("old", label_old), ("new", label_new))
    }
    return {
        "by_split": label_shift(old_m, new_m),
        "total_variation": total_variation(label_counts["old"], label_counts["new"]),
        "flips": flips,
        "top_flips": [{"old": a, "new": b, "rows": n} for a, b, n in top_flips],
        "flip_examples": [{"id": i, "old": a, "new": b} for i, a, b in flip_examples],
    }


def _numeric_labels(
    con: duckdb.DuckDBPyConnection, label_old: str, label_new: str, splits: list[str]
) -> dict[str, Any]:
    """A numeric label: its statistics per split and over all rows, old and
    new, with the change of mean and quartiles and the Kolmogorov-Smirnov
    statistic; and for the ids in both versions, how many labels changed
    and by how much on average (unchanged ones count as 0)."""
    shift = numeric_label_shift(con, "old", "new", label_old, label_new, splits)
    compared, changed, mean_abs, max_abs = fetch(
        con,
        "select count(*), count(*) filter (where flipped), "
        "coalesce(favg(abs(new_value - old_value)), 0), "
        "coalesce(max(abs(new_value - old_value)), 0) from pairs",
    )[0]
    examples = fetch(
        con,
        "select id, old_value, new_value from pairs where flipped "
        f"order by abs(new_value - old_value) desc nulls first, old_rank, id limit {EXAMPLES}",
    )
    return {
        "by_split": {s: facts for s, facts in shift.items() if s != "all"},
        "all": shift["all"],
        "compared": compared,
        "changed": changed,
        "mean_abs_change": float(mean_abs),
        "max_abs_change": float(max_abs),
        "change_examples": [
            {
                "id": i,
                "old": _f(a),
                "new": _f(b),
                "change": None if a is None or b is None else b - a,
            }
            for i, a, b in examples
        ],
    }


def _differs(a: str, b: str) -> str:
    """Whether two values differ as text, a missing value equal only to another."""
    return f"(cast({a} as varchar) is distinct from cast({b} as varchar))"


def _feature_facts(
    con: duckdb.DuckDBPyConnection,
    feature: str,
    kind: str,
    ids: tuple[str, str],
    nulls: tuple[Any, Any],
    sides: dict[str, str],
) -> dict[str, Any]:
    """The facts of one feature; sides names the relation each side's
    features are read from."""
    column = quote(feature)
    null_old, null_new = nulls
    facts = {
        "kind": kind,
        "null_rate_old": float(null_old or 0),
        "null_rate_new": float(null_new or 0),
    }
    if kind == "numeric":
        value = f"cast({column} as double)"
        for side, rows in sides.items():
            mean, quartiles = fetch(
                con,
                f"select fsum({value}) / count({value}), quantile_cont({value}, [0.25, 0.5, 0.75]) "
                f"from {rows}",
            )[0]
            facts[f"mean_{side}"] = _f(mean)
            for q, v in zip((25, 50, 75), quartiles or (None,) * 3, strict=True):
                facts[f"p{q}_{side}"] = _f(v)
    elif kind == "categorical":
        value = f"coalesce(cast({column} as varchar), '<null>')"
        shifts = fetch(
            con,
            f"""
            with a as (select {value} as v, count(*) / sum(count(*)) over () as share
                from {sides["old"]} group by v),
            b as (select {value} as v, count(*) / sum(count(*)) over () as share
                from {sides["new"]} group by v)
            select coalesce(a.v, b.v) as v, coalesce(a.share, 0), coalesce(b.share, 0)
            from a full outer join b on a.v = b.v
            where coalesce(b.share, 0) - coalesce(a.share, 0) <> 0
            order by abs(coalesce(b.share, 0) - coalesce(a.share, 0)) desc, v
            limit 5
            """,
        )
        facts["share_shifts"] = [{"value": v, "old": a, "new": b} for v, a, b in shifts]
    else:
        changed = quote("changed:" + feature)
        (facts["changed_values"],) = fetch(con, f"select count(*) from pairs where {changed}")[0]
        examples = fetch(
            con,
            f"""
            select p.id, cast(o.{column} as varchar), cast(n.{column} as varchar)
            from (select * from pairs where {changed} order by old_rank, id
                limit {TEXT_EXAMPLES}) as p
            inner join {sides["old"]} as o on cast(o.{ids[0]} as varchar) = p.id
            inner join {sides["new"]} as n on cast(n.{ids[1]} as varchar) = p.id
            order by p.old_rank, p.id
            """,
        )
        facts["examples"] = [{"id": i, "old": _clip(a), "new": _clip(b)} for i, a, b in examples]
    return facts


def _f(value: Any) -> float | None:
    return None if value is None or value != value else float(value)


def _clip(value: object, limit: int = 200) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _baselines(old: Path, new: Path) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The baseline.json beside each export, when both have one."""
    if not ((old / "baseline.json").is_file() and (new / "baseline.json").is_file()):
        return None
    return (
        json.loads((old / "baseline.json").read_text()),
        json.loads((new / "baseline.json").read_text()),
    )


def _baseline_delta(
    baselines: tuple[dict[str, Any], dict[str, Any]] | None, regression: bool = False
) -> dict[str, Any] | None:
    if baselines is None:
        return None
    a, b = baselines
    delta = {}
    for split in set(a["splits"]) & set(b["splits"]):
        before, after = a["splits"][split], b["splits"][split]
        # A regression's baseline reports error metrics (every number the
        # split has in both, but its row count); a classification's, these two.
        metrics = (
            [
                m
                for m, v in before.items()
                if m != "rows" and is_number(v) and is_number(after.get(m))
            ]
            if regression
            else ("accuracy", "macro_f1")
        )
        delta[split] = {
            metric: {
                "old": before[metric],
                "new": after[metric],
                "delta": after[metric] - before[metric],
            }
            for metric in metrics
        }
    return delta


def _segment_name(segment: dict[str, Any]) -> str:
    return f"{segment['by']} = {segment['value']}"


def segment_deltas(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any] | None:
    """The segments two baseline reports both score, old beside new, the
    most worsened first (a fall of macro-F1, a rise of a regression's
    MAE); and those only one of them scores (fewer rows, or gone). None
    when either report has no segments, or they score different metrics."""
    a, b = old.get("segments"), new.get("segments")
    if not a or not b or a["metric"] != b["metric"]:
        return None
    metric = a["metric"]
    before = {(s["by"], s["value"]): s for s in a["segments"]}
    after = {(s["by"], s["value"]): s for s in b["segments"]}
    compared = [
        {
            "by": s["by"],
            "value": s["value"],
            "rows_old": s["rows"],
            "rows_new": after[key]["rows"],
            "old": s[metric],
            "new": after[key][metric],
            "delta": after[key][metric] - s[metric],
        }
        for key, s in before.items()
        if key in after
    ]
    # Worse first: F1 falls, an error rises.
    sign = 1 if metric == "mae" else -1
    compared.sort(key=lambda s: (-sign * s["delta"], s["by"], s["value"]))
    return {
        "split": b["split"],
        "metric": metric,
        "overall": {"old": a["overall"][metric], "new": b["overall"][metric]},
        "segments": compared,
        "only_old": [_segment_name(s) for k, s in before.items() if k not in after],
        "only_new": [_segment_name(s) for k, s in after.items() if k not in before],
    }


def _test_changes(old: Manifest, new: Manifest) -> dict[str, Any]:
    a = {t.name: t.status for t in old.tests.results}
    b = {t.name: t.status for t in new.tests.results}
    return {
        "summary_old": old.tests.summary,
        "summary_new": new.tests.summary,
        "changed": [
            {"test": name, "old": a.get(name, "absent"), "new": b.get(name, "absent")}
            for name in sorted(set(a) | set(b))
            if a.get(name) != b.get(name)
        ],
    }


def _task(diff: dict[str, Any]) -> str:
    """A diff's task: one without the key is a classification's."""
    return str(diff.get("task", "classification"))


def _worst_segment_drop(diff: dict[str, Any]) -> tuple[float, dict[str, Any] | None]:
    """The largest fall of macro-F1 over the segments both baselines score
    with at least SEGMENT_MIN_ROWS rows each, and that segment: negative
    when every one rose, 0 and None when there is none to compare."""
    if _task(diff) == "regression":
        raise TrainsetError(
            "segment-f1-drop is for a classification; a regression's segments are "
            "scored by MAE (see baseline_segments in the JSON)"
        )
    found = diff.get("baseline_segments")
    if not found:
        raise TrainsetError(
            "--fail-on segment-f1-drop needs a baseline.json with segments beside both "
            "exports: run trainset baseline on each (trainset review: --with-baseline)"
        )
    drops = [
        # Rounded: 0.9 - 0.7 is 0.2 to a rule, not 0.2000000000000001.
        (round(s["old"] - s["new"], 9), s)
        for s in found["segments"]
        if min(s["rows_old"], s["rows_new"]) >= SEGMENT_MIN_ROWS
    ]
    return max(drops, key=lambda d: d[0], default=(0.0, None))


def _segment_said(diff: dict[str, Any]) -> str:
    _, segment = _worst_segment_drop(diff)
    if segment is None:
        return ""
    split = diff["baseline_segments"]["split"]
    return f" ({split}, {_segment_name(segment)}: {segment['old']:.3f} → {segment['new']:.3f})"


RULE = re.compile(r"^\s*([a-z][a-z0-9-]*)\s*(>=|<=|>|<|==)\s*([0-9.]+)(%?)\s*$")
METRICS: dict[str, Callable[[dict[str, Any]], float]] = {
    "rows-added": lambda d: d["totals"]["added"],
    "rows-removed": lambda d: d["totals"]["removed"],
    "rows-changed": lambda d: d["totals"]["changed"],
    # For a regression: the labels that changed, of ids in both versions.
    "label-flips": lambda d: d["labels"]["changed" if _task(d) == "regression" else "flips"],
    "split-moves": lambda d: d["split_moves"]["rows"],
    "columns-removed": lambda d: len(d["schema"]["removed"]),
    "columns-retyped": lambda d: len(d["schema"]["retyped"]),
    # For a regression: the Kolmogorov-Smirnov statistic over all rows.
    "label-shift": lambda d: (
        d["labels"]["all"]["ks"] or 0
        if _task(d) == "regression"
        else d["labels"]["total_variation"]
    ),
    # The largest fall of a segment's macro-F1 between the two baselines.
    "segment-f1-drop": lambda d: _worst_segment_drop(d)[0],
}
# Metrics that are shares already: N% of them is N/100, not of the rows.
SHARES = {"segment-f1-drop"}
# What a broken rule adds to its sentence: where it broke.
SAID: dict[str, Callable[[dict[str, Any]], str]] = {"segment-f1-drop": _segment_said}


def broken_rules(diff: dict[str, Any], rules: list[str]) -> list[str]:
    """The --fail-on rules the diff breaks, each as a sentence. A percentage
    is of the old version's rows (of 1 for a share, such as an F1)."""
    broken = []
    for rule in rules:
        for part in filter(None, (p.strip() for p in rule.split(","))):
            match = RULE.match(part)
            if not match or match.group(1) not in METRICS:
                raise TrainsetError(
                    f"bad --fail-on rule {part!r}: use METRIC>N or METRIC>N%, with METRIC one "
                    f"of {', '.join(METRICS)}"
                )
            name, op, number, percent = match.groups()
            value = METRICS[name](diff)
            scale = 1 if name in SHARES else diff["old"]["rows"]
            limit = float(number) * (scale / 100 if percent else 1)
            if {
                ">": value > limit,
                ">=": value >= limit,
                "<": value < limit,
                "<=": value <= limit,
                "==": value == limit,
            }[op]:
                said = SAID[name](diff) if name in SAID else ""
                broken.append(f"{part}: {name} is {value:g}{said}")
    return broken


def _details(summary: str, lines: list[str]) -> list[str]:
    return ["<details>", f"<summary>{summary}</summary>", "", *lines, "", "</details>", ""]


def _num(value: float | None, sign: bool = False) -> str:
    """A label value or change as text: six significant digits, no exponent
    for the magnitudes labels have."""
    if value is None:
        return ""
    return f"{value:+.6g}" if sign else f"{value:.6g}"


def _label_summary(diff: dict[str, Any]) -> list[list[str]]:
    labels = diff["labels"]
    if _task(diff) != "regression":
        return [
            ["label flips", f"{labels['flips']:,}"],
            ["label shift (total variation)", f"{labels['total_variation']:.4f}"],
        ]
    whole = labels["all"]
    old, new = whole["old"] or {}, whole["new"] or {}
    return [
        [
            "labels changed (ids in both)",
            f"{labels['changed']:,} of {labels['compared']:,}; mean absolute change "
            f"{_num(labels['mean_abs_change'])}",
        ],
        ["label mean", f"{_num(old.get('mean'))} → {_num(new.get('mean'))}"],
        ["label median", f"{_num(old.get('median'))} → {_num(new.get('median'))}"],
        ["label shift (Kolmogorov-Smirnov)", f"{whole['ks'] or 0:.4f}"],
    ]


def _label_details(diff: dict[str, Any]) -> list[str]:
    labels = diff["labels"]
    if _task(diff) == "regression":
        rows = []
        for split, facts in [*labels["by_split"].items(), ("all", labels["all"])]:
            old, new, change = facts["old"] or {}, facts["new"] or {}, facts["change"]
            rows.append(
                [
                    split,
                    f"{old.get('rows', 0):,} → {new.get('rows', 0):,}",
                    *(
                        f"{_num(old.get(name))} → {_num(new.get(name))} "
                        f"({_num(change[name], sign=True)})"
                        for name in ("mean", "p25", "median", "p75")
                    ),
                    "" if facts["ks"] is None else f"{facts['ks']:.4f}",
                ]
            )
        examples = md_table(
            ["id", "old", "new", "change"],
            [
                [e["id"], _num(e["old"]), _num(e["new"]), _num(e["change"], sign=True)]
                for e in labels["change_examples"]
            ],
        )
        return _details(
            f"Labels: {labels['changed']} changed, mean absolute change "
            f"{_num(labels['mean_abs_change'])}",
            [
                *md_table(["split", "rows", "mean (change)", "p25", "median", "p75", "KS"], rows),
                "",
                "Largest changes:",
                "",
                *examples,
            ],
        )
    label_rows = []
    for split, facts in labels["by_split"].items():
        for label in sorted(set(facts["old"]) | set(facts["new"])):
            label_rows.append(
                [
                    split,
                    label,
                    facts["old"].get(label, 0),
                    facts["new"].get(label, 0),
                    f"{facts['total_variation']:.4f}",
                ]
            )
    flips = md_table(
        ["old → new", "rows"],
        [[f"{f['old']} → {f['new']}", f["rows"]] for f in diff["labels"]["top_flips"]],
    )
    examples = md_table(
        ["id", "old", "new"],
        [[e["id"], e["old"], e["new"]] for e in diff["labels"]["flip_examples"]],
    )
    return _details(
        f"Labels: {diff['labels']['flips']} flips",
        [
            *md_table(["split", "label", "old", "new", "split TVD"], label_rows),
            "",
            "Top flips:",
            "",
            *flips,
            "",
            "Examples:",
            "",
            *examples,
        ],
    )


# How many segments the markdown lists; the JSON has them all.
SEGMENT_ROWS = 40


def _segment_details(found: dict[str, Any]) -> list[str]:
    """The baselines' segments old beside new, the most worsened first."""
    metric, segments = found["metric"], found["segments"]
    said = "MAE" if metric == "mae" else "macro-F1"
    overall = found["overall"]
    summary = f"Baseline segments ({found['split']}): {said} {overall['old']:.3f} → "
    summary += f"{overall['new']:.3f} over all rows"
    worst = segments[0] if segments else None
    # segments[0] is the most worsened: an F1 that fell, or an error that rose.
    if worst and (worst["delta"] > 0 if metric == "mae" else worst["delta"] < 0):
        summary += f"; worst {_segment_name(worst)}, {worst['old']:.3f} → {worst['new']:.3f}"
    else:
        summary += "; no segment worse"
    lines = md_table(
        ["segment", "rows", "old", "new", "delta"],
        [
            [
                _segment_name(s),
                f"{s['rows_old']:,} → {s['rows_new']:,}",
                f"{s['old']:.4f}",
                f"{s['new']:.4f}",
                f"{s['delta']:+.4f}",
            ]
            for s in segments[:SEGMENT_ROWS]
        ],
    )
    if len(segments) > SEGMENT_ROWS:
        lines += ["", f"… {len(segments) - SEGMENT_ROWS} more in the JSON."]
    for side in ("old", "new"):
        if found[f"only_{side}"]:
            lines += [
                "",
                f"Scored in the {side} baseline only: " + ", ".join(found[f"only_{side}"]),
            ]
    return _details(summary, lines)


def render_markdown(diff: dict[str, Any], broken: list[str] | None = None) -> str:
    """The diff as a pull-request comment: a summary table, then details."""
    o, n = diff["old"], diff["new"]
    t = diff["totals"]
    moves = diff["split_moves"]["rows"]
    lines = [
        f"## trainset diff: {n['dataset']} v{o['version']} → v{n['version']}",
        "",
        *md_table(
            ["", "value"],
            [
                ["rows", f"{o['rows']:,} → {n['rows']:,}"],
                ["added / removed", f"{t['added']:,} / {t['removed']:,}"],
                ["changed / unchanged", f"{t['changed']:,} / {t['unchanged']:,}"],
                *_label_summary(diff),
                ["split moves", f"**{moves:,} ⚠️**" if moves else "0"],
                [
                    "columns added / removed / retyped",
                    f"{len(diff['schema']['added'])} / {len(diff['schema']['removed'])} / "
                    f"{len(diff['schema']['retyped'])}",
                ],
            ],
        ),
        "",
    ]
    if moves:
        lines += [
            "> ⚠️ **Rows moved to another split.** Splits must be stable: a moved row "
            "leaks what a model trained on before into what it is tested on.",
            "",
        ]
    if broken:
        lines += ["> ❌ **--fail-on broken:** " + "; ".join(broken), ""]
    lines += _details(
        "Rows by split",
        md_table(
            ["split", "old", "new", "added", "removed", "changed", "unchanged"],
            [
                [s, r["old"], r["new"], r["added"], r["removed"], r["changed"], r["unchanged"]]
                for s, r in diff["rows"].items()
            ],
        ),
    )
    lines += _label_details(diff)
    if moves:
        lines += _details(
            f"Split moves: {moves}",
            md_table(
                ["id", "old split", "new split"],
                [[e["id"], e["old"], e["new"]] for e in diff["split_moves"]["examples"]],
            ),
        )
    schema = diff["schema"]
    lines += _details(
        "Schema",
        md_table(
            ["added", "removed", "retyped", "role changed"],
            [
                [
                    ", ".join(schema["added"]),
                    ", ".join(schema["removed"]),
                    ", ".join(f"{c['column']}: {c['old']} → {c['new']}" for c in schema["retyped"]),
                    ", ".join(
                        f"{c['column']}: {c['old']} → {c['new']}" for c in schema["role_changed"]
                    ),
                ]
            ],
        ),
    )
    feature_lines = []
    for name, f in diff["features"].items():
        feature_lines.append(
            f"**{name}** ({f['kind']}): null rate "
            f"{f['null_rate_old']:.1%} → {f['null_rate_new']:.1%}"
        )
        if f["kind"] == "numeric":
            feature_lines.append(
                f"mean {f['mean_old']} → {f['mean_new']}; median {f['p50_old']} → "
                f"{f['p50_new']}; p25 {f['p25_old']} → {f['p25_new']}; "
                f"p75 {f['p75_old']} → {f['p75_new']}"
            )
        elif f["kind"] == "categorical" and f["share_shifts"]:
            feature_lines += md_table(
                ["value", "old share", "new share"],
                [[s["value"], f"{s['old']:.3f}", f"{s['new']:.3f}"] for s in f["share_shifts"]],
            )
        elif f["kind"] == "text":
            feature_lines.append(f"{f['changed_values']} values changed")
            if f["examples"]:
                feature_lines += md_table(
                    ["id", "before", "after"],
                    [[e["id"], e["old"], e["new"]] for e in f["examples"]],
                )
        feature_lines.append("")
    lines += _details("Features", feature_lines)
    if diff["baseline"]:
        lines += _details(
            "Baseline",
            md_table(
                ["split", "metric", "old", "new", "delta"],
                [
                    [s, m, f"{v['old']:.4f}", f"{v['new']:.4f}", f"{v['delta']:+.4f}"]
                    for s, metrics in sorted(diff["baseline"].items())
                    for m, v in metrics.items()
                ],
            ),
        )
    if diff.get("baseline_segments"):
        lines += _segment_details(diff["baseline_segments"])
    tests = diff["tests"]
    lines += _details(
        f"Tests: {len(tests['changed'])} changed",
        [
            f"old: {tests['summary_old']}, new: {tests['summary_new']}",
            "",
            *md_table(
                ["test", "old", "new"], [[c["test"], c["old"], c["new"]] for c in tests["changed"]]
            ),
        ],
    )
    text = "\n".join(lines)
    if len(text) > MARKDOWN_LIMIT:
        note = "\n\n… cut to fit a comment; `trainset diff --format json` has everything.\n"
        # Leave room to close every <details> the cut leaves open.
        room = MARKDOWN_LIMIT - len(note) - len("\n</details>") * text.count("<details>")
        text = text[:room]
        text += "\n</details>" * (text.count("<details>") - text.count("</details>")) + note
    return text

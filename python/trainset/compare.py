"""Comparisons of two exported versions, shared by profile and diff."""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainset.manifest import Manifest, read_manifest
from trainset.scan import fetch, literal

if TYPE_CHECKING:
    import duckdb
    import pandas as pd


def total_variation(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Total variation distance between two count or share distributions."""
    sa, sb = sum(a.values()) or 1, sum(b.values()) or 1
    keys = set(a) | set(b)
    return 0.5 * sum(abs(a.get(k, 0) / sa - b.get(k, 0) / sb) for k in keys)


def schema_changes(old: Manifest, new: Manifest) -> dict[str, list[Any]]:
    """Columns added, removed, retyped, or given another role."""
    before = {c.name: c for c in old.columns}
    after = {c.name: c for c in new.columns}
    return {
        "added": sorted(set(after) - set(before)),
        "removed": sorted(set(before) - set(after)),
        "retyped": [
            {"column": n, "old": before[n].data_type, "new": after[n].data_type}
            for n in sorted(set(before) & set(after))
            if before[n].data_type != after[n].data_type
        ],
        "role_changed": [
            {"column": n, "old": before[n].role, "new": after[n].role}
            for n in sorted(set(before) & set(after))
            if before[n].role != after[n].role
        ],
    }


def label_counts(manifest: Manifest, split: str) -> dict[str, int]:
    """A split's rows per label; empty for a split the version lacks."""
    facts = manifest.splits.get(split)
    return dict(facts.labels or {}) if facts else {}


def label_shift(old: Manifest, new: Manifest) -> dict[str, dict[str, Any]]:
    """Per split: label counts old and new, and their total variation."""
    shift = {}
    for split in list(dict.fromkeys([*old.splits, *new.splits])):
        a, b = label_counts(old, split), label_counts(new, split)
        shift[split] = {"old": a, "new": b, "total_variation": total_variation(a, b)}
    return shift


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


STATS = ("mean", "std", "min", "p25", "median", "p75", "max")


def numeric_stats_sql(
    con: duckdb.DuckDBPyConnection, relation: str, value: str
) -> dict[str | None, dict[str, Any]]:
    """Per split of relation, and over all its rows (key None): rows and the
    value's mean, std, min, quartiles and max, computed in DuckDB. A plain
    floating-point mean or deviation depends on the order DuckDB's threads
    add the rows in, and identical data then differs in its last digits: the
    mean is a compensated sum's (favg), the deviation's input is sorted."""
    stats = fetch(
        con,
        f"""
        select split, count(*), favg({value}), stddev_samp({value} order by {value}),
            min({value}), quantile_cont({value}, [0.25, 0.5, 0.75]), max({value})
        from {relation} group by grouping sets ((split), ())
        """,
    )
    result: dict[str | None, dict[str, Any]] = {}
    for split, rows, mean, std, low, quartiles, high in stats:
        values = (mean, std, low, *(quartiles or (None,) * 3), high)
        result[split] = {"rows": rows} | {
            name: None if v is None else float(v) for name, v in zip(STATS, values, strict=True)
        }
    return result


def ks_statistic(con: duckdb.DuckDBPyConnection, a: str, b: str) -> float | None:
    """The two-sample Kolmogorov-Smirnov statistic (the largest gap between
    the empirical distribution functions, in [0, 1]) between the non-null
    values v of queries a and b, computed in DuckDB; None when one is empty."""
    (gap,) = fetch(
        con,
        f"""
        with pooled as (
            select v, 1 as in_a, 0 as in_b from ({a}) where v is not null
            union all
            select v, 0, 1 from ({b}) where v is not null
        ),
        counts as (select v, sum(in_a) as n_a, sum(in_b) as n_b from pooled group by v),
        cumulative as (
            select sum(n_a) over (order by v) / nullif(sum(n_a) over (), 0) as f_a,
                sum(n_b) over (order by v) / nullif(sum(n_b) over (), 0) as f_b
            from counts
        )
        select max(abs(f_a - f_b)) from cumulative
        """,
    )[0]
    return None if gap is None else float(gap)


def numeric_label_shift(
    con: duckdb.DuckDBPyConnection,
    old: str,
    new: str,
    label_old: str,
    label_new: str,
    splits: list[str],
) -> dict[str, dict[str, Any]]:
    """A numeric label in two versions (relations with a split column), per
    split (in the order of splits) and over all rows (key "all"): its
    statistics old and new, the change of its mean and quartiles, and the
    Kolmogorov-Smirnov statistic between the old and the new values."""
    before = numeric_stats_sql(con, old, label_old)
    after = numeric_stats_sql(con, new, label_new)
    shift: dict[str, dict[str, Any]] = {}
    for split in [*splits, None]:
        a, b = before.get(split), after.get(split)
        where = "true" if split is None else f"split = {literal(split)}"
        shift["all" if split is None else split] = {
            "old": a,
            "new": b,
            "change": {
                name: b[name] - a[name]
                if a and b and a[name] is not None and b[name] is not None
                else None
                for name in ("mean", "p25", "median", "p75")
            },
            "ks": ks_statistic(
                con,
                f"select {label_old} as v from {old} where {where}",
                f"select {label_new} as v from {new} where {where}",
            ),
        }
    return shift


def row_changes(old_frame: pd.DataFrame, new_frame: pd.DataFrame) -> dict[str, Any]:
    """Ids added and removed, over all splits."""
    old_ids, new_ids = set(old_frame.index), set(new_frame.index)
    return {
        "added": len(new_ids - old_ids),
        "removed": len(old_ids - new_ids),
        "kept": len(old_ids & new_ids),
        "added_examples": sorted(map(str, new_ids - old_ids))[:10],
        "removed_examples": sorted(map(str, old_ids - new_ids))[:10],
    }


def content_differences(left: Path, right: Path, tolerance: float = 1e-9) -> list[str]:
    """How two exports of one dataset version differ in content, e.g. the
    same build on DuckDB and on Spark: schema, the ids in each split, and
    every value by id (text exactly, numbers to tolerance). Checksums are
    not compared: two writers lay out the same rows in different bytes.
    Empty when the content is the same."""
    import pyarrow.parquet as pq

    manifests = [read_manifest(Path(p)) for p in (left, right)]
    paths = [sorted(f.path for f in m.files) for m in manifests]
    if paths[0] != paths[1]:
        return [f"files differ: {paths[0]} against {paths[1]}"]
    if any(m.format != "parquet" for m in manifests):
        return ["content is compared for parquet exports only"]
    id_col = manifests[0].roles.id
    problems = []
    for path in paths[0]:
        a, b = (pq.read_table(Path(root) / path) for root in (left, right))
        if not a.schema.equals(b.schema):
            problems.append(f"{path}: schema {a.schema} against {b.schema}")
            continue
        ids = a[id_col].to_pylist()
        if ids != b[id_col].to_pylist():
            extra = sorted(set(b[id_col].to_pylist()) ^ set(ids))[:5]
            problems.append(f"{path}: ids differ (order or membership; e.g. {extra})")
            continue
        for name in a.column_names:
            for key, x, y in zip(ids, a[name].to_pylist(), b[name].to_pylist(), strict=True):
                if not _same_value(x, y, tolerance):
                    problems.append(f"{path}: {name} of {key}: {x!r} against {y!r}")
                    break
    return problems


def _same_value(x: object, y: object, tolerance: float) -> bool:
    if x is None or y is None or isinstance(x, str | bytes | bool) or type(x) is not type(y):
        return x == y and type(x) is type(y)
    # y is of x's type here; the second isinstance only tells mypy so.
    if isinstance(x, int | float | Decimal) and isinstance(y, int | float | Decimal):
        return math.isclose(float(x), float(y), rel_tol=0, abs_tol=tolerance) or x == y
    return x == y

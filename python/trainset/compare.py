"""Comparisons of two exported versions, shared by profile and diff."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path


def total_variation(a: dict[str, float], b: dict[str, float]) -> float:
    """Total variation distance between two count or share distributions."""
    sa, sb = sum(a.values()) or 1, sum(b.values()) or 1
    keys = set(a) | set(b)
    return 0.5 * sum(abs(a.get(k, 0) / sa - b.get(k, 0) / sb) for k in keys)


def schema_changes(old: dict, new: dict) -> dict:
    """Columns added, removed, retyped, or given another role."""
    before = {c["name"]: c for c in old["columns"]}
    after = {c["name"]: c for c in new["columns"]}
    return {
        "added": sorted(set(after) - set(before)),
        "removed": sorted(set(before) - set(after)),
        "retyped": [
            {"column": n, "old": before[n]["data_type"], "new": after[n]["data_type"]}
            for n in sorted(set(before) & set(after))
            if before[n]["data_type"] != after[n]["data_type"]
        ],
        "role_changed": [
            {"column": n, "old": before[n]["role"], "new": after[n]["role"]}
            for n in sorted(set(before) & set(after))
            if before[n]["role"] != after[n]["role"]
        ],
    }


def label_shift(old: dict, new: dict) -> dict:
    """Per split: label counts old and new, and their total variation."""
    shift = {}
    for split in list(dict.fromkeys([*old["splits"], *new["splits"]])):
        a = old["splits"].get(split, {}).get("labels", {})
        b = new["splits"].get(split, {}).get("labels", {})
        shift[split] = {"old": a, "new": b, "total_variation": total_variation(a, b)}
    return shift


def row_changes(old_frame, new_frame) -> dict:
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

    manifests = [json.loads((Path(p) / "manifest.json").read_text()) for p in (left, right)]
    paths = [sorted(f["path"] for f in m["files"]) for m in manifests]
    if paths[0] != paths[1]:
        return [f"files differ: {paths[0]} against {paths[1]}"]
    if any(m["format"] != "parquet" for m in manifests):
        return ["content is compared for parquet exports only"]
    id_col = manifests[0]["roles"]["id"]
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


def _same_value(x, y, tolerance: float) -> bool:
    if x is None or y is None or isinstance(x, str | bytes | bool) or type(x) is not type(y):
        return x == y and type(x) is type(y)
    if isinstance(x, int | float | Decimal):
        return math.isclose(float(x), float(y), rel_tol=0, abs_tol=tolerance) or x == y
    return x == y

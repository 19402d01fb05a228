"""Comparisons of two exported versions, shared by profile and diff."""

from __future__ import annotations


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

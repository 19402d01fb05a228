"""What a change does to a dataset: two exported versions, compared by id.

diff_exports returns every figure as plain data (the JSON output);
render_markdown lays it out for a pull-request comment; broken_rules checks
--fail-on rules such as `split-moves>0` or `rows-removed>5%`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from trainset.baseline import feature_kinds
from trainset.compare import label_shift, schema_changes, total_variation
from trainset.errors import TrainsetError
from trainset.load import load_all

MARKDOWN_LIMIT = 65_000
EXAMPLES = 10
TEXT_EXAMPLES = 5


def _same(a, b) -> bool:
    a_missing = a is None or (isinstance(a, float) and a != a)
    b_missing = b is None or (isinstance(b, float) and b != b)
    if a_missing or b_missing:
        return a_missing and b_missing
    return str(a) == str(b)


def diff_exports(old_path: str | Path, new_path: str | Path) -> dict:
    old, old_m = load_all(old_path)
    new, new_m = load_all(new_path)
    label_old, label_new = old_m["roles"]["label"], new_m["roles"]["label"]
    common = old.index.intersection(new.index)
    old_c, new_c = old.loc[common], new.loc[common]

    moved = old_c.index[old_c["split"].astype(str) != new_c["split"].astype(str)]
    flips = common[
        [not _same(a, b) for a, b in zip(old_c[label_old], new_c[label_new], strict=True)]
    ]
    shared_features = [
        f for f in new_m["roles"]["features"] if f in set(old_m["roles"]["features"])
    ]
    changed_any = set(flips)
    for feature in shared_features:
        changed = [
            i
            for i, a, b in zip(common, old_c[feature], new_c[feature], strict=True)
            if not _same(a, b)
        ]
        changed_any.update(changed)

    rows = {}
    for split in dict.fromkeys([*old_m["splits"], *new_m["splits"]]):
        in_old = old.index[old["split"] == split]
        in_new = new.index[new["split"] == split]
        stay = in_new.intersection(in_old)
        n_changed = sum(1 for i in stay if i in changed_any)
        rows[split] = {
            "old": len(in_old),
            "new": len(in_new),
            "added": int((~in_new.isin(old.index)).sum()),
            "removed": int((~in_old.isin(new.index)).sum()),
            "changed": n_changed,
            "unchanged": len(stay) - n_changed,
        }
    pairs = Counter((str(old_c.at[i, label_old]), str(new_c.at[i, label_new])) for i in flips)
    # The same text / categorical / numeric reading as the baseline's.
    kinds = feature_kinds(new_m, new)
    features = {}
    for feature in shared_features:
        kind = kinds[feature]
        facts = {
            "kind": kind,
            "null_rate_old": float(old[feature].isna().mean()),
            "null_rate_new": float(new[feature].isna().mean()),
        }
        if kind == "numeric":
            a, b = old[feature].dropna().astype(float), new[feature].dropna().astype(float)
            facts["mean_old"], facts["mean_new"] = _f(a.mean()), _f(b.mean())
            for q in (0.25, 0.5, 0.75):
                facts[f"p{int(q * 100)}_old"], facts[f"p{int(q * 100)}_new"] = (
                    _f(a.quantile(q)),
                    _f(b.quantile(q)),
                )
        elif kind == "categorical":
            a = old[feature].fillna("<null>").astype(str).value_counts(normalize=True)
            b = new[feature].fillna("<null>").astype(str).value_counts(normalize=True)
            shifts = {v: float(b.get(v, 0) - a.get(v, 0)) for v in set(a.index) | set(b.index)}
            top = sorted(shifts.items(), key=lambda kv: -abs(kv[1]))[:5]
            facts["share_shifts"] = [
                {"value": v, "old": float(a.get(v, 0)), "new": float(b.get(v, 0))}
                for v, _ in top
                if _ != 0
            ]
        else:
            changed = [
                (i, a, b)
                for i, a, b in zip(common, old_c[feature], new_c[feature], strict=True)
                if not _same(a, b)
            ]
            facts["changed_values"] = len(changed)
            facts["examples"] = [
                {"id": str(i), "old": _clip(a), "new": _clip(b)}
                for i, a, b in changed[:TEXT_EXAMPLES]
            ]
        features[feature] = facts

    return {
        "old": {
            "path": str(old_path),
            "dataset": old_m["dataset"],
            "version": old_m["version"],
            "rows": len(old),
        },
        "new": {
            "path": str(new_path),
            "dataset": new_m["dataset"],
            "version": new_m["version"],
            "rows": len(new),
        },
        "rows": rows,
        "totals": {
            "added": sum(r["added"] for r in rows.values()),
            "removed": sum(r["removed"] for r in rows.values()),
            "changed": sum(r["changed"] for r in rows.values()),
            "unchanged": sum(r["unchanged"] for r in rows.values()),
        },
        "labels": {
            "by_split": label_shift(old_m, new_m),
            "total_variation": total_variation(
                Counter(old[label_old].astype(str)), Counter(new[label_new].astype(str))
            ),
            "flips": len(flips),
            "top_flips": [{"old": a, "new": b, "rows": n} for (a, b), n in pairs.most_common(10)],
            "flip_examples": [
                {
                    "id": str(i),
                    "old": str(old_c.at[i, label_old]),
                    "new": str(new_c.at[i, label_new]),
                }
                for i in sorted(flips)[:EXAMPLES]
            ],
        },
        "split_moves": {
            "rows": len(moved),
            "examples": [
                {"id": str(i), "old": str(old_c.at[i, "split"]), "new": str(new_c.at[i, "split"])}
                for i in sorted(moved)[:EXAMPLES]
            ],
        },
        "schema": schema_changes(old_m, new_m),
        "features": features,
        "baseline": _baseline_delta(Path(old_path), Path(new_path)),
        "tests": _test_changes(old_m, new_m),
    }


def _f(value) -> float | None:
    return None if value != value else float(value)


def _clip(value, limit: int = 200) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _baseline_delta(old: Path, new: Path) -> dict | None:
    if not ((old / "baseline.json").is_file() and (new / "baseline.json").is_file()):
        return None
    a = json.loads((old / "baseline.json").read_text())
    b = json.loads((new / "baseline.json").read_text())
    delta = {}
    for split in set(a["splits"]) & set(b["splits"]):
        delta[split] = {
            metric: {
                "old": a["splits"][split][metric],
                "new": b["splits"][split][metric],
                "delta": b["splits"][split][metric] - a["splits"][split][metric],
            }
            for metric in ("accuracy", "macro_f1")
        }
    return delta


def _test_changes(old: dict, new: dict) -> dict:
    a = {t["name"]: t["status"] for t in old["tests"]["results"]}
    b = {t["name"]: t["status"] for t in new["tests"]["results"]}
    return {
        "summary_old": old["tests"]["summary"],
        "summary_new": new["tests"]["summary"],
        "changed": [
            {"test": name, "old": a.get(name, "absent"), "new": b.get(name, "absent")}
            for name in sorted(set(a) | set(b))
            if a.get(name) != b.get(name)
        ],
    }


RULE = re.compile(r"^\s*([a-z-]+)\s*(>=|<=|>|<|==)\s*([0-9.]+)(%?)\s*$")
METRICS = {
    "rows-added": lambda d: d["totals"]["added"],
    "rows-removed": lambda d: d["totals"]["removed"],
    "rows-changed": lambda d: d["totals"]["changed"],
    "label-flips": lambda d: d["labels"]["flips"],
    "split-moves": lambda d: d["split_moves"]["rows"],
    "columns-removed": lambda d: len(d["schema"]["removed"]),
    "columns-retyped": lambda d: len(d["schema"]["retyped"]),
    "label-shift": lambda d: d["labels"]["total_variation"],
}


def broken_rules(diff: dict, rules: list[str]) -> list[str]:
    """The --fail-on rules the diff breaks, each as a sentence. A percentage
    is of the old version's rows."""
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
            limit = float(number) * (diff["old"]["rows"] / 100 if percent else 1)
            if {
                ">": value > limit,
                ">=": value >= limit,
                "<": value < limit,
                "<=": value <= limit,
                "==": value == limit,
            }[op]:
                broken.append(f"{part}: {name} is {value:g}")
    return broken


def _md_table(headers: list[str], rows: list[list]) -> list[str]:
    def cell(v):
        return str(v if v is not None else "").replace("|", "\\|").replace("\n", " ")

    return [
        "| " + " | ".join(headers) + " |",
        "|" + "---|" * len(headers),
        *("| " + " | ".join(cell(c) for c in row) + " |" for row in rows),
    ]


def _details(summary: str, lines: list[str]) -> list[str]:
    return ["<details>", f"<summary>{summary}</summary>", "", *lines, "", "</details>", ""]


def render_markdown(diff: dict, broken: list[str] | None = None) -> str:
    """The diff as a pull-request comment: a summary table, then details."""
    o, n = diff["old"], diff["new"]
    t = diff["totals"]
    moves = diff["split_moves"]["rows"]
    lines = [
        f"## trainset diff: {n['dataset']} v{o['version']} → v{n['version']}",
        "",
        *_md_table(
            ["", "value"],
            [
                ["rows", f"{o['rows']:,} → {n['rows']:,}"],
                ["added / removed", f"{t['added']:,} / {t['removed']:,}"],
                ["changed / unchanged", f"{t['changed']:,} / {t['unchanged']:,}"],
                ["label flips", f"{diff['labels']['flips']:,}"],
                ["label shift (total variation)", f"{diff['labels']['total_variation']:.4f}"],
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
        _md_table(
            ["split", "old", "new", "added", "removed", "changed", "unchanged"],
            [
                [s, r["old"], r["new"], r["added"], r["removed"], r["changed"], r["unchanged"]]
                for s, r in diff["rows"].items()
            ],
        ),
    )
    label_rows = []
    for split, facts in diff["labels"]["by_split"].items():
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
    flips = _md_table(
        ["old → new", "rows"],
        [[f"{f['old']} → {f['new']}", f["rows"]] for f in diff["labels"]["top_flips"]],
    )
    examples = _md_table(
        ["id", "old", "new"],
        [[e["id"], e["old"], e["new"]] for e in diff["labels"]["flip_examples"]],
    )
    lines += _details(
        f"Labels: {diff['labels']['flips']} flips",
        [
            *_md_table(["split", "label", "old", "new", "split TVD"], label_rows),
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
    if moves:
        lines += _details(
            f"Split moves: {moves}",
            _md_table(
                ["id", "old split", "new split"],
                [[e["id"], e["old"], e["new"]] for e in diff["split_moves"]["examples"]],
            ),
        )
    schema = diff["schema"]
    lines += _details(
        "Schema",
        _md_table(
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
            feature_lines += _md_table(
                ["value", "old share", "new share"],
                [[s["value"], f"{s['old']:.3f}", f"{s['new']:.3f}"] for s in f["share_shifts"]],
            )
        elif f["kind"] == "text":
            feature_lines.append(f"{f['changed_values']} values changed")
            if f["examples"]:
                feature_lines += _md_table(
                    ["id", "before", "after"],
                    [[e["id"], e["old"], e["new"]] for e in f["examples"]],
                )
        feature_lines.append("")
    lines += _details("Features", feature_lines)
    if diff["baseline"]:
        lines += _details(
            "Baseline",
            _md_table(
                ["split", "metric", "old", "new", "delta"],
                [
                    [s, m, f"{v['old']:.4f}", f"{v['new']:.4f}", f"{v['delta']:+.4f}"]
                    for s, metrics in sorted(diff["baseline"].items())
                    for m, v in metrics.items()
                ],
            ),
        )
    tests = diff["tests"]
    lines += _details(
        f"Tests: {len(tests['changed'])} changed",
        [
            f"old: {tests['summary_old']}, new: {tests['summary_new']}",
            "",
            *_md_table(
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

"""The dataset card: the manifest's facts for a person.

It follows the sections of a Hugging Face dataset card where they fit, and
is rendered from the manifest alone, so the two never disagree.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from trainset.render import md_cell, md_table

if TYPE_CHECKING:
    from trainset.manifest import DbtBuild, Manifest, SplitFacts


def _size_category(rows: int) -> str:
    for bound, name in (
        (1_000, "n<1K"),
        (10_000, "1K<n<10K"),
        (100_000, "10K<n<100K"),
        (1_000_000, "100K<n<1M"),
        (10_000_000, "1M<n<10M"),
    ):
        if rows < bound:
            return name
    return "n>10M"


# Masking precision of the built-in patterns, measured on the labelled corpus
# of python/tests/test_masking.py (which asserts these figures).
MASKING_PRECISION = {
    "technical_strings": 256,
    "technical_masked": 0,
    "personal_strings": 220,
    "personal_masked": 220,
}


def _masking_text() -> str:
    m = MASKING_PRECISION
    return (
        "Free text is masked before export (the `mask_pii` macro): email addresses "
        "become `<email>`, payment card numbers that pass the Luhn check `<card>`, "
        "IPv4 addresses `<ip>` and phone numbers `<phone>`; patterns set in the var "
        "`pii_extra_patterns` become `<name>`, and matches of `pii_keep_patterns` "
        "are kept. Versions, hashes, UUIDs, ids, timestamps, dates, amounts and "
        "short numbers are kept. On the labelled corpus of trainset's masking test, "
        "the built-in patterns masked "
        f"{m['technical_masked']} of {m['technical_strings']} technical strings "
        f"({100 * m['technical_masked'] / m['technical_strings']:.1f}%) and "
        f"{m['personal_masked']} of {m['personal_strings']} personal ones "
        f"({100 * m['personal_masked'] / m['personal_strings']:.1f}%)."
    )


def _code(text: str) -> str:
    """Text as a markdown code span, however many backticks it holds."""
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}" if "`" in text else f"`{text}`"


def _boilerplate_text(patterns: object) -> list[str]:
    """The boilerplate patterns cut out of free text before masking
    (var strip_boilerplate_patterns); nothing when none was applied."""
    if not isinstance(patterns, list) or not patterns:
        return []
    return [
        "",
        "Before masking, boilerplate was cut out of free text (the `strip_boilerplate` "
        "macro, var `strip_boilerplate_patterns`): every match of "
        + ", ".join(_code(str(p)) for p in patterns)
        + ".",
    ]


def render_card(manifest: Manifest) -> str:
    name, version = manifest.dataset, manifest.version
    splits = manifest.splits
    total = manifest.total_rows
    scores = manifest.scores
    roles = manifest.roles
    ext = manifest.format
    regression = manifest.regression
    labels = manifest.class_labels()
    lines = [
        "---",
        f"pretty_name: {name} v{version}",
        "task_categories:",
        "  - tabular-regression" if regression else "  - text-classification",
        "size_categories:",
        f"  - {_size_category(total)}",
        "tags:",
        "  - trainset",
        "  - dbt",
        "---",
        "",
        f"# Dataset card for {name} v{version}",
        "",
    ]
    if manifest.allow_failed_tests and manifest.failing_tests_overridden:
        lines += [
            "> **Warning:** exported with `--allow-failed-tests` although these "
            "tests failed: " + ", ".join(f"`{t}`" for t in manifest.failing_tests_overridden) + ".",
            "",
        ]
    lines += [
        "## Dataset description",
        "",
        manifest.description or "(no description)",
        "",
    ]
    lines += ["## Uses", ""]
    if manifest.exposures:
        for exposure in manifest.exposures:
            lines.append(
                f"- **{exposure['name']}** ({exposure['type']}): "
                f"{md_cell(exposure.get('description'), squeeze=True)}"
            )
    else:
        lines.append("No consumer is declared as a dbt exposure.")
    lines += [
        "",
        "## Dataset structure",
        "",
        (
            f"`features.{ext}` holds the id and every feature, sorted by `{roles.id}`: "
            f"the features of {scores.dataset} v{scores.version}, in its order, "
            "to be scored by a model trained on it. No labels, no splits."
        )
        if scores
        else f"Each split has `features.{ext}` (the id and every feature) and "
        f"`labels.{ext}` (the id and the label), with the same rows in the same "
        f"order, sorted by `{roles.id}`.",
        "",
        *md_table(
            ["column", "role", "type", "definition"],
            (
                [f"`{column.name}`", column.role, column.data_type, column.description]
                for column in manifest.columns
            ),
            squeeze=True,
        ),
    ]
    if not scores:
        lines += ["", "### Splits", ""]
        lines += (
            _label_statistics(manifest.label, splits)
            if regression
            else _label_counts(labels, splits)
        )
    lines += ["", f"{total} rows in all.", ""]
    lines += _split_times(manifest)
    lines += _inputs(manifest)

    tests = manifest.tests
    summary = ", ".join(f"{n} {status}" for status, n in sorted(tests.summary.items()))
    lines += [
        "## Data quality",
        "",
        f"dbt tests on the model and everything upstream of it in the build: {summary}.",
        "",
        "| test | status | failing rows |",
        "|---|---|---:|",
    ]
    for test in tests.results:
        if test.status != "pass":
            lines.append(
                f"| `{test.name}` | {test.status} | "
                f"{test.failures if test.failures is not None else ''} |"
            )
    if all(t.status == "pass" for t in tests.results):
        lines.append("| (all passed) | | |")
    lines += ["", "Tests that passed are listed in `manifest.json`.", ""]

    pii_tests = [t for t in tests.results if t.name.startswith("pii_free")]
    lines += ["## Personal and sensitive information", ""]
    lines.append(_masking_text())
    lines += _boilerplate_text(manifest.vars.get("strip_boilerplate_patterns"))
    if pii_tests:
        statuses = ", ".join(f"`{t.name}`: {t.status}" for t in pii_tests)
        lines.append(
            f"The `pii_free` test checks that none of these patterns is left ({statuses})."
        )
    if manifest.csv_safe:
        lines.append("")
        lines.append(
            "Exported with `--csv-safe`: text cells that began with `=`, `+`, "
            "`-` or `@` were prefixed with `'` so spreadsheets do not run them."
        )
    lines += [
        "",
        "## How to load",
        "",
        "```python",
        "import trainset",
        "",
        *(
            [f'X = trainset.load_scoring("{name}/v{version}")  # pandas, the training order']
            if scores
            else [
                f'X_train, y_train = trainset.load("{name}/v{version}", "train")  # pandas',
                f'dataset = trainset.load_hf("{name}/v{version}")  # Hugging Face DatasetDict',
            ]
        ),
        "```",
        "",
        "Both check the files' sha256 against `manifest.json` first; "
        f"`trainset verify {name}/v{version}` does the same from the shell.",
        "",
        "## Provenance",
        "",
        f"- dbt model `{manifest.dbt.unique_id}`, relation `{manifest.dbt.relation}`",
        f"- dbt {manifest.dbt.dbt_version} on {manifest.dbt.adapter}, "
        f"invocation `{manifest.dbt.invocation_id}`"
        + (f"; files written by {manifest.writer}" if manifest.writer else ""),
        *_earlier_build(manifest.dbt),
        f"- git commit `{manifest.git.commit}`"
        + (" (work tree dirty)" if manifest.git.dirty else ""),
        "- vars: " + ", ".join(f"`{k}={v}`" for k, v in sorted(manifest.vars.items())),
        f"- label: `{roles.label}`, a number (regression)"
        if regression
        else f"- scores: {scores.dataset} v{scores.version}"
        if scores
        else f"- labels: {', '.join(labels)}",
        "",
    ]
    return "\n".join(lines)


def _split_times(manifest: Manifest) -> list[str]:
    """Each split's as_of range, and how many of a later split's rows
    belong to a player with train rows (the desk's split_overlap)."""
    splits = manifest.splits
    lines = []
    if any(facts.as_of_range is not None for facts in splits.values()):
        strategy = manifest.vars.get("split_strategy")
        as_of = next((c.name for c in manifest.columns_with_role("as_of")), "as_of")
        lines += [
            f"Split by {strategy}; the `{as_of}` each split covers:"
            if strategy
            else f"The `{as_of}` each split covers:",
            "",
            "| split | first | last |",
            "|---|---|---|",
        ]
        for split, facts in splits.items():
            first, last = facts.as_of_range or ("", "")
            lines.append(f"| {split} | {first} | {last} |")
        lines.append("")
    overlap = sorted(
        manifest.provenance.get("split_overlap", []),
        key=lambda r: list(splits).index(r["split_name"]) if r["split_name"] in splits else 99,
    )
    if overlap:
        shares = "; ".join(
            f"{r['split_name']} {r['overlapping_rows']} of {r['split_rows']} "
            f"({100 * (r['overlap_share'] or 0):.1f}%)"
            for r in overlap
        )
        lines += [f"Rows whose player also has train rows: {shares}.", ""]
    return lines


def _label_counts(labels: list[str], splits: dict[str, SplitFacts]) -> list[str]:
    return md_table(
        ["split", "rows", *labels],
        (
            [split, facts.rows, *((facts.labels or {}).get(label, 0) for label in labels)]
            for split, facts in splits.items()
        ),
        right=1,
    )


STATISTICS = ("mean", "std", "min", "p25", "median", "p75", "max")


def _label_statistics(label: str, splits: dict[str, SplitFacts]) -> list[str]:
    """A numeric label's statistics per split, in place of class counts."""
    rows = (
        [
            split,
            facts.rows,
            *(
                "" if (v := getattr(facts.label_stats, k, None)) is None else f"{v:.4g}"
                for k in STATISTICS
            ),
        ]
        for split, facts in splits.items()
    )
    return [
        f"The label `{label}` per split:",
        "",
        *md_table(["split", "rows", *STATISTICS], rows, right=1),
    ]


def _earlier_build(dbt: DbtBuild) -> list[str]:
    """A line when the export is of an earlier build than the latest one."""
    latest = dbt.latest_attempt
    if not latest or latest.invocation_id == dbt.invocation_id:
        return []
    return [
        f"- **an earlier build**: the latest build (`{latest.invocation_id}`, "
        f"{latest.started_at}) {latest.status} this dataset, so this export is of "
        f"the build of {dbt.built_at} that was still in the warehouse"
    ]


def _inputs(manifest: Manifest) -> list[str]:
    """The build's inputs: the taxonomy, raw tables that were absent, and
    the features they left without any value."""
    provenance: dict[str, list[dict[str, Any]]] = manifest.provenance
    lines = []
    for row in provenance.get("taxonomy", []):
        where = row.get("taxonomy_path") or "the bundled seed"
        lines.append(
            f"- Taxonomy: {row.get('taxonomy_source')} (`{where}`), "
            f"{row.get('taxonomy_rows')} codes, sha256 `{row.get('taxonomy_sha256')}`."
        )
    absent = [r["table_name"] for r in provenance.get("raw_tables", []) if not r.get("is_present")]
    if absent:
        lines.append(
            "- Raw tables absent from the export: "
            + ", ".join(f"`{t}`" for t in absent)
            + " (optional; read as empty)."
        )
    if manifest.all_null_features:
        lines.append(
            "- Features with no value in any row, left out by profile and baseline: "
            + ", ".join(f"`{c}`" for c in manifest.all_null_features)
            + "."
        )
    return ["### Inputs", "", *lines, ""] if lines else []

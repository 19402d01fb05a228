"""Where every raw row and every ticket of a dataset went: the figures of
`trainset reconcile`, from the rows of the DATASET_reconciliation model."""

from __future__ import annotations

# Why an accepted ticket is not in the dataset, in the order of the rules.
TICKET_REASONS = (
    "not_eligible_status",
    "no_final_resolution",
    "code_not_in_taxonomy",
    "resolution_not_trainable",
    "no_player_message",
    "player_rejected",
)


def _ids(value: str | None, limit: int) -> list[str]:
    return [] if not value or limit <= 0 else value.split(", ")[:limit]


def desk_funnel(columns: list[str], rows: list[tuple], examples: int = 0) -> dict:
    """The figures of a desk dataset's reconciliation rows (section,
    subject_name, outcome, reason, row_count, example_ids): per raw table,
    rows read, accepted, collapsed and rejected by reason; per ticket, why
    it left, and each version's rows; with up to `examples` ids per reason.
    """
    records = [dict(zip(columns, row, strict=True)) for row in rows]
    raw: dict[str, dict] = {}
    left = dict.fromkeys(TICKET_REASONS, 0)
    left_examples: dict[str, list[str]] = {}
    eligible = 0
    versions: dict[str, int] = {}
    for r in records:
        count = int(r["row_count"])
        if r["section"] == "raw_table":
            table = raw.setdefault(
                r["subject_name"],
                {"read": 0, "accepted": 0, "collapsed_duplicate": 0, "rejected": {}},
            )
            table["read"] += count
            if r["outcome"] == "rejected":
                table["rejected"][r["reason"]] = count
                if examples:
                    table.setdefault("examples", {})[r["reason"]] = _ids(r["example_ids"], examples)
            else:
                table[r["outcome"]] += count
        elif r["outcome"] == "left":
            left[r["reason"]] = count
            left_examples[r["reason"]] = _ids(r["example_ids"], examples)
        elif r["outcome"] == "eligible":
            eligible = count
        else:
            versions[r["subject_name"].rsplit("_", 1)[-1]] = count
    accepted = raw.get("tickets", {}).get("accepted", 0)
    tickets = {
        "accepted": accepted,
        "left": left,
        "eligible": eligible,
        "dataset_rows": versions,
        # Each must be 0: an accepted ticket is eligible or has a reason,
        # and each eligible ticket is a row of every version.
        "unaccounted": {
            "tickets": accepted - eligible - sum(left.values()),
            **{v: eligible - n for v, n in versions.items()},
        },
    }
    if examples:
        tickets["examples"] = {k: v for k, v in left_examples.items() if v}
    for table in raw.values():
        table["unaccounted"] = (
            table["read"]
            - table["accepted"]
            - table["collapsed_duplicate"]
            - sum(table["rejected"].values())
        )
    return {"raw_tables": raw, "tickets": tickets}


def unaccounted(figures: dict) -> int:
    """Rows or tickets the figures do not account for (0 when they add up)."""
    if "raw_tables" not in figures:
        return int(figures.get("unaccounted_rows", 0))
    return sum(abs(t["unaccounted"]) for t in figures["raw_tables"].values()) + sum(
        abs(n) for n in figures["tickets"]["unaccounted"].values()
    )

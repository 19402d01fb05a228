"""Where every raw row and every ticket of a dataset went: the figures of
`trainset reconcile`, from the rows of the DATASET_reconciliation model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, NotRequired, TypedDict, cast, final

# Why an accepted ticket is not in the dataset, in the order of the rules.
TICKET_REASONS = (
    "not_eligible_status",
    "no_final_resolution",
    "code_not_in_taxonomy",
    "resolution_not_trainable",
    "no_player_message",
    "player_rejected",
)


class RawTable(TypedDict):
    """Where one raw table's rows went."""

    read: int
    accepted: int
    collapsed_duplicate: int
    rejected: dict[str, int]  # reason -> rows
    examples: NotRequired[dict[str, list[str]]]  # reason -> ids, with examples
    unaccounted: NotRequired[int]  # set once every row is counted


class TicketFunnel(TypedDict):
    """Where the accepted tickets went."""

    accepted: int
    left: dict[str, int]  # reason -> tickets
    eligible: int
    dataset_rows: dict[str, int]  # version -> rows
    unaccounted: dict[str, int]  # "tickets" or a version -> count, each 0
    examples: NotRequired[dict[str, list[str]]]  # reason -> ids, with examples


@final  # so that `"raw_tables" not in figures` rules it out
class DeskFunnel(TypedDict):
    raw_tables: dict[str, RawTable]
    tickets: TicketFunnel


def _ids(value: str | None, limit: int) -> list[str]:
    return [] if not value or limit <= 0 else value.split(", ")[:limit]


def desk_funnel(
    columns: Sequence[str], rows: Sequence[Sequence[Any]], examples: int = 0
) -> DeskFunnel:
    """The figures of a desk dataset's reconciliation rows (section,
    subject_name, outcome, reason, row_count, example_ids): per raw table,
    rows read, accepted, collapsed and rejected by reason; per ticket, why
    it left, and each version's rows; with up to `examples` ids per reason.
    """
    records = [dict(zip(columns, row, strict=True)) for row in rows]
    raw: dict[str, RawTable] = {}
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
                # The quarantine's other outcomes; another is a KeyError, as before.
                outcome: Literal["accepted", "collapsed_duplicate"] = r["outcome"]
                table[outcome] += count
        elif r["outcome"] == "left":
            left[r["reason"]] = count
            left_examples[r["reason"]] = _ids(r["example_ids"], examples)
        elif r["outcome"] == "eligible":
            eligible = count
        else:
            versions[r["subject_name"].rsplit("_", 1)[-1]] = count
    accepted = raw["tickets"]["accepted"] if "tickets" in raw else 0
    tickets: TicketFunnel = {
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


def unaccounted(figures: DeskFunnel | Mapping[str, int]) -> int:
    """Rows or tickets the figures do not account for (0 when they add up)."""
    if "raw_tables" not in figures:
        return int(figures.get("unaccounted_rows", 0))
    # mypy keeps the Mapping here too: figures with raw_tables are a desk funnel.
    desk = cast(DeskFunnel, figures)
    return sum(abs(t["unaccounted"]) for t in desk["raw_tables"].values()) + sum(
        abs(n) for n in desk["tickets"]["unaccounted"].values()
    )

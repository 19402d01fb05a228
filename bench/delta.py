"""Cut a raw desk into a history and a daily delta, as a desk grows.

The cut-off C is the moment after which `fraction` of the tickets were
created. The history is the desk as it stood at C: every row whose event
came before C, with tickets still open if a resolution came later and
purchases not yet refunded. The delta is what arrived after C: new rows,
and the rows that changed (a ticket now solved, a purchase now refunded),
delivered whole, so that history + delta is the original desk.

    python bench/delta.py RAW_DIR HISTORY_DIR DELTA_DIR FRACTION
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb


def ts(column: str) -> str:
    return f"cast(cast({column} as timestamptz) as timestamp)"


def cut(raw: Path, history: Path, delta: Path, fraction: float) -> str:
    """Write history and delta as Parquet; return the cut-off."""
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    for table in ("players", "tickets", "ticket_messages", "ticket_resolutions", "purchases"):
        con.execute(f"create view {table} as select * from read_parquet('{raw}/{table}.parquet')")
    cutoff = con.sql(
        f"select quantile_disc({ts('created_at')}, {1 - fraction}) from tickets"
    ).fetchall()[0][0]
    c = f"timestamp '{cutoff}'"
    resolved_later = (
        f"ticket_id in (select ticket_id from ticket_resolutions where {ts('resolved_at')} >= {c})"
    )
    queries = {
        "players": (
            f"select * from players where {ts('registered_at')} < {c}",
            f"select * from players where {ts('registered_at')} >= {c}",
        ),
        "tickets": (
            f"select * replace (case when {resolved_later} then 'open' else status end as status) "
            f"from tickets where {ts('created_at')} < {c}",
            f"select * from tickets where {ts('created_at')} >= {c} or {resolved_later}",
        ),
        "ticket_messages": (
            f"select * from ticket_messages where {ts('created_at')} < {c}",
            f"select * from ticket_messages where {ts('created_at')} >= {c}",
        ),
        "ticket_resolutions": (
            f"select * from ticket_resolutions where {ts('resolved_at')} < {c}",
            f"select * from ticket_resolutions where {ts('resolved_at')} >= {c}",
        ),
        "purchases": (
            f"select * replace (case when {ts('refunded_at')} >= {c} then null "
            f"else refunded_at end as refunded_at) "
            f"from purchases where {ts('purchased_at')} < {c}",
            f"select * from purchases where {ts('purchased_at')} >= {c} "
            f"or {ts('refunded_at')} >= {c}",
        ),
    }
    for folder in (history, delta):
        folder.mkdir(parents=True, exist_ok=True)
    for table, (before, after) in queries.items():
        con.execute(f"copy ({before}) to '{history}/{table}.parquet' (format parquet)")
        con.execute(f"copy ({after}) to '{delta}/{table}.parquet' (format parquet)")
    return str(cutoff)


if __name__ == "__main__":
    raw, history, delta, fraction = sys.argv[1:5]
    print("cut-off", cut(Path(raw), Path(history), Path(delta), float(fraction)))

"""Are two versions of a dataset the same rows? Used by the benchmark and
its tests to keep the comparisons honest."""

from __future__ import annotations

NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "DECIMAL", "FLOAT", "DOUBLE")


def differing_rows(con, left: str, right: str) -> int:
    """Rows of left not in right plus rows of right not in left, counted as
    multisets, on left's columns. Numbers compare as doubles (a decimal and
    a float of the same amount are equal), everything else as text."""
    described = con.sql(f"describe select * from {left}").fetchall()
    columns = ", ".join(
        f"cast({name} as double)" if kind.startswith(NUMERIC) else f"cast({name} as varchar)"
        for name, kind, *_ in described
    )
    a, b = f"select {columns} from {left}", f"select {columns} from {right}"
    sql = f"select count(*) from (({a} except all {b}) union all ({b} except all {a}))"
    return con.sql(sql).fetchall()[0][0]

"""The scale path: the set-based generator's shape, and the honesty of the
benchmark's comparisons (pandas and the floor give the dbt build's rows),
and incremental builds that equal a full rebuild."""

from __future__ import annotations

import re
import shutil
import sys

import duckdb
import pytest
from conftest import PROJECT, dbt

from trainset.sample import scale

sys.path.insert(0, str(PROJECT / "bench"))
import delta as delta_cut
import floor as floor_sql
import pandas_v2
from same import differing_rows

MODELS_ONLY = ["build", "--exclude-resource-type", "test", "unit_test", "--exclude", "tag:fixture"]


@pytest.fixture(scope="module")
def scale_raw(tmp_path_factory):
    raw = tmp_path_factory.mktemp("scale") / "raw"
    scale.write(raw, 9000, seed=3)
    return raw


@pytest.fixture(scope="module")
def scale_build(scale_raw, tmp_path_factory):
    build = dbt(
        ["build", "--exclude", "tag:fixture"],
        tmp_path_factory.mktemp("scale-build"),
        vars={"raw_dir": str(scale_raw)},
    )
    assert build.returncode == 0, build.output[-3000:]
    return build


# v2 on the columns the benchmarks compute: they predate tickets.product.
BENCH_V2 = "(select * exclude (product) from ticket_triage_v2)"


def test_scale_desk_has_the_shape_of_a_desk(scale_raw):
    counts = scale.describe(scale_raw)
    players, tickets = counts["players"], counts["tickets"]
    assert tickets == 9000 and players == 3000
    assert 2.8 <= counts["ticket_messages"] / tickets <= 3.6
    assert 1.0 <= counts["ticket_resolutions"] / tickets <= 1.2
    assert 4.5 <= counts["purchases"] / players <= 5.5
    with duckdb.connect() as con:
        per_player = con.sql(
            f"select avg(n) from (select count(*) as n from '{scale_raw}/tickets.parquet' "
            "group by player_id)"
        ).fetchall()[0][0]
    assert 2.5 <= per_player <= 3.6


def test_scale_desk_is_deterministic(scale_raw, tmp_path):
    again = tmp_path / "again"
    scale.write(again, 9000, seed=3)
    with duckdb.connect() as con:
        for table in ("tickets", "ticket_messages", "purchases"):
            assert (
                differing_rows(con, f"'{scale_raw}/{table}.parquet'", f"'{again}/{table}.parquet'")
                == 0
            )


@pytest.mark.slow("builds a 9,000-ticket desk")
def test_scale_desk_builds_with_no_test_failing(scale_build):
    # Warnings are expected: a few tickets open with a stock phrase
    # ("thanks!"), shared across splits, as on a real desk.
    statuses = set(scale_build.status_of("test.").values())
    assert statuses <= {"pass", "warn"}, scale_build.output[-3000:]


def materialized_ctes(con: duckdb.DuckDBPyConnection, sql: str) -> set[str]:
    """The CTEs DuckDB's plan of sql computes once and holds."""
    plan = con.execute("explain (format json) " + sql).fetchall()[0][1]
    return set(re.findall(r'"CTE Name": "([^"]+)"', plan))


def test_quarantine_streams_a_parquet_desks_rows_past_a_narrow_hash(scale_raw, tmp_path):
    # At 10M tickets a base model that held its raw rows (DuckDB
    # materializes a CTE read twice unless told not to) spilled 10.7 GB
    # and took 100 s; streaming them past a narrow hash took 71 s. (A CSV
    # desk's raw rows are numbered by a window, which DuckDB holds.)
    build = dbt(
        ["compile", "--select", "staging.desk.base"], tmp_path, vars={"raw_dir": str(scale_raw)}
    )
    assert build.returncode == 0, build.output[-3000:]
    compiled = build.target / "compiled" / "trainset" / "models" / "staging" / "desk" / "base"
    quarantined = [m for m in sorted(compiled.glob("base_*.sql")) if "hashed as" in m.read_text()]
    assert len(quarantined) == 5, [m.name for m in quarantined]
    with duckdb.connect() as con:
        for model in quarantined:
            assert materialized_ctes(con, model.read_text()) == {"hashed"}, model.name
        # The check sees a raw read that is held.
        held = quarantined[0].read_text().replace(" as not materialized (", " as (", 1)
        assert materialized_ctes(con, held) == {"hashed", "raw_players"}


def test_pandas_v2_gives_the_dbt_builds_rows_on_the_sample(sample_build):
    ours = pandas_v2.ticket_triage_v2(PROJECT / "seeds" / "desk_sample")
    with duckdb.connect(str(sample_build.db), read_only=True) as con:
        con.register("ours", ours)
        assert len(ours) == con.sql("select count(*) from ticket_triage_v2").fetchall()[0][0]
        assert differing_rows(con, BENCH_V2, "ours") == 0
        # The comparison sees one changed feature value.
        ours.loc[ours.index[17], "spend_usd_30d"] += 0.01
        con.register("changed", ours)
        assert differing_rows(con, BENCH_V2, "changed") == 2


@pytest.mark.slow("builds a 9,000-ticket desk")
def test_floor_gives_the_dbt_builds_rows_on_a_clean_desk(scale_raw, scale_build, tmp_path):
    out = tmp_path / "floor.parquet"
    floor_sql.main(str(scale_raw), str(out))
    with duckdb.connect(str(scale_build.db), read_only=True) as con:
        assert differing_rows(con, BENCH_V2, f"read_parquet('{out}')") == 0
        # A floor that splits with another salt is caught.
        moved = con.sql(
            f"select count(*) from read_parquet('{out}') as f join ticket_triage_v2 as t "
            "using (ticket_id) where f.split <> t.split"
        ).fetchall()[0][0]
        assert moved == 0
        assert (
            differing_rows(
                con,
                BENCH_V2,
                f"(select * replace ('train' as split) from read_parquet('{out}'))",
            )
            > 0
        )


def rows_apart_from_full_build(con, full_build) -> int:
    con.execute(f"attach '{full_build.db}' as full_build (read_only)")
    return differing_rows(con, "ticket_triage_v2", "full_build.ticket_triage_v2")


@pytest.mark.slow("builds a desk in full, incrementally and stale")
def test_incremental_build_after_a_delta_equals_a_full_rebuild(scale_raw, scale_build, tmp_path):
    history, delta = tmp_path / "history", tmp_path / "delta"
    cutoff = delta_cut.cut(scale_raw, history, delta, 0.05)
    db = tmp_path / "incremental.duckdb"
    first = dbt(
        ["build", "--exclude", "tag:fixture"],
        tmp_path / "history-build",
        vars={"raw_dir": str(history), "incremental": True},
        db=db,
    )
    assert first.returncode == 0, first.output[-3000:]
    shutil.copy(db, tmp_path / "before-delta.duckdb")
    second = dbt(
        ["build", "--exclude", "tag:fixture"],
        tmp_path / "delta-build",
        vars={"raw_dir": str(delta), "incremental": True},
        db=db,
    )
    assert second.returncode == 0, second.output[-3000:]
    # The delta was added to the history, not rebuilt: two loads in one table.
    loads = second.query("select count(distinct loaded_at) from base_desk__ticket_messages")
    assert loads == [(2,)]

    with duckdb.connect(str(db), read_only=True) as con:
        assert rows_apart_from_full_build(con, scale_build) == 0
        # Tickets after the cut-off whose windows reach into the history
        # are among them, with features counted across the boundary.
        spanning = con.sql(
            f"select count(*) from ticket_triage_v2 where created_at >= timestamp '{cutoff}' "
            "and (purchases_before > 0 or prior_tickets_90d > 0)"
        ).fetchall()[0][0]
        assert spanning > 20

    # The comparison catches an incremental model that misses the delta.
    stale = tmp_path / "stale.duckdb"
    shutil.copy(tmp_path / "before-delta.duckdb", stale)
    skipped = dbt(
        [*MODELS_ONLY, "--exclude", "int_tickets_point_in_time_features"],
        tmp_path / "stale-build",
        vars={"raw_dir": str(delta), "incremental": True},
        db=stale,
    )
    assert skipped.returncode == 0, skipped.output[-3000:]
    with duckdb.connect(str(stale), read_only=True) as con:
        assert rows_apart_from_full_build(con, scale_build) > 0

    # Conservation counts this invocation's load only: a test run apart from
    # the load finds the delta's rows missing, so the check can fail.
    apart = dbt(
        ["test", "--select", "test_name:raw_rows_conserved"],
        tmp_path / "tests-apart",
        vars={"raw_dir": str(delta), "incremental": True},
        db=db,
    )
    assert apart.returncode != 0
    statuses = apart.status_of("test.trainset.raw_rows_conserved_base_desk__ticket_messages")
    assert set(statuses.values()) == {"fail"}, apart.output[-2000:]

"""ticket_triage against its spec, on raw exports the tests generate."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from conftest import dbt, write_desk
from oracle import mask, ticket_triage

# v1's contract, in its order: it never changes.
V1_COLUMNS = [
    "ticket_id",
    "subject",
    "first_message",
    "channel",
    "platform",
    "language",
    "category",
    "split",
    "created_at",
]

STAGING = ("players", "tickets", "ticket_messages", "ticket_resolutions", "purchases")


def dataset(build, version: int = 2) -> dict[str, dict]:
    frame = build.frame(f"select * from ticket_triage_v{version}")
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    for row in rows:
        if row.get("spend_usd_30d") is not None:
            row["spend_usd_30d"] = Decimal(str(row["spend_usd_30d"])).quantize(Decimal("0.01"))
        row["created_at"] = row["created_at"].to_pydatetime()
    return {r["ticket_id"]: r for r in rows}


def staging(build) -> dict[str, list[dict]]:
    tables = {}
    for name in STAGING:
        frame = build.frame(f"select * from stg_desk__{name}")
        tables[name] = frame.astype(object).where(frame.notna(), None).to_dict("records")
        for row in tables[name]:
            for key, value in row.items():
                if hasattr(value, "to_pydatetime"):
                    row[key] = value.to_pydatetime()
    tables["resolution_categories"] = build.frame(
        "select * from stg_desk__resolution_categories"
    ).to_dict("records")
    return tables


@pytest.fixture(scope="module")
def csv_build(tmp_path_factory):
    work = tmp_path_factory.mktemp("csv")
    raw = write_desk(work / "raw", n_tickets=2400, seed=23)
    build = dbt(["build", "--exclude", "tag:fixture"], work, vars={"raw_dir": str(raw)})
    assert build.returncode == 0, build.output[-3000:]
    return build


@pytest.fixture(
    scope="module",
    params=[
        "sample",
        pytest.param("other desk", marks=pytest.mark.slow("builds a second desk (seed 23)")),
    ],
)
def desk_build(request):
    """The bundled sample's build, and (slow tier) a second generated desk's."""
    return request.getfixturevalue("sample_build" if request.param == "sample" else "csv_build")


def test_v2_matches_an_independent_implementation(desk_build):
    csv_build = desk_build
    expected = ticket_triage(staging(csv_build))
    actual = dataset(csv_build)
    assert len(actual) > 500
    assert actual.keys() == expected.keys()
    for ticket_id, row in expected.items():
        assert actual[ticket_id] == row, ticket_id


def test_v1_is_v2_without_point_in_time_features(desk_build):
    v1, v2 = dataset(desk_build, 1), dataset(desk_build, 2)
    assert v1.keys() == v2.keys()
    columns = set(next(iter(v1.values())))
    assert columns == set(V1_COLUMNS)
    for key in v1:
        assert v1[key] == {c: v2[key][c] for c in columns}


@pytest.mark.slow("builds a desk in Parquet")
def test_parquet_export_gives_the_same_dataset(csv_build, tmp_path):
    raw = write_desk(tmp_path / "raw", n_tickets=2400, seed=23, fmt="parquet")
    # A stale CSV beside the Parquet must be ignored: Parquet wins.
    (raw / "tickets.csv").write_text("ticket_id\nstale\n")
    build = dbt(["build", "--exclude", "tag:fixture"], tmp_path, vars={"raw_dir": str(raw)})
    assert build.returncode == 0, build.output[-3000:]
    assert dataset(build) == dataset(csv_build)


def test_masking_oracle_agrees_with_spec_examples():
    for text in (
        "john.doe+fc@example.co.uk",
        "+44 7700 900123",
        "(555) 123-4567",
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "4111111111111111",
        "192.168.0.12",
    ):
        assert "<" in mask(text) and not any(ch.isdigit() for ch in mask(text))
    for text in ("2024-03-01", "12:30", "level 45", "$19.99", "order 123456"):
        assert mask(text) == text


def _later(ts: str, **delta) -> str:
    moment = datetime.fromisoformat(ts.replace("Z", "").replace("T", " ")[:19])
    return (moment + timedelta(**delta)).strftime("%Y-%m-%d %H:%M:%S")


@pytest.mark.slow("builds a desk with later events added")
def test_events_after_creation_change_nothing(csv_build, tmp_path):
    """Purchases, refunds, messages, other tickets and their resolutions
    added after a cutoff leave every ticket created before it unchanged."""
    before = dataset(csv_build)
    cutoff = sorted(r["created_at"] for r in before.values())[len(before) // 2]
    stamp = cutoff.strftime("%Y-%m-%d %H:%M:%S")
    rng = random.Random(5)

    def add_future(desk):
        rows = desk.rows
        players = [p["player_id"] for p in rows["players"] if p["player_id"]]
        for i, player in enumerate(players):
            rows["purchases"].append(
                {
                    "purchase_id": f"UF{i}",
                    "player_id": player,
                    "purchased_at": _later(stamp, seconds=1 + rng.randrange(10**6)),
                    "amount_usd": "9.99",
                    "refunded_at": None,
                }
            )
            new_ticket = f"TF{i}"
            created = _later(stamp, seconds=1 + rng.randrange(10**6))
            rows["tickets"].append(
                {
                    "ticket_id": new_ticket,
                    "player_id": player,
                    "created_at": created,
                    "channel": "web",
                    "subject": "x",
                    "priority": "low",
                    "status": "solved",
                }
            )
            rows["ticket_resolutions"].append(
                {
                    "resolution_id": f"RF{i}",
                    "ticket_id": new_ticket,
                    "agent_id": "A1",
                    "resolution_code": "BUG_ESCALATED",
                    "resolved_at": _later(created, hours=1),
                }
            )
        # A refund of a purchase made earlier: only on rows delivered once, as
        # editing one copy of a duplicate turns it into a key conflict.
        copies: dict = {}
        for purchase in rows["purchases"]:
            copies[purchase["purchase_id"]] = copies.get(purchase["purchase_id"], 0) + 1
        for purchase in rows["purchases"]:
            once = copies[purchase["purchase_id"]] == 1
            if once and purchase["refunded_at"] is None and rng.random() < 0.5:
                purchase["refunded_at"] = _later(stamp, seconds=1)
        for i, ticket in enumerate(list(rows["tickets"])):
            if ticket["ticket_id"] and not ticket["ticket_id"].startswith("TF"):
                rows["ticket_messages"].append(
                    {
                        "message_id": f"MF{i}",
                        "ticket_id": ticket["ticket_id"],
                        "author_role": "player",
                        "body": f"one more thing about {ticket['ticket_id']}",
                        "created_at": "2030-01-01 00:00:00",
                    }
                )

    raw = write_desk(tmp_path / "raw", n_tickets=2400, seed=23, mutate=add_future)
    build = dbt(["build", "--exclude", "tag:fixture"], tmp_path, vars={"raw_dir": str(raw)})
    assert build.returncode == 0, build.output[-3000:]
    after = dataset(build)
    checked = [k for k, r in before.items() if r["created_at"] <= cutoff]
    assert len(checked) > 200
    for key in checked:
        assert after[key] == before[key], key


@pytest.mark.slow("builds a desk with players and tickets added")
def test_adding_players_and_tickets_moves_no_split(csv_build, tmp_path):
    def add_players(desk):
        from trainset.sample import generator

        extra = generator.generate(n_tickets=300, seed=99)
        for table, rows in extra.rows.items():
            for row in rows:
                row = dict(row)
                for key in (
                    "player_id",
                    "ticket_id",
                    "message_id",
                    "resolution_id",
                    "purchase_id",
                ):
                    if row.get(key):
                        row[key] = "NEW_" + row[key]
                desk.rows[table].append(row)

    raw = write_desk(tmp_path / "raw", n_tickets=2400, seed=23, mutate=add_players)
    build = dbt(["build", "--exclude", "tag:fixture"], tmp_path, vars={"raw_dir": str(raw)})
    assert build.returncode == 0, build.output[-3000:]
    before, after = dataset(csv_build), dataset(build)
    assert len(after) > len(before)
    assert all(after[k]["split"] == before[k]["split"] for k in before)
    # A player's tickets all share one split.
    players = build.query(
        "select count(distinct split) from ticket_triage_v2 "
        "join stg_desk__tickets using (ticket_id) group by player_id"
    )
    assert {n for (n,) in players} == {1}


def test_every_raw_row_is_accounted_for(desk_build):
    csv_build = desk_build
    for table in STAGING:
        raw = csv_build.query(f"select count(*) from base_desk__{table}")[0][0]
        accepted = csv_build.query(f"select count(*) from stg_desk__{table}")[0][0]
        rejected = csv_build.query(f"select count(*) from stg_desk__{table}_rejected")[0][0]
        collapsed = csv_build.query(
            f"select count(*) from base_desk__{table} "
            "where quarantine_status = 'collapsed_duplicate'"
        )[0][0]
        assert raw == accepted + rejected + collapsed > 0, table
    reasons = dict(
        csv_build.query("select raw_ticket_id, reject_reason from stg_desk__tickets_rejected")
    )
    assert reasons == {
        "T_BAD_TIME": "unparseable_timestamp",
        "T_DANGLING": "dangling_reference",
        "T_BAD_CHANNEL": "invalid_enum",
    }
    statuses = csv_build.status_of("test.trainset.raw_rows_conserved")
    assert len(statuses) == 5 and set(statuses.values()) == {"pass"}

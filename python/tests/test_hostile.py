"""Hostile raw files: each ends in a complete build with every raw row
accounted for, or in a build that stops with one clear line. Never a
traceback, never a silently shorter dataset."""

from __future__ import annotations

import shutil

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from conftest import compiled_expression, dbt, write_desk

R = pytest.mark.reliability


@pytest.fixture(scope="module")
def clean_raw(tmp_path_factory):
    return write_desk(tmp_path_factory.mktemp("clean") / "raw", n_tickets=2400, seed=5)


@pytest.fixture(scope="module")
def clean_build(clean_raw, tmp_path_factory):
    build = dbt(["build"], tmp_path_factory.mktemp("clean-build"), vars={"raw_dir": str(clean_raw)})
    assert build.returncode == 0, build.output[-2000:]
    return build


def damaged(clean_raw, tmp_path, table: str, edit) -> dict:
    raw = tmp_path / "raw"
    shutil.copytree(clean_raw, raw)
    path = raw / f"{table}.csv"
    path.write_bytes(edit(path.read_bytes()))
    return {"raw_dir": str(raw)}


def lines_of(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def conserved(build) -> None:
    statuses = build.status_of("test.trainset.raw_rows_conserved")
    assert len(statuses) == 5 and set(statuses.values()) == {"pass"}, statuses


def rejected(build, table: str) -> dict[str, str]:
    rows = build.query(
        f"select reject_reason, coalesce(reject_detail, '') from stg_desk__{table}_rejected"
    )
    return {reason: detail for reason, detail in rows}


def one_clear_line(build, *needles: str) -> None:
    assert build.returncode != 0
    assert "Traceback" not in build.output
    hits = [line for line in build.output.splitlines() if all(n in line for n in needles)]
    assert hits, build.output[-3000:]


@pytest.mark.slow("builds a damaged copy of a desk")
@R("1. UTF-8 byte-order mark", "read past; the same rows as without it")
def test_byte_order_mark_is_read_past(clean_raw, clean_build, tmp_path):
    build = dbt(
        ["build"],
        tmp_path,
        vars=damaged(clean_raw, tmp_path, "tickets", lambda b: b"\xef\xbb\xbf" + b),
    )
    assert build.returncode == 0, build.output[-2000:]
    conserved(build)
    count = "select count(*) from stg_desk__tickets"
    assert build.query(count) == clean_build.query(count)


@pytest.mark.slow("builds a damaged copy of a desk")
@R("2. CRLF line endings", "read like LF; the same dataset")
def test_crlf_line_endings_read_like_lf(clean_raw, clean_build, tmp_path):
    build = dbt(
        ["build"],
        tmp_path,
        vars=damaged(clean_raw, tmp_path, "tickets", lambda b: b.replace(b"\n", b"\r\n")),
    )
    assert build.returncode == 0, build.output[-2000:]
    conserved(build)
    sql = "select * from ticket_triage_v2 order by ticket_id"
    assert build.query(sql) == clean_build.query(sql)


@pytest.mark.slow("builds a damaged copy of a desk")
@R(
    "2. a mix of CRLF and LF",
    "stops in one line naming the file and a line of each kind; CRLF records with LF "
    "inside quoted fields (as Excel writes them) are read",
)
def test_mixed_line_endings_stop_the_build_naming_the_file(clean_raw, tmp_path):
    def mix(data):
        lines = lines_of(data)
        return b"\n".join(line + (b"\r" if i % 2 else b"") for i, line in enumerate(lines[:-1]))

    build = dbt(["build"], tmp_path, vars=damaged(clean_raw, tmp_path, "tickets", mix))
    one_clear_line(build, "tickets.csv", "records end in both CRLF and LF", "line 2 in CRLF")


@pytest.mark.slow("builds a damaged copy of a desk")
def test_excel_line_endings_with_lf_inside_quotes_are_read(clean_raw, tmp_path):
    def excel(data):
        body = b'M_EXCEL,T0000001,player,"two\nlines, ""quoted""",2024-01-01 00:00:00\n'
        return (data + body).replace(b"\n", b"\r\n").replace(b"two\r\nlines", b"two\nlines")

    build = dbt(["build"], tmp_path, vars=damaged(clean_raw, tmp_path, "ticket_messages", excel))
    assert build.returncode == 0, build.output[-2000:]
    conserved(build)
    body = "select body from stg_desk__ticket_messages where message_id = 'M_EXCEL'"
    assert build.query(body) == [('two\nlines, "quoted"',)]


@pytest.mark.slow("builds a damaged copy of a desk")
@R(
    "3. bytes that are not UTF-8",
    "that record rejected as unreadable_row (INVALID ENCODING, line number)",
)
def test_invalid_utf8_rejects_that_row(clean_raw, tmp_path):
    def latin1(data):
        return data + b"M_LATIN1,T0000001,player,caf\xe9 au lait,2023-01-01 00:00:00\n"

    build = dbt(["build"], tmp_path, vars=damaged(clean_raw, tmp_path, "ticket_messages", latin1))
    assert build.returncode == 0, build.output[-2000:]
    conserved(build)
    reasons = rejected(build, "ticket_messages")
    assert "INVALID ENCODING" in reasons["unreadable_row"]


@pytest.mark.slow("builds a damaged copy of a desk")
@R("4. unterminated quote on the last line", "that record rejected as unreadable_row")
def test_unterminated_quote_on_the_last_line_is_rejected(clean_raw, tmp_path):
    def unterminated(data):
        return data.rstrip(b"\n") + b'\nM_BAD,T0000001,player,"never closed,2024-01-01 00:00:00\n'

    build = dbt(
        ["build"], tmp_path, vars=damaged(clean_raw, tmp_path, "ticket_messages", unterminated)
    )
    assert build.returncode == 0, build.output[-2000:]
    conserved(build)
    assert "unreadable_row" in rejected(build, "ticket_messages")


@pytest.mark.slow("builds a damaged copy of a desk")
@R(
    "5. a field too many or too few",
    "those records rejected as unreadable_row (TOO MANY / MISSING COLUMNS)",
)
def test_a_field_too_many_or_too_few_is_rejected(clean_raw, tmp_path):
    def ragged(data):
        lines = lines_of(data)
        lines[3] = lines[3] + b",surplus"
        lines[4] = lines[4].rsplit(b",", 1)[0]
        return b"\n".join(lines)

    build = dbt(["build"], tmp_path, vars=damaged(clean_raw, tmp_path, "tickets", ragged))
    conserved(build)
    details = build.query(
        "select reject_detail from stg_desk__tickets_rejected "
        "where reject_reason = 'unreadable_row'"
    )
    text = " ".join(d for (d,) in details)
    assert "TOO MANY COLUMNS" in text and "MISSING COLUMNS" in text
    # Two rows out of about 2,400 stay within the quarantine's error threshold.
    assert build.returncode == 0, build.output[-2000:]


@pytest.mark.slow("builds a desk with its columns reordered")
@R(
    "6. header in another order, extra columns",
    "read by name; extra columns logged once and ignored",
)
def test_columns_are_read_by_name_and_extras_reported_once(clean_raw, clean_build, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(clean_raw, raw)
    table = pacsv.read_csv(
        raw / "tickets.csv",
        convert_options=pacsv.ConvertOptions(strings_can_be_null=True, column_types={}),
    )
    reordered = table.select(list(reversed(table.column_names)))
    reordered = reordered.append_column("crm_notes", pa.array(["x"] * len(table)))
    (raw / "tickets.csv").unlink()
    pacsv.write_csv(
        reordered.cast(pa.schema([(f.name, pa.string()) for f in reordered.schema])),
        raw / "tickets.csv",
    )
    build = dbt(["build"], tmp_path, vars={"raw_dir": str(raw)})
    assert build.returncode == 0, build.output[-2000:]
    sql = "select * from ticket_triage_v2 order by ticket_id"
    assert build.query(sql) == clean_build.query(sql)
    notes = [line for line in build.output.splitlines() if "ignoring extra column" in line]
    assert len(notes) == 1 and "crm_notes" in notes[0]


@pytest.mark.slow("builds a damaged copy of a desk")
@R("7. a required column missing", "stops: raw table and column named in one line")
def test_missing_required_column_stops_naming_table_and_column(clean_raw, tmp_path):
    def drop_channel(data):
        rows = [line.split(b",") for line in lines_of(data)]
        index = rows[0].index(b"channel")
        return b"\n".join(b",".join(r[:index] + r[index + 1 :]) for r in rows)

    build = dbt(["build"], tmp_path, vars=damaged(clean_raw, tmp_path, "tickets", drop_channel))
    one_clear_line(build, "raw table 'tickets'", "channel", "missing from the header")


@pytest.mark.slow("builds a desk with an empty table, once per form of empty")
@R("8. empty file, header-only file", "a valid empty table")
@pytest.mark.parametrize(
    "content",
    [b"", b"purchase_id,player_id,purchased_at,amount_usd,refunded_at\n"],
    ids=["empty", "header-only"],
)
def test_empty_file_is_an_empty_table(clean_raw, tmp_path, content):
    build = dbt(
        ["build"], tmp_path, vars=damaged(clean_raw, tmp_path, "purchases", lambda _: content)
    )
    assert build.returncode == 0, build.output[-2000:]
    conserved(build)
    assert build.query("select count(*) from stg_desk__purchases") == [(0,)]
    # The file is there, with no purchase in it: none happened, 0. Only a
    # desk without the file knows nothing of purchases (test_your_data).
    rows = build.query("select count(*) from ticket_triage_v2")[0][0]
    assert rows > 0
    assert build.query(
        "select count(*) from ticket_triage_v2 where purchases_before = 0 and spend_usd_30d = 0"
    ) == [(rows,)]


@pytest.mark.slow("builds a damaged copy of a desk")
@R("9. NUL bytes in a field", "that record rejected as nul_byte")
def test_nul_byte_rejects_that_row(clean_raw, tmp_path):
    def nul(data):
        return data + b"M_NUL,T0000001,player,a\x00b,2023-01-01 00:00:00\n"

    build = dbt(["build"], tmp_path, vars=damaged(clean_raw, tmp_path, "ticket_messages", nul))
    assert build.returncode == 0, build.output[-2000:]
    conserved(build)
    assert "nul_byte" in rejected(build, "ticket_messages")


@pytest.mark.slow("builds a desk with a five-megabyte message")
@R("10. a 5 MB message body", "read (64 MB line limit); text_length_between warns")
def test_five_megabyte_body_builds_and_warns(clean_raw, tmp_path):
    def huge(data):
        lines = lines_of(data)
        header = lines[0].split(b",")
        body = b"x" * 5_000_000
        row = b"M_HUGE,T0000003,player," + body + b",2023-01-01 00:00:00"
        assert len(header) == 5
        return b"\n".join([lines[0], row, *lines[1:]])

    build = dbt(["build"], tmp_path, vars=damaged(clean_raw, tmp_path, "ticket_messages", huge))
    assert build.returncode == 0, build.output[-2000:]
    conserved(build)
    statuses = build.status_of("test.trainset.text_length_between_ticket_triage_v2")
    if build.query("select count(*) from ticket_triage_v2 where length(first_message) > 4e6")[0][0]:
        assert set(statuses.values()) == {"warn"}


@pytest.mark.slow("builds a damaged copy of a desk")
@R("11. timestamps with +02:00", "converted to UTC")
def test_offsets_are_converted_to_utc(clean_raw, tmp_path):
    def offset(data):
        lines = lines_of(data)
        fields = lines[1].split(b",")
        fields[2] = b"2024-03-01T14:00:00+02:00"
        lines[1] = b",".join(fields)
        return b"\n".join(lines)

    build = dbt(["build"], tmp_path, vars=damaged(clean_raw, tmp_path, "tickets", offset))
    assert build.returncode == 0, build.output[-2000:]
    ticket = lines_of((tmp_path / "raw" / "tickets.csv").read_bytes())[1].split(b",")[0].decode()
    created = build.query(
        f"select cast(created_at as varchar) from stg_desk__tickets where ticket_id = '{ticket}'"
    )
    assert created == [("2024-03-01 12:00:00",)]


@pytest.mark.slow("builds a desk in Parquet with other types")
@R(
    "12. Parquet with other column types",
    "cast: text amounts, timestamps with time zone read in UTC",
)
def test_parquet_with_other_types_is_cast(clean_raw, clean_build, tmp_path):
    """amount_usd stored as text, created_at as a timestamp with time zone."""
    import duckdb

    raw = tmp_path / "raw"
    shutil.copytree(clean_raw, raw)
    with duckdb.connect() as con:
        con.sql("set TimeZone = 'UTC'")
        con.sql(
            f"copy (select * from read_csv('{raw}/purchases.csv', all_varchar = true)) "
            f"to '{raw}/purchases.parquet' (format parquet)"
        )
        con.sql(
            f"copy (select * replace (cast(regexp_replace(created_at, '(T|Z|[+]00:00)', ' ', 'g')"
            f" as timestamp)::timestamptz as created_at) "
            f"from read_csv('{raw}/tickets.csv', all_varchar = true) "
            f"where ticket_id not like 'T_BAD%') to '{raw}/tickets.parquet' (format parquet)"
        )
        types = dict(
            con.sql(f"select name, type from parquet_schema('{raw}/tickets.parquet')").fetchall()
        )
    assert "TIMESTAMP" in str(types) or types
    build = dbt(["build"], tmp_path, vars={"raw_dir": str(raw)})
    assert build.returncode == 0, build.output[-2000:]
    conserved(build)
    sql = "select ticket_id, created_at, spend_usd_30d from ticket_triage_v2 order by 1"
    assert build.query(sql) == clean_build.query(sql)


@pytest.mark.slow("builds one base model twice from Parquet")
@pytest.mark.parametrize("first", ["plain", "iso"])
def test_parquet_keeps_the_first_copy_in_file_order(clean_raw, tmp_path, first):
    """Two copies of one message whose times differ only in form: the copy
    read first is accepted, the other collapsed (quarantine numbers Parquet
    rows by the file's own row number, not a window)."""
    raw = tmp_path / "raw"
    shutil.copytree(clean_raw, raw)
    with duckdb.connect() as con:
        con.sql(f"create table m as from read_csv('{raw}/ticket_messages.csv', all_varchar = true)")
        key = con.execute("select min(message_id) from m").fetchall()[0][0]
        plain = f"from m where message_id = '{key}'"
        iso = f"select * replace (replace(created_at, ' ', 'T') || 'Z' as created_at) {plain}"
        a, b = (plain, iso) if first == "plain" else (iso, plain)
        con.sql(
            f"copy ({a} union all (from m where message_id <> '{key}') union all {b}) "
            f"to '{raw}/ticket_messages.parquet' (format parquet)"
        )
        plain_time, iso_time = (con.execute(q).fetchall()[0][4] for q in (plain, iso))
    build = dbt(["run", "--select", "base_desk__ticket_messages"], tmp_path, {"raw_dir": str(raw)})
    assert build.returncode == 0, build.output[-2000:]
    copies = dict(
        build.query(
            "select quarantine_status, coalesce(raw_created_at, cast(created_at as varchar)) "
            f"from base_desk__ticket_messages where message_id = '{key}'"
        )
    )
    kept, collapsed = (plain_time, iso_time) if first == "plain" else (iso_time, plain_time)
    assert copies == {"accepted": kept, "collapsed_duplicate": collapsed}


# The staging macros' fast paths (docs/benchmarks.md) must refuse and keep
# exactly what the full paths do.


@pytest.fixture(scope="module")
def timestamp_sql():
    return compiled_expression("{{ parse_utc_timestamp('t') }}")


@pytest.fixture(scope="module")
def trim_sql():
    return compiled_expression("{{ trim_whitespace('t') }}")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01 12:34:56", "2024-03-01 12:34:56"),
        (" 2024-03-01 12:34:56\n", "2024-03-01 12:34:56"),
        ("2024-02-30 12:00:00", None),
        ("2024-01-01 24:61:00", None),
        ("2024-1-01 00:00:00", None),
        ("2024-01-01T12:00:00+02:00", "2024-01-01 10:00:00"),
        ("31/12/2024 25:61", None),
    ],
)
def test_timestamp_fast_path_refuses_what_is_not_a_timestamp(timestamp_sql, text, expected):
    with duckdb.connect() as con:
        value = con.execute(timestamp_sql, [text]).fetchall()[0][0]
    assert (None if value is None else str(value)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("body", "body"), (" \t body\r\n", "body"), ("a  b", "a  b"), ("\n", ""), ("", "")],
)
def test_trim_fast_path_trims_every_whitespace_end(trim_sql, text, expected):
    with duckdb.connect() as con:
        assert con.execute(trim_sql, [text]).fetchall()[0][0] == expected


@pytest.mark.slow("compiles the project against an empty raw folder")
def test_a_missing_raw_table_stops_the_build_naming_both_paths(tmp_path):
    run = dbt(
        ["compile", "--select", "base_desk__tickets"],
        tmp_path / "run",
        vars={"raw_dir": str(tmp_path / "empty")},
    )
    assert run.returncode != 0
    assert f"looked for {tmp_path / 'empty'}/tickets.parquet and" in run.output

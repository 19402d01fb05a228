"""A team's own desk: what depends on its data is a var, not an edit."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from conftest import BIN, PROJECT, dbt
from oracle import ticket_triage
from test_ticket_triage import V1_COLUMNS, dataset, staging

from trainset.sample.generator import CATEGORY_CODES

THRESHOLDS = {
    "max_cross_split_duplicate_fraction": 0.031,
    "max_conflicting_label_fraction": 0.032,
    "text_min_length": 3,
    "text_max_length": 3033,
    "max_label_shift": 0.034,
    "max_row_count_change": 0.035,
    "max_feature_label_accuracy": 0.936,
}


@pytest.mark.slow("compiles the project with every threshold var set")
def test_every_threshold_var_reaches_ticket_triage_tests(sample_build, tmp_path):
    run = dbt(
        ["compile", "--select", "ticket_triage,test_type:data"],
        tmp_path,
        vars={**THRESHOLDS, "ticket_triage_reference": "main.ticket_triage_v1"},
        db=sample_build.db,
    )
    assert run.returncode == 0, run.output[-2000:]
    manifest = json.loads((run.target / "manifest.json").read_text())
    tests = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and "ticket_triage_v2" in node["name"]
    ]
    text = "\n".join(n["compiled_code"] + str(n["config"]["error_if"]) for n in tests)
    for name, value in THRESHOLDS.items():
        assert str(value) in text, name


def test_a_value_outside_its_enumeration_names_the_var_to_extend(sample_build):
    # The generator plants one ticket and one player with such a value.
    rows = sample_build.query(
        "select reject_reason, reject_detail from stg_desk__tickets_rejected"
        " where raw_ticket_id = 'T_BAD_CHANNEL'"
        " union all select reject_reason, reject_detail from stg_desk__players_rejected"
        " where raw_player_id = 'P_BAD_PLATFORM'"
    )
    assert sorted(rows) == [
        ("invalid_enum", "channel 'carrier_pigeon' is not in var accepted_channels"),
        ("invalid_enum", "platform 'windows_phone' is not in var accepted_platforms"),
    ]


def _taxonomy(tmp_path, text: str):
    path = tmp_path / "taxonomy.csv"
    path.write_text(text)
    return path


@pytest.mark.slow("builds the sample with a taxonomy file")
def test_a_taxonomy_file_is_used_with_its_provenance(tmp_path):
    path = _taxonomy(
        tmp_path,
        "resolution_code,category,is_trainable\n"
        " refund_granted ,billing,true\nspam_closed,spam,false\n",
    )
    run = dbt(
        [
            "build",
            "--indirect-selection",
            "cautious",
            "--select",
            "+stg_desk__taxonomy_provenance",
            "stg_desk__resolution_categories",
        ],
        tmp_path,
        vars={"taxonomy_path": str(path)},
    )
    assert run.returncode == 0, run.output[-2000:]
    assert sorted(run.query("select * from stg_desk__resolution_categories")) == [
        ("REFUND_GRANTED", "billing", True),
        ("SPAM_CLOSED", "spam", False),
    ]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert run.query("select * from stg_desk__taxonomy_provenance") == [
        ("file", str(path), digest, 2, 1)
    ]


@pytest.mark.parametrize(
    "rows, problem",
    [
        (
            "REFUND_GRANTED,billing,true\n refund_granted,billing,true\n",
            "code REFUND_GRANTED appears 2 times",
        ),
        ("SPAM_CLOSED,spam,false\n", "no category is trainable"),
        (
            "BUG_ESCALATED,bug,true\nSPAM_CLOSED,spam,maybe\n",
            "code SPAM_CLOSED: is_trainable 'maybe' is not true or false",
        ),
        (None, "file not found (var taxonomy_path)"),
    ],
)
@pytest.mark.slow("starts a build once per bad taxonomy")
def test_a_taxonomy_that_cannot_be_used_stops_the_build_in_one_line(tmp_path, rows, problem):
    path = (
        tmp_path / "missing.csv"
        if rows is None
        else _taxonomy(tmp_path, "resolution_code,category,is_trainable\n" + rows)
    )
    run = dbt(
        ["run", "--select", "base_desk__resolution_categories"],
        tmp_path,
        vars={"taxonomy_path": str(path)},
    )
    assert run.returncode != 0
    assert [line for line in run.output.splitlines() if f"taxonomy {path}: {problem}" in line]


@pytest.mark.slow("builds a desk with unmapped codes")
def test_unmapped_codes_past_the_limit_are_named_with_their_counts(tmp_path):
    # Only the billing codes: every other code of the sample is unmapped.
    path = _taxonomy(
        tmp_path,
        "resolution_code,category,is_trainable\n"
        + "".join(f"{code},billing,true\n" for code in CATEGORY_CODES["billing"]),
    )
    run = dbt(
        ["build", "--select", "+int_tickets_final_resolution"],
        tmp_path,
        vars={"taxonomy_path": str(path)},
    )
    assert run.returncode != 0
    line = next(line for line in run.output.splitlines() if "most frequent: " in line)
    named = re.findall(r"(\w+) \((\d+)\)", line.split("most frequent: ")[1])
    assert len(named) == 5
    counts = dict(
        run.query(
            "select resolution_code, count(*) from int_tickets_final_resolution"
            " where not is_in_taxonomy group by 1 order by 2 desc, 1 limit 5"
        )
    )
    assert {code: int(n) for code, n in named} == counts


def _own_desk(folder: Path) -> Path:
    """A desk in the contract's shape that is not the game's: lower-case
    resolution codes, no purchases file, a product column, registration
    times missing, and channel, platform, priority and status values outside
    today's lists."""
    from trainset.sample import generator

    desk = generator.generate(n_tickets=1500, seed=41)
    rows = desk.rows
    for row in rows["ticket_resolutions"]:
        row["resolution_code"] = row["resolution_code"].lower()
    for i, row in enumerate(rows["players"]):
        if i % 7 == 0:
            row["platform"] = "macos" if row["platform"] == "web" else row["platform"]
        if i % 11 == 0:
            row["registered_at"] = ""
    for i, row in enumerate(rows["tickets"]):
        if row["channel"] == "in_game" and i % 3 == 0:
            row["channel"] = "Chat"
        if row["priority"] == "normal" and i % 4 == 0:
            row["priority"] = "p2"
        if row["status"] == "closed" and i % 2 == 0:
            row["status"] = "resolved"
    generator.write(desk, folder)
    (folder / "purchases.csv").unlink()
    tickets = folder / "tickets.csv"
    with tickets.open(newline="") as handle:
        records = list(csv.DictReader(handle))
    with tickets.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(records[0]), lineterminator="\n")
        writer.writeheader()
        for i, record in enumerate(records):
            writer.writerow({**record, "product": ["  app ", "web", "api", ""][i % 4]})
    return folder


def _lower_case_taxonomy(path: Path) -> Path:
    from trainset.sample.generator import CATEGORY_CODES, TRAINABLE

    lines = ["resolution_code,category,is_trainable"]
    for category, codes in CATEGORY_CODES.items():
        lines += [f" {code.lower()} ,{category},{category in TRAINABLE}" for code in codes]
    path.write_text("\n".join(lines) + "\n")
    return path


OWN_VARS = {
    "accepted_channels": ["in_game", "email", "web", "store_review", "chat"],
    "accepted_platforms": ["ios", "android", "web", "macos"],
    "accepted_priorities": ["low", "normal", "high", "urgent", "p2"],
    "accepted_statuses": ["new", "open", "pending", "solved", "closed", "resolved"],
    "eligible_statuses": ["solved", "closed", "resolved"],
}


@pytest.fixture(scope="module")
def own_build(tmp_path_factory):
    work = tmp_path_factory.mktemp("own")
    raw = _own_desk(work / "raw")
    taxonomy = _lower_case_taxonomy(work / "taxonomy.csv")
    build = dbt(
        ["build"],
        work,
        vars={"raw_dir": str(raw), "taxonomy_path": str(taxonomy), **OWN_VARS},
    )
    return build, work


@pytest.mark.slow("builds a desk of another shape")
def test_an_own_desk_builds_green_with_the_right_vars(own_build):
    build, _ = own_build
    assert build.returncode == 0, build.output[-3000:]
    statuses = {r["status"] for r in build.results.values()}
    assert statuses <= {"success", "pass", "warn", "no-op"}
    assert "raw table purchases not found" in build.output
    assert build.query("select table_name from base_desk__raw_tables where not is_present") == [
        ("purchases",)
    ]
    assert not [uid for uid in build.results if "fixture" in uid]


@pytest.mark.slow("builds a desk of another shape")
def test_an_own_desk_gives_the_dataset_its_spec_says(own_build):
    build, _ = own_build
    expected = ticket_triage(staging(build), eligible=tuple(OWN_VARS["eligible_statuses"]))
    actual = dataset(build)
    assert len(actual) > 300
    assert actual.keys() == expected.keys()
    for ticket_id, row in expected.items():
        assert actual[ticket_id] == row, ticket_id
    rows = list(actual.values())
    # No purchases file: the purchase features are null, not zero.
    assert {r["purchases_before"] for r in rows} == {None}
    assert {r["spend_usd_30d"] for r in rows} == {None}
    assert {r["refunds_90d"] for r in rows} == {None}
    assert None in {r["account_age_days"] for r in rows}
    assert {r["product"] for r in rows} == {"app", "web", "api", None}
    assert "chat" in {r["channel"] for r in rows}
    assert build.query("select taxonomy_source from stg_desk__taxonomy_provenance") == [("file",)]


@pytest.mark.slow("builds a desk of another shape")
def test_v1_keeps_its_contract_on_an_own_desk(own_build):
    build, _ = own_build
    v1, v2 = dataset(build, 1), dataset(build, 2)
    assert v1.keys() == v2.keys()
    assert list(next(iter(v1.values()))) == V1_COLUMNS
    for key in v1:
        assert v1[key] == {c: v2[key][c] for c in V1_COLUMNS}


@pytest.mark.slow("builds a desk of another shape")
def test_an_own_desk_exports_and_goes_through_baseline_and_profile(own_build):
    build, work = own_build
    env = {**os.environ, "TRAINSET_DB": str(build.db), "DBT_TARGET_PATH": str(build.target)}
    before = _tracked_changes()
    out = work / "exports"
    for args in (
        ["export", "ticket_triage", "--out", str(out)],
        ["baseline", str(out / "ticket_triage" / "v2")],
        ["profile", str(out / "ticket_triage" / "v2")],
    ):
        done = subprocess.run(
            [BIN / "trainset", "--project-dir", str(PROJECT), *args],
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, args[0] + ": " + (done.stdout + done.stderr)[-2000:]
    assert _tracked_changes() == before
    # The manifest and card say which taxonomy was used, which raw table
    # was absent, and which features that left without any value.
    version = out / "ticket_triage" / "v2"
    manifest = json.loads((version / "manifest.json").read_text())
    (taxonomy,) = manifest["provenance"]["taxonomy"]
    file = work / "taxonomy.csv"
    assert taxonomy["taxonomy_source"] == "file"
    assert taxonomy["taxonomy_sha256"] == hashlib.sha256(file.read_bytes()).hexdigest()
    assert taxonomy["taxonomy_rows"] == len(file.read_text().splitlines()) - 1
    absent = [t["table_name"] for t in manifest["provenance"]["raw_tables"] if not t["is_present"]]
    assert absent == ["purchases"]
    assert set(manifest["all_null_features"]) == {
        "purchases_before",
        "spend_usd_30d",
        "refunds_90d",
    }
    card = (version / "README.md").read_text()
    assert "Taxonomy: file" in card and taxonomy["taxonomy_sha256"] in card
    assert "Raw tables absent from the export: `purchases`" in card
    assert "`spend_usd_30d`" in card.split("no value in any row")[1]
    # profile and baseline leave those features out, and say so.
    baseline = json.loads((version / "baseline.json").read_text())
    assert set(baseline["left_out_features"]) == set(manifest["all_null_features"])
    assert not set(baseline["feature_kinds"]) & set(manifest["all_null_features"])
    page = (version / "profile.html").read_text()
    assert "Left out, no value in any row: purchases_before" in page


def _tracked_changes() -> str:
    return subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
    ).stdout


def _reconcile(build, *args: str) -> tuple[int, str, str]:
    env = {**os.environ, "TRAINSET_DB": str(build.db), "DBT_TARGET_PATH": str(build.target)}
    done = subprocess.run(
        [BIN / "trainset", "--project-dir", str(PROJECT), "reconcile", "ticket_triage", *args],
        env=env,
        capture_output=True,
        text=True,
    )
    return done.returncode, done.stdout, done.stderr


def _assert_adds_up(figures: dict, raw_dir: Path) -> None:
    for table, t in figures["raw_tables"].items():
        path = raw_dir / f"{table}.csv"
        if not path.exists():
            assert t["read"] == 0, table
            continue
        with path.open(newline="") as handle:
            records = sum(1 for _ in csv.DictReader(handle))
        # Read from the file itself: nothing vanished before quarantine.
        assert t["read"] == records, table
        assert t["read"] == t["accepted"] + t["collapsed_duplicate"] + sum(t["rejected"].values())
    tickets = figures["tickets"]
    assert tickets["accepted"] == tickets["eligible"] + sum(tickets["left"].values())
    assert tickets["dataset_rows"] == {"v1": tickets["eligible"], "v2": tickets["eligible"]}
    assert set(tickets["unaccounted"].values()) == {0}


def test_reconcile_adds_up_on_the_bundled_sample(sample_build):
    code, out, err = _reconcile(sample_build, "--format", "json")
    assert code == 0, err
    _assert_adds_up(json.loads(out), PROJECT / "seeds" / "desk_sample")
    code, _, err = _reconcile(sample_build, "--examples", "2")
    assert code == 0, err
    assert "not eligible status" in err and "rows of ticket_triage v2" in err


# Duplicates among a group's smallest ids, nulls, an empty id, a null
# group and a group with no id: the reconciliation's examples on DuckDB (an
# aggregate that keeps the n smallest) and elsewhere (a window) agree.
EXAMPLES_SQL = """
with

planted as (
    select * from (values
        ('a', 'b'), ('a', 'a'), ('a', 'a'), ('a', null), ('a', 'c'),
        ('b', null), ('b', null),
        (null, ''), (null, 'z'),
        ('c', 'e'), ('c', 'd'), ('c', 'c'), ('c', 'b'), ('c', 'a')
    ) as t (g, e)
),

aggregated as (
    {{ trainset.duckdb__counts_with_examples('planted', ['g'], 'e', 3) }}
),

windowed as (
    {{ trainset.default__counts_with_examples('planted', ['g'], 'e', 3) }}
)

select 'aggregated' as way, * from aggregated
union all
select 'windowed' as way, * from windowed
"""


@pytest.mark.slow("runs dbt show")
def test_both_ways_of_choosing_examples_give_the_same_rows(tmp_path):
    show = ["show", "--inline", EXAMPLES_SQL, "--limit", "-1", "--output", "json"]
    done = dbt([*show, "--log-format", "json", "-q"], tmp_path)
    assert done.returncode == 0, done.output[-2000:]
    (preview,) = [
        json.loads(line)["data"]["preview"]
        for line in done.stdout.splitlines()
        if '"preview"' in line
    ]
    rows = {(r.pop("way"), r["g"]): r for r in json.loads(preview)}
    expected = {
        # The 3 smallest rows are a, a, b: two distinct ids.
        "a": {"g": "a", "row_count": 5, "example_ids": "a, b"},
        "b": {"g": "b", "row_count": 2, "example_ids": None},
        None: {"g": None, "row_count": 2, "example_ids": ", z"},
        "c": {"g": "c", "row_count": 5, "example_ids": "a, b, c"},
    }
    for way in ("aggregated", "windowed"):
        assert {g: rows[(way, g)] for g in expected} == expected, way
    assert len(rows) == 8


@pytest.mark.slow("builds a desk of another shape")
def test_reconcile_adds_up_on_a_damaged_desk_and_names_examples(own_build):
    build, work = own_build
    code, out, err = _reconcile(build, "--format", "json", "--examples", "3")
    assert code == 0, err
    figures = json.loads(out)
    _assert_adds_up(figures, work / "raw")
    rejected = figures["raw_tables"]["tickets"]["rejected"]
    assert rejected["dangling_reference"] >= 1 and rejected["unparseable_timestamp"] >= 1
    assert "T_DANGLING" in figures["raw_tables"]["tickets"]["examples"]["dangling_reference"]
    left = figures["tickets"]["left"]
    assert left["not_eligible_status"] > 0 and left["resolution_not_trainable"] > 0
    assert left["code_not_in_taxonomy"] > 0
    assert all(len(ids) <= 3 for ids in figures["tickets"]["examples"].values())
    # An independent count of one reason: accepted tickets in no eligible status.
    statuses = build.query(
        "select count(*) from stg_desk__tickets"
        " where status not in ('solved', 'closed', 'resolved')"
    )
    assert left["not_eligible_status"] == statuses[0][0]
    assert "purchases" not in figures["raw_tables"]  # no file, no rows

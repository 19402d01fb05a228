"""A team's own desk: what depends on its data is a var, not an edit."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from conftest import dbt

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
        ("SPAM_CLOSED,spam,maybe\n", "code SPAM_CLOSED: is_trainable 'maybe' is not true or false"),
    ],
)
def test_a_taxonomy_that_cannot_be_used_stops_the_build_in_one_line(tmp_path, rows, problem):
    path = _taxonomy(tmp_path, "resolution_code,category,is_trainable\n" + rows)
    run = dbt(
        ["run", "--select", "base_desk__resolution_categories"],
        tmp_path,
        vars={"taxonomy_path": str(path)},
    )
    assert run.returncode != 0
    assert [line for line in run.output.splitlines() if f"taxonomy {path}: {problem}" in line]


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

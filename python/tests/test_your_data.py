"""A team's own desk: what depends on its data is a var, not an edit."""

from __future__ import annotations

import json

from conftest import dbt

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

"""trainset check-pit: the time-travel check of every feature."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from conftest import BIN, PROJECT, write_desk

from trainset.checkpit import check_pit
from trainset.errors import TrainsetError

LEAKY = {"purchases_ever", "last_resolution_category_leaky"}


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory):
    """ticket_triage on the bundled sample at the default cutoffs."""
    return check_pit(PROJECT, "ticket_triage", keep=tmp_path_factory.mktemp("pit"))


@pytest.mark.slow("check-pit builds the sample four times: all raw data and three cutoffs")
def test_ticket_triage_sees_no_future_on_the_sample(sample_report):
    assert len(sample_report.cutoffs) == 3
    assert [c.cutoff for c in sample_report.cutoffs] == sorted(
        c.cutoff for c in sample_report.cutoffs
    )
    for check in sample_report.cutoffs:
        assert {f.name for f in check.features} >= {"first_message", "spend_usd_30d"}
        # Rows were compared, and tickets resolved after the cutoff left.
        assert min(f.compared for f in check.features) > 50
        assert check.only_in_full > 0
    assert sample_report.leaking_features == []
    # Current-state columns cannot be cut; the report says which, and
    # which features reach them.
    assert sample_report.unchecked["tickets"] == ["status", "priority"]
    # At the model level every feature of v2 is built from tickets.
    features = {f.name for f in sample_report.cutoffs[0].features}
    assert set(sample_report.exposed) == features
    assert all("tickets" in tables for tables in sample_report.exposed.values())


@pytest.mark.slow("check-pit builds an outside desk twice: on all raw data and cut")
def test_an_outside_desk_sees_no_future(tmp_path):
    raw = write_desk(tmp_path / "raw", n_tickets=1500, seed=41)
    report = check_pit(
        PROJECT, "ticket_triage", cutoffs=["2024-04-01"], vars_={"raw_dir": str(raw)}
    )
    assert report.leaking_features == []
    assert report.cutoffs[0].features[0].compared > 50


@pytest.mark.slow("check-pit builds the sample with the fixtures four times")
def test_the_leaky_fixture_is_caught_naming_its_features(tmp_path):
    """A purchase count without its < T bound and a last resolution that
    ignores resolved_at: exactly those two, and nothing else."""
    env = {**os.environ, "TRAINSET_PROJECT_DIR": str(PROJECT)}
    done = subprocess.run(
        [
            BIN / "trainset",
            "check-pit",
            "fixture_leaky_triage",
            "--vars",
            "{fixtures: true}",
            "--format",
            "json",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert set(report["leaking_features"]) == LEAKY
    leaking = [f for c in report["cutoffs"] for f in c["features"] if f["differing"]]
    assert all(len(f["examples"]) <= 5 and f["examples"] for f in leaking)
    assert "see the future: " in done.stderr


@pytest.mark.slow("parses the project with the fixtures on")
def test_a_dataset_without_as_of_is_refused_in_one_line():
    with pytest.raises(TrainsetError, match=r"has no column with meta\.role 'as_of'"):
        check_pit(PROJECT, "fixture_no_as_of", vars_={"fixtures": True})

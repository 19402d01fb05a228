"""Tests of the tests: every generic test fails on its planted bug.

The fixtures live in models/fixtures and seeds/fixtures, disabled unless
var `fixtures` is on. Each fixture test says in meta.expect what status it
must report; this reads the statuses from dbt's run_results.json.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import PROJECT, dbt, fixture_tests, unexpected_fixture_statuses


@pytest.fixture(scope="module")
def fixture_run(sample_build, tmp_path_factory):
    # On the sample build's DuckDB file: some fixtures read its staging.
    run = dbt(
        ["build", "--selector", "fixtures"],
        tmp_path_factory.mktemp("fixtures"),
        vars={"fixtures": True},
        db=sample_build.db,
    )
    manifest = json.loads((run.target / "manifest.json").read_text())
    return run, manifest


def test_every_fixture_test_reports_its_expected_status(fixture_run):
    run, manifest = fixture_run
    assert len(fixture_tests(manifest)) > 30
    wrong = unexpected_fixture_statuses(run, manifest)
    assert not wrong, wrong


def test_every_generic_test_has_a_failing_and_a_passing_fixture(fixture_run):
    _, manifest = fixture_run
    defined = set()
    for path in (PROJECT / "tests" / "generic").glob("*.sql"):
        defined |= set(re.findall(r"{%-?\s*test\s+(\w+)\s*\(", path.read_text()))
    assert len(defined) >= 12
    outcomes: dict[str, set[str]] = {name: set() for name in defined}
    for node in fixture_tests(manifest).values():
        name = node["test_metadata"]["name"]
        outcomes.setdefault(name, set()).add(node["config"]["meta"]["expect"])
    for name in defined:
        assert "pass" in outcomes[name], f"{name} has no clean fixture"
        assert outcomes[name] & {"warn", "fail"}, f"{name} has no planted bug"


def test_plain_build_leaves_the_fixtures_out(sample_build):
    assert not [uid for uid in sample_build.results if "fixture" in uid]
    # Nothing on the bundled sample errors; the warnings are the README's.
    statuses = {r["status"] for r in sample_build.results.values()}
    assert statuses <= {"success", "pass", "warn", "no-op"}


def unguarded_not_null(manifest: dict) -> list[str]:
    """Contract columns constrained not_null with no not_null data test on
    them: Spark's Parquet tables do not enforce the constraint, so the test
    is what holds it there (docs/spark.md)."""
    tested = {
        (node["attached_node"], node["column_name"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and (node.get("test_metadata") or {}).get("name") == "not_null"
    }
    return [
        f"{node['unique_id']}.{name}"
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"].get("contract", {}).get("enforced")
        for name, column in node["columns"].items()
        if any(c["type"] == "not_null" for c in column.get("constraints") or [])
        and (node["unique_id"], name) not in tested
    ]


def test_every_not_null_constraint_also_has_a_not_null_test(sample_build):
    manifest = json.loads((sample_build.target / "manifest.json").read_text())
    assert unguarded_not_null(manifest) == []
    # Negative control: the same manifest without the split's not_null test.
    for key in [
        k
        for k in manifest["nodes"]
        if k.startswith("test.trainset.not_null_ticket_triage_v2_split")
    ]:
        del manifest["nodes"][key]
    assert unguarded_not_null(manifest) == ["model.trainset.ticket_triage.v2.split"]


@pytest.fixture(scope="module")
def listed(tmp_path_factory):
    """dbt ls of a selection. Calls with the same vars share one target, so
    dbt parses the project once for them, not once per selection."""
    folders: dict[str, Path] = {}

    def run(args: list[str], vars: dict | None = None) -> list[str]:
        key = json.dumps(vars or {}, sort_keys=True)
        if key not in folders:
            folders[key] = tmp_path_factory.mktemp("ls")
        done = dbt(["ls", "--quiet", "--output", "name", *args], folders[key], vars=vars)
        assert done.returncode == 0, done.output[-2000:]
        return done.output.split()

    return run


@pytest.mark.slow("runs dbt ls once per selection")
@pytest.mark.parametrize(
    "selection",
    [
        ["--exclude", "ticket_triage"],
        ["--select", "*"],
        ["--select", "tag:fixture"],
        ["--selector", "fixtures"],
        ["--exclude", "complaint_routing"],
    ],
)
def test_no_selection_reaches_a_fixture_unless_asked(listed, selection):
    assert [n for n in listed(selection) if "fixture" in n] == []


@pytest.mark.slow("parses the project with the fixtures on")
def test_the_fixtures_var_turns_the_fixtures_on(listed):
    names = listed(["--selector", "fixtures"], vars={"fixtures": True})
    assert "fixture_cross_split_duplicates" in names
    assert "fixture_dataset_clean" in names

"""Tests of the tests: every generic test fails on its planted bug.

The fixtures live in models/fixtures and seeds/fixtures, behind the
`fixtures` selector. Each fixture test says in meta.expect what status it
must report; this reads the statuses from dbt's run_results.json.
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import PROJECT, dbt


@pytest.fixture(scope="module")
def fixture_run(sample_build, tmp_path_factory):
    # On the sample build's DuckDB file: some fixtures read its staging.
    run = dbt(
        ["build", "--selector", "fixtures"],
        tmp_path_factory.mktemp("fixtures"),
        db=sample_build.db,
    )
    manifest = json.loads((run.target / "manifest.json").read_text())
    return run, manifest


def _fixture_tests(manifest) -> dict[str, dict]:
    return {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "test" and "fixture" in node["tags"]
    }


def test_every_fixture_test_reports_its_expected_status(fixture_run):
    run, manifest = fixture_run
    tests = _fixture_tests(manifest)
    assert len(tests) > 30
    results = run.results
    wrong = {}
    for uid, node in tests.items():
        expected = node["config"]["meta"]["expect"]
        actual = results[uid]["status"]
        if actual != expected:
            wrong[node["name"]] = (expected, actual, results[uid]["message"])
    assert not wrong, wrong


def test_every_generic_test_has_a_failing_and_a_passing_fixture(fixture_run):
    _, manifest = fixture_run
    defined = set()
    for path in (PROJECT / "tests" / "generic").glob("*.sql"):
        defined |= set(re.findall(r"{%-?\s*test\s+(\w+)\s*\(", path.read_text()))
    assert len(defined) >= 12
    outcomes: dict[str, set[str]] = {name: set() for name in defined}
    for node in _fixture_tests(manifest).values():
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

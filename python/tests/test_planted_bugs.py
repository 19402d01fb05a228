"""Training-data bugs planted into a raw export are caught by name."""

from __future__ import annotations

import pytest
from conftest import dbt, write_desk
from oracle import split_of

CATEGORY_OF = {}


def _moment(text: str) -> str:
    return text.replace("T", " ").removesuffix("Z").removesuffix("+00:00")


def _index(desk):
    rows = desk.rows
    res = {}
    for r in rows["ticket_resolutions"]:
        if r["ticket_id"] and r["resolved_at"] and r["resolved_at"][0].isdigit():
            prev = res.get(r["ticket_id"])
            if prev is None or (_moment(r["resolved_at"]), r["resolution_id"]) > (
                _moment(prev["resolved_at"]),
                prev["resolution_id"],
            ):
                res[r["ticket_id"]] = r
    first = {}
    for m in rows["ticket_messages"]:
        if m["author_role"] == "player" and m["body"].strip():
            prev = first.get(m["ticket_id"])
            if prev is None or (_moment(m["created_at"]), m["message_id"]) < (
                _moment(prev["created_at"]),
                prev["message_id"],
            ):
                first[m["ticket_id"]] = m
    # Rows the generator re-delivered twice are left alone: editing one copy
    # would turn them into a key conflict, and quarantine both.
    seen: dict[str, int] = {}
    for table, key in (
        ("ticket_messages", "message_id"),
        ("ticket_resolutions", "resolution_id"),
        ("tickets", "ticket_id"),
    ):
        for row in rows[table]:
            seen[row[key]] = seen.get(row[key], 0) + 1
    closed = [
        t
        for t in rows["tickets"]
        if t["status"] in ("solved", "closed")
        and t["ticket_id"] in res
        and t["ticket_id"] in first
        and t["ticket_id"].startswith("T0")
        and seen[t["ticket_id"]] == 1
        and seen[first[t["ticket_id"]]["message_id"]] == 1
        and seen[res[t["ticket_id"]]["resolution_id"]] == 1
    ]
    return res, first, closed


def plant_bugs(desk):
    from trainset.sample.generator import CATEGORY_CODES

    res, first, closed = _index(desk)
    code_category = {c: k for k, codes in CATEGORY_CODES.items() for c in codes}
    trainable = [
        t
        for t in closed
        if code_category.get(res[t["ticket_id"]]["resolution_code"])
        in ("billing", "account", "bug", "gameplay", "abuse")
    ]
    by_split = {}
    for t in trainable:
        by_split.setdefault(split_of(t["player_id"]), []).append(t)
    # 1. The same text from players in train and in test (ten times).
    for a, b in zip(by_split["train"][:10], by_split["test"][:10], strict=True):
        first[b["ticket_id"]]["body"] = first[a["ticket_id"]]["body"]
        res[b["ticket_id"]]["resolution_code"] = res[a["ticket_id"]]["resolution_code"]
    # 2. Identical texts with different final resolutions (twenty pairs).
    for a, b in zip(by_split["train"][20:40], by_split["train"][40:60], strict=True):
        first[b["ticket_id"]]["body"] = first[a["ticket_id"]]["body"]
        other = (
            "KNOWN_ISSUE"
            if code_category[res[a["ticket_id"]]["resolution_code"]] != "bug"
            else "REFUND_GRANTED"
        )
        res[b["ticket_id"]]["resolution_code"] = other
    # 3. Feedback, a real category, nearly vanishes.
    feedback = [t for t in closed if res[t["ticket_id"]]["resolution_code"] == "FEEDBACK_LOGGED"]
    for t in feedback[2:]:
        res[t["ticket_id"]]["resolution_code"] = "HOWTO_EXPLAINED"
    # 4. The subject copies the label: the agent's queue name put there.
    for t in closed:
        t["subject"] = "queue:" + code_category.get(res[t["ticket_id"]]["resolution_code"], "none")
    # 5. An agent's reply pasted into a player's first message.
    victim = by_split["train"][70]["ticket_id"]
    agent = next(
        m
        for m in desk.rows["ticket_messages"]
        if m["ticket_id"] == victim and m["author_role"] == "agent"
    )
    first[victim]["body"] = "you said: " + agent["body"]


@pytest.fixture(scope="module")
def planted_build(tmp_path_factory):
    work = tmp_path_factory.mktemp("planted")
    raw = write_desk(work / "raw", n_tickets=1500, seed=31, mutate=plant_bugs)
    return dbt(["build"], work, vars={"raw_dir": str(raw)})


@pytest.mark.slow("builds a desk with five planted bugs")
@pytest.mark.parametrize(
    "test_name, statuses",
    [
        ("no_cross_split_duplicates_ticket_triage", {"warn", "fail"}),
        ("no_conflicting_labels_ticket_triage", {"warn", "fail"}),
        ("min_rows_per_label_ticket_triage", {"fail"}),
        ("feature_label_leakage_ticket_triage", {"warn"}),
        ("assert_first_message_has_no_agent_text", {"fail"}),
    ],
)
def test_planted_bug_is_reported_by_name(planted_build, test_name, statuses):
    found = {
        uid: r["status"]
        for uid, r in planted_build.results.items()
        if uid.startswith(f"test.trainset.{test_name}")
    }
    assert found, f"{test_name} did not run"
    # v2 is built from v1, so an error on v1 skips v2 and its tests.
    assert set(found.values()) & statuses, found
    assert set(found.values()) <= statuses | {"skipped"}, found


def test_clean_export_keeps_these_tests_green(sample_build):
    for uid, result in sample_build.results.items():
        if any(
            name in uid
            for name in (
                "min_rows_per_label",
                "feature_label_leakage",
                "assert_first_message",
            )
        ):
            assert result["status"] == "pass", uid

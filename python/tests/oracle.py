"""Section 5 of the spec, written again in plain Python as a test oracle.

It starts from the accepted staging tables and the taxonomy, and shares no
code with the SQL: masking uses Python's regex engine with lookarounds, the
windows are explicit comparisons. Slow and obvious on purpose.
"""

from __future__ import annotations

import hashlib
import math
import re
from datetime import timedelta
from decimal import Decimal

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# Cards: a card's leading digit, solid or grouped by one kind of separator;
# masked only when Luhn-valid.
CARD = re.compile(
    r"\b(?:[2-6]\d{12,18}|[2-6]\d{3}([ -])\d{4}\1\d{4}\1\d{4}|3[47]\d{2}([ -])\d{6}\2\d{5})\b",
    re.ASCII,
)
OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
IP = re.compile(rf"\b(?:{OCTET}\.){{3}}{OCTET}\b", re.ASCII)
PHONE = re.compile(
    r"\+[1-9](?:[ ().-]{0,2}\d){7,14}\b"
    r"|\(\d{2,5}\) ?\d{3,5}[ .-]?\d{3,4}\b"
    # One kind of separator per number: North American 3-3-4, or a
    # national number with its leading 0.
    + "".join(rf"|\b(?:1{s})?\d{{3}}{s}\d{{3}}{s}\d{{4}}\b" for s in (" ", r"\.", "-"))
    + "".join(rf"|\b0[1-9](?:{s}?\d){{7,11}}\b" for s in (" ", r"\.", "-"))
    + r"|\b0[1-9]\d{1,4}/\d{6,9}\b",
    re.ASCII,
)
VERSION = r"\d+(?:\.\d+){3}"
# Kept: dotted numbers of five parts or more, four-part ones after @ or -
# or before -x, and four-part versions next to a version word.
KEEP = re.compile(
    rf"\b(?:0|[1-9]\d*)(?:\.\d+){{4,}}|[@-]{VERSION}|{VERSION}-[0-9A-Za-z]"
    r"|\b(?:v|ver|version|build|release|rev|firmware|driver|patch|client|app|launcher"
    r"|chrome|firefox|edge|safari|opera|android|ios|windows|macos"
    rf"|(?:updat|upgrad)(?:e|ed|ing) to)[ :=/]*v?{VERSION}\b"
    rf"|\b{VERSION} +(?:update|patch|release|build|hotfix)\b",
    re.ASCII | re.IGNORECASE,
)


def luhn_valid(number: str) -> bool:
    digits = [int(d) for d in reversed(re.sub(r"\D", "", number))]
    return (
        sum(d if i % 2 == 0 else (2 * d - 9 if d > 4 else 2 * d) for i, d in enumerate(digits)) % 10
        == 0
    )


def _mask_part(text: str) -> str:
    text = EMAIL.sub("<email>", text)
    text = CARD.sub(lambda m: "<card>" if luhn_valid(m.group()) else m.group(), text)
    text = PHONE.sub("<phone>", text)
    return IP.sub("<ip>", text)


def mask(text: str | None) -> str | None:
    if text is None:
        return None
    # Kept versions stay; the parts between them are masked one by one.
    parts = KEEP.split(text)
    kept = KEEP.findall(text)
    return "".join(_mask_part(p) + (kept[i] if i < len(kept) else "") for i, p in enumerate(parts))


def split_of(
    player_id: str,
    salt: str = "trainset-v1",
    fractions: tuple[float, float] = (0.8, 0.1),
) -> str:
    bucket = int(hashlib.md5(f"{salt}|{player_id}".encode()).hexdigest()[:8], 16)
    u = bucket / 2**32
    if u < fractions[0]:
        return "train"
    return "validation" if u < fractions[0] + fractions[1] else "test"


def ticket_triage(
    tables: dict[str, list[dict]], eligible: tuple[str, ...] = ("solved", "closed")
) -> dict[str, dict]:
    """ticket_triage v2 by ticket_id, from staging rows and the taxonomy."""
    taxonomy = {r["resolution_code"]: r for r in tables["resolution_categories"]}
    players = {r["player_id"]: r for r in tables["players"]}
    by_ticket: dict[str, list[dict]] = {}
    for m in tables["ticket_messages"]:
        by_ticket.setdefault(m["ticket_id"], []).append(m)
    resolutions: dict[str, list[dict]] = {}
    for r in tables["ticket_resolutions"]:
        resolutions.setdefault(r["ticket_id"], []).append(r)
    tickets_of: dict[str, list[dict]] = {}
    for t in tables["tickets"]:
        tickets_of.setdefault(t["player_id"], []).append(t)
    purchases_of: dict[str, list[dict]] = {}
    for p in tables["purchases"]:
        purchases_of.setdefault(p["player_id"], []).append(p)

    out = {}
    for t in tables["tickets"]:
        if t["status"] not in eligible:
            continue
        res = sorted(
            resolutions.get(t["ticket_id"], []),
            key=lambda r: (r["resolved_at"], r["resolution_id"]),
        )
        if not res:
            continue
        final = taxonomy.get(res[-1]["resolution_code"])
        if final is None or not final["is_trainable"]:
            continue
        said = sorted(
            (
                m
                for m in by_ticket.get(t["ticket_id"], [])
                if m["author_role"] == "player" and m["body"].strip()
            ),
            key=lambda m: (m["created_at"], m["message_id"]),
        )
        if not said:
            continue
        T = t["created_at"]
        player = players[t["player_id"]]
        age = (
            None
            if player["registered_at"] is None
            else max(math.floor((T - player["registered_at"]).total_seconds() / 86400), 0)
        )
        mine = purchases_of.get(t["player_id"], [])
        others = [o for o in tickets_of[t["player_id"]] if o["ticket_id"] != t["ticket_id"]]
        prior_res = [
            r
            for o in others
            for r in resolutions.get(o["ticket_id"], [])
            if r["resolution_code"] in taxonomy and r["resolved_at"] < T
        ]
        last = max(
            prior_res,
            key=lambda r: (r["resolved_at"], r["resolution_id"]),
            default=None,
        )
        out[t["ticket_id"]] = {
            "ticket_id": t["ticket_id"],
            "subject": mask(t["subject"]),
            "first_message": mask(said[0]["body"].strip()),
            "channel": t["channel"],
            "platform": player["platform"],
            "language": player["language"],
            "product": t.get("product"),
            "last_resolution_category": taxonomy[last["resolution_code"]]["category"]
            if last
            else None,
            "account_age_days": age,
            "purchases_before": sum(p["purchased_at"] < T for p in mine),
            "spend_usd_30d": sum(
                (
                    Decimal(str(p["amount_usd"]))
                    for p in mine
                    if T - timedelta(days=30) <= p["purchased_at"] < T
                    and (p["refunded_at"] is None or p["refunded_at"] >= T)
                ),
                Decimal("0"),
            ),
            "refunds_90d": sum(
                p["refunded_at"] is not None and T - timedelta(days=90) <= p["refunded_at"] < T
                for p in mine
            ),
            "prior_tickets_90d": sum(T - timedelta(days=90) <= o["created_at"] < T for o in others),
            "category": final["category"],
            "split": split_of(t["player_id"]),
            "created_at": T,
        }
    # A desk with no purchases at all knows nothing of them: null, not 0.
    if not tables["purchases"]:
        for row in out.values():
            row.update(purchases_before=None, spend_usd_30d=None, refunds_90d=None)
    return out

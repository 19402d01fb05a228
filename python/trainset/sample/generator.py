"""A deterministic raw desk export of a mobile football-manager game.

It follows the raw desk contract in docs/contract.md: five tables, CSV or Parquet.
The same seed always gives the same bytes. Beside realistic rows it plants
what a real export carries: re-delivered duplicates, rows that break the
contract, a resolution code missing from the taxonomy, reopened tickets and
a few percent of wrong final resolutions (label noise, listed in the
returned `planted` record so tests can check that the audit finds them).
"""

from __future__ import annotations

import csv
import random
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from trainset.sample import phrases as ph

TABLES = ("players", "tickets", "ticket_messages", "ticket_resolutions", "purchases")
COLUMNS = {
    "players": ("player_id", "registered_at", "country", "platform", "language"),
    "tickets": (
        "ticket_id",
        "player_id",
        "created_at",
        "channel",
        "subject",
        "priority",
        "status",
        "product",
    ),
    "ticket_messages": ("message_id", "ticket_id", "author_role", "body", "created_at"),
    "ticket_resolutions": (
        "resolution_id",
        "ticket_id",
        "agent_id",
        "resolution_code",
        "resolved_at",
    ),
    "purchases": (
        "purchase_id",
        "player_id",
        "purchased_at",
        "amount_usd",
        "refunded_at",
    ),
}

CATEGORY_CODES = {
    "billing": (
        "REFUND_GRANTED",
        "REFUND_DENIED",
        "PURCHASE_RESTORED",
        "CHARGE_EXPLAINED",
    ),
    "account": ("ACCOUNT_RECOVERED", "PASSWORD_RESET", "ACCOUNT_DELETED"),
    "bug": ("BUG_ESCALATED", "KNOWN_ISSUE", "CRASH_WORKAROUND"),
    "gameplay": ("HOWTO_EXPLAINED", "RULES_CLARIFIED"),
    "abuse": ("PLAYER_SANCTIONED", "REPORT_DISMISSED"),
    "feedback": ("FEEDBACK_LOGGED",),
    "spam": ("SPAM_CLOSED",),
    "duplicate": ("DUPLICATE_MERGED",),
    "no_reply": ("NO_REPLY_CLOSED",),
}
CATEGORY_WEIGHTS = {
    "billing": 0.27,
    "account": 0.15,
    "bug": 0.22,
    "gameplay": 0.15,
    "abuse": 0.08,
    "feedback": 0.06,
    "spam": 0.03,
    "duplicate": 0.025,
    "no_reply": 0.015,
}
TRAINABLE = ("billing", "account", "bug", "gameplay", "abuse", "feedback")
UNMAPPED_CODE = "GOODWILL_GEMS"

CHANNELS = {"in_game": 0.5, "email": 0.2, "web": 0.2, "store_review": 0.1}
PLATFORMS = {"android": 0.55, "ios": 0.35, "web": 0.10}
PRIORITIES = {"low": 0.2, "normal": 0.6, "high": 0.15, "urgent": 0.05}
# tickets.product: the edition of the game a player plays.
PRODUCTS = {"fm_mobile": 0.6, "fm_touch": 0.25, "fm_online": 0.15}
STATUS_RESOLVED = {"solved": 0.7, "closed": 0.3}
STATUS_OPEN = {"new": 0.35, "open": 0.4, "pending": 0.25}
AMOUNTS_USD = ("0.99", "4.99", "9.99", "19.99", "49.99", "99.99")

# A row of a raw table: column -> text, None where the value is missing.
Row = dict[str, str | None]

START = datetime(2023, 1, 1)
END = datetime(2024, 12, 31)


@dataclass
class Desk:
    """The generated tables, as lists of row dicts, and what was planted."""

    rows: dict[str, list[Row]] = field(default_factory=lambda: {t: [] for t in TABLES})
    planted: dict[str, list[str]] = field(default_factory=dict)


def _product_of(player_id: str) -> str:
    """The player's edition, from a hash of the id: it draws nothing from
    the generator's random stream, so every other value stays as it was."""
    u = zlib.crc32(player_id.encode()) / 2**32
    for product, weight in PRODUCTS.items():
        if u < weight:
            return product
        u -= weight
    return product


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _ts(moment: datetime, rng: random.Random | None = None) -> str:
    """Format a UTC timestamp in one of the contract's accepted forms."""
    text = moment.strftime("%Y-%m-%d %H:%M:%S")
    if rng is None:
        return text
    form = rng.random()
    if form < 0.05:
        return text.replace(" ", "T") + "Z"
    if form < 0.08:
        return text.replace(" ", "T") + "+00:00"
    return text


def _fill(rng: random.Random, template: str, lang: str) -> str:
    slots = ph.SLOTS[lang]
    return template.format(
        item=rng.choice(slots["item"]),
        feature=rng.choice(slots["feature"]),
        rival=rng.choice(slots["rival"]),
        amount=rng.choice(ph.AMOUNTS),
    )


def _player_text(rng: random.Random, category: str, lang: str, generic_share: float) -> str:
    if rng.random() < generic_share:
        # "help" and the like: identical texts under many labels.
        return rng.choice(ph.GENERIC_MESSAGES[lang])
    pool = ph.AMBIGUOUS_MESSAGES if rng.random() < 0.05 else ph.FIRST_MESSAGES[category]
    parts = [_fill(rng, rng.choice(pool[lang]), lang)]
    if rng.random() < 0.5:
        parts.insert(0, rng.choice(ph.GREETINGS[lang]))
    if rng.random() < 0.97:
        # Context with a number makes near-identical texts distinct, as
        # on a real desk where exact repeats are rare.
        for detail in rng.sample(ph.DETAILS[lang], rng.choice((1, 1, 2))):
            club = f"{rng.choice(ph.CLUB_PREFIXES)} {rng.choice(ph.CLUB_TOWNS)}"
            parts.append(detail.format(n=rng.randrange(1, 60), club=club))
    if rng.random() < 0.12:
        kind = rng.choice(list(ph.PII_PHRASES))
        phrase = rng.choice(ph.PII_PHRASES[kind])
        parts.append(phrase.format(v=rng.choice(ph.PII_VALUES[kind])))
    if rng.random() < 0.5:
        parts.append(rng.choice(ph.CLOSERS[lang]))
    text = ", ".join(parts)
    if rng.random() < 0.3:
        text = text[0].upper() + text[1:]
    if rng.random() < 0.08:
        # Real bodies carry line breaks, quotes and commas.
        text += '\n\nsent from my phone, "Club Manager" v3.2.1'
    if rng.random() < 0.1:
        text = "  " + text + "  "
    return text


def generate(
    n_tickets: int = 2400, seed: int = 7, generic_share: float = 0.006, viral_copies: int = 7
) -> Desk:
    """Build a desk with about n_tickets tickets (3 per player).

    generic_share is the share of first messages that are generic ("help"):
    identical texts under many labels, which the ML tests warn about.
    viral_copies tickets carry one pasted text (see _plant_viral_text).
    """
    rng = random.Random(seed)
    desk = Desk()
    rows = desk.rows
    n_players = max(1, n_tickets // 3)
    mislabelled: list[str] = []
    players: list[tuple[str, str, datetime]] = []
    for p in range(n_players):
        lang = _pick(rng, ph.LANGUAGE_WEIGHTS)
        registered = START + timedelta(seconds=rng.randrange(500 * 86400))
        p_id = f"P{p:06d}"
        player: Row = {
            "player_id": p_id,
            "registered_at": _ts(registered, rng),
            "country": (None if rng.random() < 0.03 else rng.choice(ph.COUNTRIES[lang])),
            "platform": _pick(rng, PLATFORMS),
            "language": None if rng.random() < 0.02 else lang,
        }
        rows["players"].append(player)
        players.append((p_id, lang, registered))

    for p_id, _lang, registered in players:
        for _ in range(rng.choice((1, 2, 3, 3, 4, 5))):
            purchased = registered + timedelta(
                seconds=rng.randrange(int((END - registered).total_seconds()))
            )
            refunded = None
            if rng.random() < 0.15:
                refunded = purchased + timedelta(hours=rng.randrange(1, 2000))
            rows["purchases"].append(
                {
                    "purchase_id": f"U{len(rows['purchases']):07d}",
                    "player_id": p_id,
                    "purchased_at": _ts(purchased, rng),
                    "amount_usd": rng.choice(AMOUNTS_USD),
                    "refunded_at": _ts(refunded, rng) if refunded else None,
                }
            )

    t = 0
    msg_counter = 0
    res_counter = 0
    while t < n_tickets:
        p_id, lang, registered = players[rng.randrange(n_players)]
        t_id = f"T{t:07d}"
        t += 1
        created = registered + timedelta(
            seconds=rng.randrange(int((END - registered).total_seconds()))
        )
        category = _pick(rng, CATEGORY_WEIGHTS)
        is_resolved = rng.random() < 0.9
        channel = _pick(rng, CHANNELS)
        subject = None
        if channel != "in_game" or rng.random() < 0.3:
            subject = (
                ph.GENERIC_SUBJECTS[lang]
                if rng.random() < 0.15
                else rng.choice(ph.SUBJECTS[category][lang])
            )
        rows["tickets"].append(
            {
                "ticket_id": t_id,
                "player_id": p_id,
                "created_at": _ts(created, rng),
                "channel": channel,
                "subject": subject,
                "priority": _pick(rng, PRIORITIES),
                "status": _pick(rng, STATUS_RESOLVED if is_resolved else STATUS_OPEN),
                "product": _product_of(p_id),
            }
        )

        def message(role: str, body: str, at: datetime, t_id: str = t_id) -> None:
            nonlocal msg_counter
            rows["ticket_messages"].append(
                {
                    "message_id": f"M{msg_counter:08d}",
                    "ticket_id": t_id,
                    "author_role": role,
                    "body": body,
                    "created_at": _ts(at, rng),
                }
            )
            msg_counter += 1

        # The first message is at the ticket's creation or seconds after;
        # sometimes a bot greets first, sometimes an empty body comes first.
        clock = created + timedelta(seconds=rng.choice((0, 0, 0, 1, 5, 30)))
        if rng.random() < 0.05:
            message("bot", ph.BOT_REPLIES[lang], clock)
            clock += timedelta(seconds=rng.randrange(1, 60))
        if rng.random() < 0.03:
            message("player", rng.choice(("", "   ")), clock)
        if rng.random() > 0.01:
            message("player", _player_text(rng, category, lang, generic_share), clock)
        clock += timedelta(seconds=rng.randrange(1, 120))
        if rng.random() < 0.7:
            message("bot", ph.BOT_REPLIES[lang], clock)

        code = rng.choice(CATEGORY_CODES[category])
        final_code = code
        if category in TRAINABLE and rng.random() < 0.04:
            # Label noise: the agent picked a code of another category.
            other = rng.choice([c for c in TRAINABLE if c != category])
            final_code = rng.choice(CATEGORY_CODES[other])
            mislabelled.append(t_id)
        elif rng.random() < 0.004:
            final_code = UNMAPPED_CODE

        resolved = clock + timedelta(hours=rng.randrange(1, 72))
        n_resolutions = 1 if is_resolved else 0
        if rng.random() < 0.08:
            n_resolutions += 1  # reopened: an earlier resolution came first
        if rng.random() < 0.02:
            n_resolutions += 1
        codes = [
            rng.choice(CATEGORY_CODES[_pick(rng, CATEGORY_WEIGHTS)])
            for _ in range(n_resolutions - 1)
        ]
        if is_resolved:
            codes.append(final_code)
        tie = rng.random() < 0.01
        for i, res_code in enumerate(codes):
            message("agent", ph.AGENT_REPLIES[res_code][lang], resolved)
            rows["ticket_resolutions"].append(
                {
                    "resolution_id": f"R{res_counter:08d}",
                    "ticket_id": t_id,
                    "agent_id": f"A{rng.randrange(40):03d}",
                    "resolution_code": res_code,
                    "resolved_at": _ts(resolved, rng),
                }
            )
            res_counter += 1
            # Equal resolved_at now and then: resolution_id breaks ties.
            if i < len(codes) - 1 and not tie:
                resolved += timedelta(hours=rng.randrange(1, 48))
                message(
                    "player",
                    rng.choice(ph.FOLLOW_UPS[lang]),
                    resolved - timedelta(minutes=5),
                )
        if rng.random() < 0.3:
            message(
                "player",
                rng.choice(ph.FOLLOW_UPS[lang]),
                resolved + timedelta(minutes=rng.randrange(1, 600)),
            )

    _plant_viral_text(rng, rows, viral_copies)
    _plant_damage(rng, rows)
    desk.planted["mislabelled_ticket_ids"] = mislabelled
    return desk


def _plant_viral_text(rng: random.Random, rows: dict[str, list[Row]], copies: int) -> None:
    """A complaint pasted from a forum post by several players: the same
    text in several tickets, which may land in different splits."""
    firsts = {}
    for m in rows["ticket_messages"]:
        if m["author_role"] == "player" and m["ticket_id"] not in firsts:
            firsts[m["ticket_id"]] = m
    bug_tickets = [
        t["ticket_id"]
        for t in rows["tickets"]
        if t["ticket_id"] in firsts and t["subject"] in ph.SUBJECTS["bug"]["en"]
    ]
    for ticket_id in bug_tickets[:: max(1, len(bug_tickets) // max(copies, 1))][:copies]:
        firsts[ticket_id]["body"] = ph.VIRAL_MESSAGE


def _plant_damage(rng: random.Random, rows: dict[str, list[Row]]) -> None:
    """Re-delivered duplicates and contract breakers, a few per table."""
    for table in TABLES:
        # About 1 in 200 rows is delivered twice.
        for row in rng.sample(rows[table], max(1, len(rows[table]) // 200)):
            rows[table].append(dict(row))
    players = rows["players"]
    players.append({**players[0], "player_id": "P_BAD_PLATFORM", "platform": "windows_phone"})
    players.append({**players[1], "player_id": None})
    tickets = rows["tickets"]
    tickets.append({**tickets[0], "ticket_id": "T_BAD_TIME", "created_at": "31/12/2024 25:61"})
    tickets.append({**tickets[1], "ticket_id": "T_DANGLING", "player_id": "P_UNKNOWN"})
    tickets.append({**tickets[2], "ticket_id": "T_BAD_CHANNEL", "channel": "carrier_pigeon"})
    messages = rows["ticket_messages"]
    messages.append({**messages[0], "message_id": "M_DANGLING", "ticket_id": "T_UNKNOWN"})
    # The same key delivered with different content: all copies rejected.
    messages.append({**messages[3], "body": "edited later by a bad export"})
    resolutions = rows["ticket_resolutions"]
    resolutions.append(
        {**resolutions[0], "resolution_id": "R_BAD_TIME", "resolved_at": "not a date"}
    )
    purchases = rows["purchases"]
    purchases.append({**purchases[0], "purchase_id": "U_BAD_AMOUNT", "amount_usd": "nineteen"})


def write(desk: Desk, out_dir: Path, fmt: str = "csv") -> list[Path]:
    """Write each table as <out_dir>/<table>.<fmt>; return the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for table in TABLES:
        path = out_dir / f"{table}.{fmt}"
        if fmt == "csv":
            with path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=COLUMNS[table], lineterminator="\n")
                writer.writeheader()
                writer.writerows(desk.rows[table])
        elif fmt == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            columns = {
                c: pa.array([r[c] for r in desk.rows[table]], type=pa.string())
                for c in COLUMNS[table]
            }
            pq.write_table(pa.table(columns), path)
        else:
            raise ValueError(f"unknown format {fmt!r}: use csv or parquet")
        paths.append(path)
    return paths

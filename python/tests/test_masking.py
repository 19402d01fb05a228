"""Masking precision: the real mask_pii macro on a labelled corpus.

The corpus is generated here with a fixed seed: technical strings that are
not personal data (versions, hashes, UUIDs, ids, stack traces, timestamps,
order numbers) and personal ones (emails, phones in E.164 and in the
national formats of five countries, Luhn-valid cards, IPv4 addresses), each
put into a sentence of the kind people write to a support desk. A technical
string counts as masked when masking changes its sentence at all; a personal
one counts as masked only when masking replaces exactly it by one token.
"""

from __future__ import annotations

import random
import re
import uuid

import duckdb
import pytest
from conftest import compile_inline
from oracle import mask as oracle_mask

from trainset.card import MASKING_PRECISION, _masking_text

SEED = 15


MASK_QUERY = (
    "select id, {{ mask_pii('t') }} as masked, {{ contains_pii('t') }} as found "
    "from corpus order by id"
)


def masker(vars: dict | None = None):
    """A function from texts to (masked, contains_pii) pairs, by the real macros."""
    done = compile_inline(MASK_QUERY, vars)
    assert done.returncode == 0, done.output
    sql = done.stdout.strip()

    def run(texts: list[str | None]) -> list[tuple[str | None, bool]]:
        with duckdb.connect() as con:
            con.execute("create table corpus (id integer, t varchar)")
            con.executemany("insert into corpus values (?, ?)", list(enumerate(texts)))
            return [(masked, found) for _, masked, found in con.execute(sql).fetchall()]

    return run


# The labelled corpus.


def _digits(rng: random.Random, n: int, first: str = "0123456789") -> str:
    return rng.choice(first) + "".join(rng.choice("0123456789") for _ in range(n - 1))


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def _luhn_complete(body: str) -> str:
    """body plus the check digit that makes it pass the Luhn check."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return body + str((10 - total % 10) % 10)


def _group(number: str, sizes: tuple[int, ...], sep: str) -> str:
    parts, at = [], 0
    for size in sizes:
        parts.append(number[at : at + size])
        at += size
    return sep.join(parts)


def technical_strings(rng: random.Random) -> list[tuple[str, str]]:
    """(category, string) pairs that are not personal data."""
    items: list[tuple[str, str]] = []

    def add(category: str, n: int, make) -> None:
        items.extend((category, make()) for _ in range(n))

    add(
        "browser_version",
        24,
        lambda: f"{rng.randint(100, 131)}.0.{rng.randint(4000, 6999)}.{rng.randint(1, 250)}",
    )
    add(
        "os_build",
        16,
        lambda: (
            f"10.0.{rng.choice([19041, 19044, 19045, 22000, 22621, 22631])}.{rng.randint(1, 4000)}"
        ),
    )
    add(
        "four_part_version",
        24,
        lambda: (
            f"{rng.randint(1, 9)}.{rng.randint(0, 12)}.{rng.randint(0, 30)}.{rng.randint(0, 255)}"
        ),
    )
    add(
        "semver",
        24,
        lambda: (
            f"{rng.randint(0, 20)}.{rng.randint(0, 40)}.{rng.randint(0, 99)}"
            + rng.choice(["", "", f"-beta.{rng.randint(1, 9)}", f"-rc.{rng.randint(1, 5)}"])
        ),
    )
    add("git_sha", 12, lambda: _hex(rng, 40))
    add("git_short_sha", 12, lambda: _hex(rng, rng.choice([7, 8, 10, 12])))
    add("uuid", 24, lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4)))
    add("hex_address", 12, lambda: "0x" + _hex(rng, rng.choice([8, 12, 16])).upper())
    add("object_id", 12, lambda: _hex(rng, 24))
    add("stack_line", 20, lambda: str(rng.randint(1, 99999)))
    add(
        "iso_timestamp",
        12,
        lambda: (
            f"2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            f"{rng.choice(['T', ' '])}{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:"
            f"{rng.randint(0, 59):02d}{rng.choice(['', '.123Z', 'Z', '+05:30', ',417'])}"
        ),
    )
    add("epoch_seconds", 8, lambda: str(rng.randint(1_600_000_000, 1_750_000_000)))
    add("epoch_millis", 8, lambda: str(rng.randint(1_600_000_000_000, 1_750_000_000_000)))
    add(
        "local_timestamp",
        8,
        lambda: (
            rng.choice("/.-").join(
                [f"{rng.randint(1, 28):02d}", f"{rng.randint(1, 12):02d}", "2023"]
            )
            + f" {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"
        ),
    )
    add("order_number", 24, lambda: str(rng.randint(1, 99_999_999)))
    add("asset_id", 16, lambda: _digits(rng, rng.choice([9, 10, 11]), "123456789"))
    return items


TECHNICAL_TEMPLATES = {
    "browser_version": (
        "Crash on Chrome {} when I open the store",
        "user agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/{} Safari/537.36",
        "the page stays blank in Edge {}",
        "checkout fails on browser version {} for me",
    ),
    "os_build": (
        "Windows {} here, the launcher will not start",
        "OS build {} (x64), game closes after the logo",
        "running on Windows build {}",
    ),
    "four_part_version": (
        "App version {} crashes on start",
        "since the {} update the launcher hangs",
        "build {} fails to log in",
        "I updated to {} and lost my save",
        "client v{} freezes on the map",
        "version: {}",
    ),
    "semver": (
        "after upgrading to {} of the SDK the login loops",
        "npm says example-sdk@{} is broken",
        "node {} on macOS 14.1",
        "the v{} changelog does not mention it",
    ),
    "git_sha": ("fixed in commit {}", "the regression came with {} on main"),
    "git_short_sha": ("reverting {} fixes it", "bisected to {}, please check"),
    "uuid": (
        "request id {} returned 500",
        "correlation-id: {}",
        "my session {} expired twice today",
    ),
    "hex_address": ("access violation at address {}", "crash dump says {} in game.dll"),
    "object_id": ("document {} is missing", "item {} was not delivered"),
    "stack_line": (
        "at com.example.game.Main.run(Main.java:{})",
        'File "/srv/app/handlers.py", line {}, in on_message',
        "TypeError in bundle.min.js:{}:17",
        "see the trace, line {} of inventory.lua",
    ),
    "iso_timestamp": ("it started at {} and never stopped", "log: [{}] ERROR shard 3 timeout"),
    "epoch_seconds": ("server time {} in the crash report", "last_seen={} according to the API"),
    "epoch_millis": ("event ts {} repeated", "timestamp_ms: {}"),
    "local_timestamp": ("happened on {} local time", "since {} nothing loads"),
    "order_number": (
        "order #{} never arrived",
        "Order ID {} charged twice",
        "my invoice {} is wrong",
        "ticket {} was closed without an answer",
    ),
    "asset_id": (
        "asset id {} fails to load",
        "rbxassetid://{} shows a grey box",
        "the skin {} is not in my inventory",
    ),
}


def personal_strings(rng: random.Random) -> list[tuple[str, str]]:
    """(category, string) pairs that are personal data."""
    items: list[tuple[str, str]] = []
    first = ["john", "ana", "m", "li.wei", "o_brien", "sara", "k.tanaka", "pepe10"]
    last = ["doe", "silva", "mueller", "smith", "dubois", "sato", "rossi", "kowalski"]
    domains = ["example.com", "mail.example.co.uk", "example.de", "example.fr", "example.jp"]
    for _ in range(40):
        local = rng.choice(first) + rng.choice([".", "_", ""]) + rng.choice(last)
        local += rng.choice(["", "", "+games", str(rng.randint(1, 99))])
        items.append(("email", f"{local}@{rng.choice(domains)}"))

    # E.164, written solid or grouped the international way.
    for _ in range(20):
        country, national = rng.choice(
            [
                ("1", _digits(rng, 10, "23456789")),
                ("44", "7" + _digits(rng, 9)),
                ("49", "15" + _digits(rng, 9)),
                ("33", rng.choice("67") + _digits(rng, 8)),
                ("81", "90" + _digits(rng, 8)),
                ("55", "11" + "9" + _digits(rng, 8)),
            ]
        )
        items.append(("e164", f"+{country}{national}"))
    for _ in range(20):
        items.append(
            (
                "e164_grouped",
                rng.choice(
                    [
                        f"+1 {_digits(rng, 3, '23456789')} {_digits(rng, 3)} {_digits(rng, 4)}",
                        f"+1 ({_digits(rng, 3, '23456789')}) {_digits(rng, 3)}-{_digits(rng, 4)}",
                        f"+44 7{_digits(rng, 3)} {_digits(rng, 6)}",
                        f"+44 20 {_digits(rng, 4)} {_digits(rng, 4)}",
                        f"+49 151 {_digits(rng, 8)}",
                        f"+49 30 {_digits(rng, 8)}",
                        f"+33 6 {' '.join(_digits(rng, 2) for _ in range(4))}",
                        f"+81 90-{_digits(rng, 4)}-{_digits(rng, 4)}",
                    ]
                ),
            )
        )
    # National formats: US, UK, Germany, France, Japan.
    national = {
        "phone_us": lambda: rng.choice(
            [
                f"({_digits(rng, 3, '23456789')}) {_digits(rng, 3)}-{_digits(rng, 4)}",
                f"{_digits(rng, 3, '23456789')}-{_digits(rng, 3)}-{_digits(rng, 4)}",
                f"{_digits(rng, 3, '23456789')}.{_digits(rng, 3)}.{_digits(rng, 4)}",
                f"1-800-{_digits(rng, 3)}-{_digits(rng, 4)}",
            ]
        ),
        "phone_uk": lambda: rng.choice(
            [
                f"020 {_digits(rng, 4)} {_digits(rng, 4)}",
                f"07{_digits(rng, 3)} {_digits(rng, 6)}",
                f"0161 {_digits(rng, 3)} {_digits(rng, 4)}",
                f"07{_digits(rng, 9)}",
            ]
        ),
        "phone_de": lambda: rng.choice(
            [
                f"030 {_digits(rng, 8)}",
                f"0151 {_digits(rng, 8)}",
                f"0151 {_digits(rng, 4)} {_digits(rng, 4)}",
                f"089/{_digits(rng, 7)}",
                f"0171-{_digits(rng, 7)}",
            ]
        ),
        "phone_fr": lambda: rng.choice(
            [
                "0" + rng.choice("1234567") + " " + " ".join(_digits(rng, 2) for _ in range(4)),
                "06." + ".".join(_digits(rng, 2) for _ in range(4)),
                "07" + _digits(rng, 8),
            ]
        ),
        "phone_jp": lambda: rng.choice(
            [
                f"03-{_digits(rng, 4)}-{_digits(rng, 4)}",
                f"090-{_digits(rng, 4)}-{_digits(rng, 4)}",
                f"06-{_digits(rng, 4)}-{_digits(rng, 4)}",
            ]
        ),
    }
    for category, make in national.items():
        items.extend((category, make()) for _ in range(12))

    # Cards: Luhn-valid, solid, by spaces or by dashes.
    for _ in range(40):
        kind = rng.choice(["visa", "mastercard", "amex", "discover"])
        if kind == "amex":
            number = _luhn_complete(rng.choice(["34", "37"]) + _digits(rng, 12))
            sizes = (4, 6, 5)
        else:
            prefix = {"visa": "4", "mastercard": rng.choice(["51", "55", "22"]), "discover": "6011"}
            body = prefix[kind]
            number = _luhn_complete(body + _digits(rng, 15 - len(body)))
            sizes = (4, 4, 4, 4)
        items.append(
            ("card", rng.choice([number, _group(number, sizes, " "), _group(number, sizes, "-")]))
        )

    for _ in range(40):
        octets = [
            rng.randint(1, 223),
            rng.randint(0, 255),
            rng.randint(0, 255),
            rng.randint(1, 254),
        ]
        items.append(("ipv4", ".".join(map(str, octets))))
    return items


PERSONAL_TEMPLATES = (
    "please reply to {} asap",
    "you can reach me at {}.",
    "my details: {}, thanks",
    "({}) is what I used",
    "{} - that is the one on my account",
    "i wrote from {} yesterday and got no answer",
)
PERSONAL_LEADS = {
    "email": ("my email is {}", "contact: {}"),
    "card": ("I paid with card {} and was charged twice", "card number {}, please refund"),
    "ipv4": (
        "my IP is {} and I am banned",
        "connecting from {} fails",
        "IP address: {}",
        "the server at {} refuses me",
    ),
}
PHONE_TEMPLATES = ("call me on {} after 6pm", "my number is {}", "phone: {}, evenings only")


def corpus() -> list[dict]:
    """Every labelled item in its sentence: kind, category, item, prefix, suffix."""
    rng = random.Random(SEED)
    rows = []
    for category, item in technical_strings(rng):
        template = rng.choice(TECHNICAL_TEMPLATES[category])
        prefix, suffix = template.split("{}")
        rows.append(
            dict(kind="technical", category=category, item=item, prefix=prefix, suffix=suffix)
        )
    for category, item in personal_strings(rng):
        own = PERSONAL_LEADS.get(
            category, PHONE_TEMPLATES if "phone" in category or "e164" in category else ()
        )
        template = rng.choice(own + PERSONAL_TEMPLATES)
        prefix, suffix = template.split("{}")
        rows.append(
            dict(kind="personal", category=category, item=item, prefix=prefix, suffix=suffix)
        )
    for row in rows:
        row["text"] = row["prefix"] + row["item"] + row["suffix"]
    return rows


TOKEN = re.compile(r"<[a-z][a-z0-9_]*>")


def is_masked(row: dict, masked: str) -> bool:
    """A technical item is masked when its sentence changed at all; a
    personal one only when exactly it became one token."""
    if row["kind"] == "technical":
        return masked != row["text"]
    if not (masked.startswith(row["prefix"]) and masked.endswith(row["suffix"])):
        return False
    middle = masked[len(row["prefix"]) : len(masked) - len(row["suffix"])]
    return TOKEN.fullmatch(middle) is not None


def measure(rows: list[dict], results: list[tuple[str, bool]]) -> dict:
    counts = {
        "technical_strings": 0,
        "technical_masked": 0,
        "personal_strings": 0,
        "personal_masked": 0,
    }
    for row, (masked, _) in zip(rows, results, strict=True):
        counts[f"{row['kind']}_strings"] += 1
        counts[f"{row['kind']}_masked"] += is_masked(row, masked)
    return counts


@pytest.fixture(scope="module")
def mask():
    return masker()


@pytest.fixture(scope="module")
def measured(mask):
    rows = corpus()
    results = mask([r["text"] for r in rows])
    return rows, results


def test_corpus_is_large_enough_and_labelled():
    rows = corpus()
    assert rows == corpus(), "the corpus must be the same on every run"
    technical = [r for r in rows if r["kind"] == "technical"]
    personal = [r for r in rows if r["kind"] == "personal"]
    assert len(technical) >= 200 and len(personal) >= 200
    assert {"phone_us", "phone_uk", "phone_de", "phone_fr", "phone_jp", "e164", "card", "ipv4"} <= {
        r["category"] for r in personal
    }
    # The cards are Luhn-valid, some with separators and some without.
    cards = [r["item"] for r in personal if r["category"] == "card"]
    assert all(
        _luhn_complete(re.sub("[^0-9]", "", c)[:-1]) == re.sub("[^0-9]", "", c) for c in cards
    )
    assert any(" " in c or "-" in c for c in cards) and any(c.isdigit() for c in cards)


def test_masking_precision_targets(measured):
    rows, results = measured
    counts = measure(rows, results)
    misses = [
        (r["category"], r["text"], masked)
        for r, (masked, _) in zip(rows, results, strict=True)
        if is_masked(r, masked) != (r["kind"] == "personal")
    ]
    assert counts["technical_masked"] <= 0.01 * counts["technical_strings"], misses
    assert counts["personal_masked"] >= 0.99 * counts["personal_strings"], misses


def test_card_states_the_measured_figures(measured):
    """The card's masking section reads MASKING_PRECISION; it must be what
    this corpus measures (update it when the patterns change)."""
    rows, results = measured
    assert measure(rows, results) == MASKING_PRECISION
    m = MASKING_PRECISION
    text = _masking_text()
    assert f"{m['technical_masked']} of {m['technical_strings']} technical strings" in text
    assert f"{m['personal_masked']} of {m['personal_strings']} personal ones" in text


def test_contains_pii_agrees_with_mask_pii(mask, measured):
    """pii_free finds personal data exactly where masking would change the
    text, and finds none once the text is masked."""
    rows, results = measured
    for row, (masked, found) in zip(rows, results, strict=True):
        assert found == (masked != row["text"]), (row["text"], masked)
    again = mask([masked for masked, _ in results])
    assert again == [(masked, False) for masked, _ in results]


def test_oracle_agrees_on_the_corpus(measured):
    """The Python oracle of test_ticket_triage masks the corpus the same way."""
    rows, results = measured
    assert [oracle_mask(r["text"]) for r in rows] == [masked for masked, _ in results]


def test_cards_must_pass_luhn(mask):
    valid = "4111 1111 1111 1111"
    invalid = "4111 1111 1111 1112"
    texts = [
        f"card {valid} ok",
        f"card {invalid} ok",
        "card 4111111111111112",
        "id 378282246310005",
    ]
    assert [m for m, _ in mask(texts)] == [
        "card <card> ok",
        f"card {invalid} ok",
        "card 4111111111111112",
        "id <card>",
    ]


def test_look_alikes_next_to_addresses(mask):
    texts = [
        "dns 1.1.1.1,8.8.8.8 and 1.1.1.1 8.8.8.8",
        "see http://81.2.69.160/admin",
        "lib 1.2.3.4.5, pkg@1.2.3.4, 1.2.3.4-beta, v1.2.3.4, Chrome/1.2.3.4",
        "two dates 2024-03-01 2024-03-02, a time 12:30, level 45, $19.99",
    ]
    assert [m for m, _ in mask(texts)] == [
        "dns <ip>,<ip> and <ip> <ip>",
        "see http://<ip>/admin",
        texts[2],
        texts[3],
    ]


def test_null_and_empty_text(mask):
    assert mask([None, ""]) == [(None, False), ("", False)]


@pytest.mark.slow("compiles the project with its own pattern vars, twice")
def test_extra_and_keep_patterns():
    vars = {
        "pii_extra_patterns": [{"name": "member", "regex": "MBR-[0-9]{6}"}],
        "pii_keep_patterns": ["10[.]0[.]0[.][0-9]+", "support@example[.]com", "ref '[0-9 ]+'"],
    }
    texts = [
        "member MBR-123456 here",
        "router 10.0.0.7 and my IP 81.2.69.160",
        "write to support@example.com, not to jane.roe@example.org",
        "ref '0151 2345 6789' is the desk's, 0151 2345 6789 is mine",
    ]
    assert [m for m, _ in masker(vars)(texts)] == [
        "member <member> here",
        "router 10.0.0.7 and my IP <ip>",
        "write to support@example.com, not to <email>",
        "ref '0151 2345 6789' is the desk's, <phone> is mine",
    ]
    # Without the vars the same texts are masked by the built-ins alone.
    plain = [m for m, _ in masker()(texts)]
    assert plain[0] == texts[0] and plain[1] == "router <ip> and my IP <ip>"
    assert plain[2] == "write to <email>, not to <email>"


@pytest.mark.slow("compiles the project with its own pattern vars")
def test_builtin_kinds_can_be_left_out():
    texts = ["call +44 7911 123456 or write to me@example.com"]
    only_email = masker({"pii_builtin_patterns": ["email"]})
    assert only_email(texts) == [("call +44 7911 123456 or write to <email>", True)]


@pytest.mark.slow("compiles the project once per bad var")
@pytest.mark.parametrize(
    ("vars", "message"),
    [
        ({"pii_extra_patterns": [{"name": "Member ID", "regex": "x"}]}, "name 'Member ID'"),
        ({"pii_extra_patterns": [{"name": "email", "regex": "x"}]}, "name 'email'"),
        ({"pii_extra_patterns": ["MBR-[0-9]+"]}, "needs a name and a regex"),
        ({"pii_keep_patterns": [""]}, "non-empty regex"),
        ({"pii_builtin_patterns": ["email", "ssn"]}, "unknown kind 'ssn'"),
    ],
)
def test_bad_pattern_vars_stop_in_one_line(vars, message):
    done = compile_inline("select {{ mask_pii('t') }} from (select 1 as t)", vars)
    assert done.returncode != 0
    assert message in done.output

"""A desk of any size, generated set-based in DuckDB SQL.

Same tables, contract and vocabulary as generator.py, but every row is a
function of its index and the seed (a hash), so DuckDB streams each table
straight into its file: no Python loop over rows, and memory stays flat as
the size grows. It plants no damage or label noise beyond a little wrong
coding by agents; generator.py's desk is the one the tests take apart.

Shape: about 3 tickets and 5 purchases per player, 3 messages and 1.1
resolutions per ticket.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from trainset.sample import phrases as ph
from trainset.sample.generator import (
    AMOUNTS_USD,
    CATEGORY_CODES,
    CATEGORY_WEIGHTS,
    CHANNELS,
    COLUMNS,
    END,
    PLATFORMS,
    PRIORITIES,
    PRODUCTS,
    START,
    STATUS_OPEN,
    STATUS_RESOLVED,
    TABLES,
    TRAINABLE,
)


def _id(prefix: str, index: str, width: int) -> str:
    """A key such as T000000042 for a row index."""
    return f"{_lit(prefix)} || lpad({index}::varchar, {width}, '0')"


def _lit(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _list(values: Iterable[object]) -> str:
    return "[" + ", ".join(_lit(v) for v in values) + "]"


def _pick(values: Sequence[object], u: str) -> str:
    """One of values, uniformly, for u in [0, 1)."""
    return f"{_list(values)}[1 + cast(floor({u} * {len(values)}) as integer)]"


def _weighted(weights: dict[str, float], u: str) -> str:
    """A key of weights, chosen by u in [0, 1) on the cumulative weights."""
    total, cuts = sum(weights.values()), []
    running = 0.0
    for key, weight in list(weights.items())[:-1]:
        running += weight / total
        cuts.append(f"when {u} < {running!r} then {_lit(key)}")
    return f"case {' '.join(cuts)} else {_lit(list(weights)[-1])} end"


def _by(key: str, pools: Mapping[str, Sequence[object]], u: str) -> str:
    """A value from the pool of key's value (a language, a category...)."""
    arms = " ".join(f"when {_lit(k)} then {_pick(v, u)}" for k, v in pools.items())
    return f"case {key} {arms} end"


def _fill(template: str, lang: str, u: str) -> str:
    """Fill a template's slots ({item}, {feature}, {rival}, {amount})."""
    slots = {
        kind: {k: v[kind] for k, v in ph.SLOTS.items()} for kind in ("item", "feature", "rival")
    }
    text = template
    for i, (kind, pools) in enumerate(slots.items()):
        text = f"replace({text}, '{{{kind}}}', {_by(lang, pools, _u(u, i + 1))})"
    return f"replace({text}, '{{amount}}', {_pick(ph.AMOUNTS, _u(u, 9))})"


def _u(key: str, salt: int | str) -> str:
    """A uniform number in [0, 1), fixed by the key, the salt and the seed."""
    return f"(hash({key}, {_lit(salt)}, getvariable('seed')) % 1000003) / 1000003.0"


def _ts(moment: str, u: str) -> str:
    """A UTC timestamp in one of the contract's accepted text forms."""
    return (
        f"case when {u} < 0.05 then strftime({moment}, '%Y-%m-%dT%H:%M:%SZ') "
        f"when {u} < 0.08 then strftime({moment}, '%Y-%m-%dT%H:%M:%S+00:00') "
        f"else strftime({moment}, '%Y-%m-%d %H:%M:%S') end"
    )


def _seconds(expr: str) -> str:
    return f"to_seconds(cast({expr} as bigint))"


def _after_registration(u: str) -> str:
    """A moment between the player's registration and the end of the desk."""
    span = f"epoch(timestamp '{END}') - epoch(registered)"
    return f"registered + {_seconds(f'floor({u} * ({span}))')}"


def _player_of(i: str, salt: str, n_players: int) -> str:
    """The player an event belongs to: a hash, so about uniform."""
    return f"cast(hash({i}, {_lit(salt)}, getvariable('seed')) % {n_players} as bigint)"


def _player_columns(p: str) -> str:
    """A player's language and registration: functions of the index, so a
    ticket or purchase derives them without a join."""
    offset = _seconds(f"floor({_u(p, 'reg')} * {500 * 86400})")
    registered = f"timestamp '{START}' + {offset}"
    return f"{_weighted(ph.LANGUAGE_WEIGHTS, _u(p, 'lang'))} as lang, ({registered}) as registered"


def _player_text(t: str) -> str:
    """A first message: greeting, a category template, two numbered details
    (which keep texts distinct at ten million tickets), personal data now
    and then, a closer."""
    cat_lang = {
        f"{c}|{lang}": v for c, by_lang in ph.FIRST_MESSAGES.items() for lang, v in by_lang.items()
    }
    core = _by("category || '|' || lang", cat_lang, _u(t, "tpl"))
    ambiguous = _by("lang", ph.AMBIGUOUS_MESSAGES, _u(t, "amb"))
    template = f"case when {_u(t, 'is_amb')} < 0.05 then {ambiguous} else {core} end"

    def detail(k: int) -> str:
        prefix = _pick(ph.CLUB_PREFIXES, _u(t, f"cp{k}"))
        club = f"{prefix} || ' ' || {_pick(ph.CLUB_TOWNS, _u(t, f'ct{k}'))}"
        n = f"cast(1 + floor({_u(t, f'n{k}')} * 999) as integer)::varchar"
        template = _by("lang", ph.DETAILS, _u(t, f"d{k}"))
        return f"replace(replace({template}, '{{n}}', {n}), '{{club}}', {club})"

    pii_kinds = list(ph.PII_PHRASES)
    pii = " ".join(
        f"when {_lit(kind)} then replace({_pick(ph.PII_PHRASES[kind], _u(t, 'piip'))}, '{{v}}', "
        f"{_pick(ph.PII_VALUES[kind], _u(t, 'piiv'))})"
        for kind in pii_kinds
    )
    return (
        "concat_ws(', ', "
        f"case when {_u(t, 'greet?')} < 0.5 then {_by('lang', ph.GREETINGS, _u(t, 'greet'))} end, "
        f"{_fill(template, 'lang', _u(t, 'slot'))}, {detail(1)}, {detail(2)}, "
        f"case when {_u(t, 'pii?')} < 0.12 then "
        f"case {_pick(pii_kinds, _u(t, 'piik'))} {pii} end end, "
        f"case when {_u(t, 'close?')} < 0.5 then {_by('lang', ph.CLOSERS, _u(t, 'close'))} end)"
    )


def _sql_tables(n_tickets: int) -> tuple[list[str], dict[str, str]]:
    """The views the tables read (created first), and each table's query."""
    n_players = max(1, n_tickets // 3)
    codes = {c: CATEGORY_CODES[c] for c in CATEGORY_WEIGHTS}
    subjects = {f"{c}|{lang}": v for c, by in ph.SUBJECTS.items() for lang, v in by.items()}
    replies = {
        f"{code}|{lang}": (text,)
        for code, by_lang in ph.AGENT_REPLIES.items()
        for lang, text in by_lang.items()
    }
    generic_subjects = {k: (v,) for k, v in ph.GENERIC_SUBJECTS.items()}
    ticket_id = _id("T", "t", 9)
    tk = "t || '-' || k"  # one resolution of a ticket
    refund_delay = _seconds(f"3600 * (1 + floor({_u('i', 'rh')} * 2000))")
    players = f"""
        select {_id("P", "p", 8)} as player_id,
            {_ts("registered", _u("p", "regf"))} as registered_at,
            case when {_u("p", "c?")} < 0.03 then null
                else {_by("lang", ph.COUNTRIES, _u("p", "country"))} end as country,
            {_weighted(PLATFORMS, _u("p", "platform"))} as platform,
            case when {_u("p", "l?")} < 0.02 then null else lang end as language
        from (select p, {_player_columns("p")} from range({n_players}) as r(p))
    """
    # Each ticket's own facts, shared by tickets, messages and resolutions.
    ticket_facts = f"""
        create or replace view ticket_facts as
        select t, p, lang, category,
            {_u("t", "resolved?")} < 0.92 as is_resolved,
            created,
            created + {_seconds(_pick((0, 0, 0, 1, 5, 30), _u("t", "lag")))} as first_at,
            created + {_seconds(f"121 + floor({_u('t', 'wait')} * 3600)")} as bot_at,
            created + {_seconds(f"3600 + floor({_u('t', 'res')} * 72 * 3600)")} as resolved_base,
            cast({_u("t", "reopen?")} < 0.15 as integer)
                + cast({_u("t", "again?")} < 0.03 as integer) as earlier_resolutions
        from (
            select t, p, lang,
                {_after_registration(_u("t", "at"))} as created,
                {_weighted(CATEGORY_WEIGHTS, _u("t", "cat"))} as category
            from (
                select t, p, {_player_columns("p")}
                from (select t, {_player_of("t", "player", n_players)} as p
                      from range({n_tickets}) as r(t))
            )
        )
    """
    tickets = f"""
        select {ticket_id} as ticket_id,
            {_id("P", "p", 8)} as player_id,
            {_ts("created", _u("t", "createdf"))} as created_at,
            channel,
            case when channel <> 'in_game' or {_u("t", "subj?")} < 0.3 then
                case when {_u("t", "generic?")} < 0.15
                    then {_by("lang", generic_subjects, "0")}
                    else {_by("category || '|' || lang", subjects, _u("t", "subj"))} end
            end as subject,
            {_weighted(PRIORITIES, _u("t", "prio"))} as priority,
            case when is_resolved then {_weighted(STATUS_RESOLVED, _u("t", "st"))}
                else {_weighted(STATUS_OPEN, _u("t", "st"))} end as status,
            {_weighted(PRODUCTS, _u("p", "product"))} as product
        from (select *, {_weighted(CHANNELS, _u("t", "channel"))} as channel from ticket_facts)
    """
    # One row per resolution: k = 0 is the earliest; the last is the final
    # one, whose code is the category's (4% of trainable ones miscoded).
    noise = _pick(TRAINABLE, _u("t", "other"))
    earlier_category = _weighted(CATEGORY_WEIGHTS, _u(tk, "ecat"))
    resolutions_rows = f"""
        create or replace view resolution_rows as
        select t, lang, k, k = n - 1 and is_resolved as is_final,
            resolved_base + {_seconds("k * 86400")} as resolved,
            case
                when k = n - 1 and is_resolved then
                    case when category in {tuple(TRAINABLE)} and {_u("t", "noise?")} < 0.04
                        then {_by(noise, codes, _u("t", "noisecode"))}
                        else {_by("category", codes, _u("t", "code"))} end
                else {_by(earlier_category, codes, _u(tk, "ecode"))}
            end as code
        from (
            select *, earlier_resolutions + cast(is_resolved as integer) as n
            from ticket_facts
        ), range(3) as r(k)
        where k < n
    """
    resolutions = f"""
        select {_id("R", "t", 9)} || k::varchar as resolution_id,
            {ticket_id} as ticket_id,
            {_id("A", f"cast(floor({_u(tk, 'agent')} * 40) as integer)", 3)} as agent_id,
            code as resolution_code,
            {_ts("resolved", _u(tk, "rf"))} as resolved_at
        from resolution_rows
    """
    follow_up = _by("lang", ph.FOLLOW_UPS, _u(tk, "fu"))
    messages = f"""
        select {_id("M", "t", 9)} || '-' || kind as message_id,
            {ticket_id} as ticket_id, author_role, body,
            {_ts("message_at", _u("t || kind", "mf"))} as created_at
        from (
            select t, 'p' as kind, 'player' as author_role, {_player_text("t")} as body,
                first_at as message_at
            from ticket_facts where {_u("t", "silent?")} >= 0.002
            union all
            select t, 'b', 'bot', {_by("lang", {k: (v,) for k, v in ph.BOT_REPLIES.items()}, "0")},
                bot_at
            from ticket_facts where {_u("t", "bot?")} < 0.7
            union all
            select t, 'f', 'player', {_by("lang", ph.FOLLOW_UPS, _u("t", "fu"))},
                resolved_base + {_seconds(f"60 + floor({_u('t', 'fuat')} * 36000)")}
            from ticket_facts where {_u("t", "fu?")} < 0.3
            union all
            select t, 'a' || k::varchar, 'agent', {_by("code || '|' || lang", replies, "0")},
                resolved
            from resolution_rows
            union all
            select t, 'r' || k::varchar, 'player', {follow_up},
                resolved - interval 5 minute
            from resolution_rows where not is_final and {_u(tk, "fu?")} < 0.8
        )
    """
    purchases = f"""
        select {_id("U", "i", 10)} as purchase_id,
            {_id("P", "p", 8)} as player_id,
            {_ts("purchased", _u("i", "pf"))} as purchased_at,
            {_pick(AMOUNTS_USD, _u("i", "amount"))} as amount_usd,
            case when {_u("i", "refund?")} < 0.15 then
                {_ts(f"purchased + {refund_delay}", _u("i", "rf"))}
            end as refunded_at
        from (
            select i, p,
                {_after_registration(_u("i", "at"))} as purchased
            from (
                select i, p, {_player_columns("p")}
                from (select i, {_player_of("i", "buyer", n_players)} as p
                      from range({5 * n_players}) as r(i))
            )
        )
    """
    return [ticket_facts, resolutions_rows], {
        "players": players,
        "tickets": tickets,
        "ticket_messages": messages,
        "ticket_resolutions": resolutions,
        "purchases": purchases,
    }


def write(
    out_dir: Path,
    n_tickets: int,
    seed: int = 7,
    fmt: str = "parquet",
    memory_limit: str = "4GB",
    progress: Callable[[str], object] | None = None,
) -> list[Path]:
    """Write a desk of n_tickets tickets as <out_dir>/<table>.<fmt>."""
    import duckdb

    if fmt not in ("csv", "parquet"):
        raise ValueError(f"unknown format {fmt!r}: use csv or parquet")
    out_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(f"set memory_limit = {_lit(memory_limit)}")
    con.execute(f"set temp_directory = {_lit(str(out_dir / '.tmp'))}")
    # Row order in the files does not matter; dropping it lets DuckDB stream.
    con.execute("set preserve_insertion_order = false")
    con.execute(f"set variable seed = {int(seed)}")
    views, queries = _sql_tables(n_tickets)
    for view in views:
        con.execute(view)
    options = "format parquet, compression zstd" if fmt == "parquet" else "format csv, header"
    paths = []
    for table in TABLES:
        path = out_dir / f"{table}.{fmt}"
        if progress:
            progress(table)
        columns = ", ".join(COLUMNS[table])
        con.execute(
            f"copy (select {columns} from ({queries[table]})) to {_lit(str(path))} ({options})"
        )
        paths.append(path)
    con.close()
    shutil.rmtree(out_dir / ".tmp", ignore_errors=True)
    return paths


def describe(out_dir: Path) -> dict[str, int]:
    """Row counts of a written desk, read back."""
    import duckdb

    counts: dict[str, int] = {}
    for path in sorted(out_dir.glob("*.*")):
        reader = "read_parquet" if path.suffix == ".parquet" else "read_csv"
        counts[path.stem] = duckdb.execute(
            f"select count(*) from {reader}({_lit(str(path))})"
        ).fetchall()[0][0]
    return counts

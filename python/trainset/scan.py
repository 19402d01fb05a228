"""An exported version as DuckDB views over its split files, for the
commands that look at the data at any size: profile, diff, baseline, audit.

Nothing here loads a whole export into pandas: the views are scanned by
DuckDB, and only aggregates or a stated, seeded sample come back.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainset.errors import TrainsetError
from trainset.load import read_training, split_reader_sql
from trainset.manifest import FEATURES, LABELS, Manifest, declared_kinds, kind_of

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

MACROS = Path(__file__).resolve().parents[2] / "macros"
# The files that define the dbt tests' text key, and the macros it calls.
TEXT_KEY_FILES = ("normalize_text.sql", "trim_whitespace.sql", "regexp.sql")
# A regression's sample is stratified on this many quantile bins of its label.
LABEL_BINS = 10
# The seed of every sample: the baseline's, the audit's and the profile's.
SEED = 0
# The fewest rows of a baseline segment that is scored, and that diff's
# segment-f1-drop rule reads.
SEGMENT_MIN_ROWS = 30


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection, held to the build's memory limit:
    what does not fit spills to a temporary folder."""
    import os
    import tempfile

    import duckdb

    limit = os.environ.get("TRAINSET_MEMORY_LIMIT", "3GB")
    spill = Path(os.environ.get("TRAINSET_TEMP_DIR") or tempfile.gettempdir())
    # DuckDB makes one folder level, not its parents, and dbt's DuckDB
    # removes the TRAINSET_TEMP_DIR it made when a build ends.
    try:
        spill.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise TrainsetError(
            f"cannot make the spill folder {spill} (TRAINSET_TEMP_DIR): {error}"
        ) from None
    con = duckdb.connect()
    con.execute(f"set memory_limit = {literal(limit)}")
    # One folder per process: DuckDB removes the folder it made when it closes.
    con.execute(f"set temp_directory = {literal(spill / f'trainset-scan-{os.getpid()}')}")
    con.execute("set preserve_insertion_order = false")
    return con


def fetch(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return con.execute(sql).fetchall()


def null_rates(con: duckdb.DuckDBPyConnection, relation: str, columns: list[str]) -> list[Any]:
    """Each column's share of nulls in relation, from one scan."""
    if not columns:
        return []
    shares = ", ".join(f"avg(case when {quote(c)} is null then 1.0 else 0.0 end)" for c in columns)
    return list(fetch(con, f"select {shares} from {relation}")[0])


def attach(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    name: str = "rows",
    verify: bool = True,
    table: bool = False,
) -> Manifest:
    """Create view NAME over every split of the export at path (features,
    label and a `split` column), or a temporary table for a caller that
    scans it many times; return the manifest."""
    path = Path(path)
    manifest = read_training(path, verify)
    ident, label = quote(manifest.roles.id), quote(manifest.label)
    parts = []
    for split in manifest.splits:
        features = split_reader_sql(path, FEATURES, split, manifest)
        labels = split_reader_sql(path, LABELS, split, manifest)
        parts.append(
            f"select f.*, l.{label}, {literal(split)} as split "
            f"from {features} as f inner join {labels} as l on f.{ident} = l.{ident}"
        )
    kind = "temporary table" if table else "view"
    con.execute(f"create or replace {kind} {name} as " + " union all by name ".join(parts))
    return manifest


def attach_features(
    con: duckdb.DuckDBPyConnection, path: str | Path, manifest: Manifest, name: str
) -> str:
    """The relation that queries of features alone read: view NAME_features
    over the features files alone (with `split`) when it holds the same
    rows as attach's view NAME, or NAME itself. The same rows when neither file of
    a split repeats an id and every row has its label, as an export writes
    them: a query then skips the join to the labels (10 to 20 times
    faster). Otherwise the join's rows, repeats and all, as before."""
    path = Path(path)
    ident = quote(manifest.roles.id)
    parts: dict[str, list[str]] = {kind: [] for kind in (FEATURES, LABELS)}
    for split in manifest.splits:
        for kind, found in parts.items():
            reader = split_reader_sql(path, kind, split, manifest)
            found.append(f"select *, {literal(split)} as split from {reader}")
    views = {kind: f"{name}_{kind}" for kind in parts}
    for kind, found in parts.items():
        con.execute(f"create or replace view {views[kind]} as " + " union all by name ".join(found))
    (same,) = fetch(
        con,
        f"""
        select
            (select count(*) = count(distinct {ident}) from {views[FEATURES]})
            and (select count(*) = count(distinct {ident}) from {views[LABELS]})
            and (select count(*) from {views[FEATURES]}) = (select count(*) from {name})
        """,
    )[0]
    return views[FEATURES] if same else name


def empty_features(manifest: Manifest) -> list[str]:
    """Features with no value in any row (an optional raw table was absent):
    profile and baseline leave them out, and say so."""
    return list(manifest.all_null_features)


def feature_kinds_sql(
    con: duckdb.DuckDBPyConnection, manifest: Manifest, relation: str
) -> dict[str, str]:
    """text, categorical or numeric for each feature column, read from a
    relation: the rule of manifest.feature_kinds, computed in DuckDB."""
    kinds = declared_kinds(manifest)
    measured = [c for c, kind in kinds.items() if kind is None]
    if measured:
        select = ", ".join(
            f"count({quote(c)}), count(distinct cast({quote(c)} as varchar)), "
            f"avg(length(cast({quote(c)} as varchar)))"
            for c in measured
        )
        (row,) = fetch(con, f"select {select} from {relation}")
        for i, column in enumerate(measured):
            n, distinct, mean_length = row[3 * i : 3 * i + 3]
            kinds[column] = kind_of(n, distinct, mean_length)
    return {c: kind or "categorical" for c, kind in kinds.items()}


def _text_key_macros() -> Any:
    """The dbt project's own text_key macro, rendered for DuckDB by Jinja:
    the one definition the dbt tests and the Python side both read. (Any:
    the macros are attributes the template module gets when rendered.)"""
    import jinja2

    files = [MACROS / name for name in TEXT_KEY_FILES]
    if not all(f.is_file() for f in files):
        raise TrainsetError(f"the dbt macros that define the text key are missing from {MACROS}")
    module: dict[str, jinja2.environment.TemplateModule] = {}

    class Adapter:
        @staticmethod
        def dispatch(name: str, _package: str | None = None) -> Any:
            return getattr(module["m"], f"duckdb__{name}")

    env = jinja2.Environment(extensions=["jinja2.ext.do"], undefined=jinja2.StrictUndefined)
    env.globals.update({"adapter": Adapter(), "return": lambda value: value})
    module["m"] = env.from_string("".join(f.read_text() for f in files)).module
    return module["m"]


def text_key_sql(columns: list[str], normalize: bool = True) -> str:
    """The SQL expression of the dbt tests' text key over columns."""
    sql = _text_key_macros().text_key([quote(c) for c in columns], normalize)
    return str(sql).strip()


def sample_sql(
    relation: str,
    id_column: str,
    max_rows: int,
    seed: int = SEED,
    stratify: str | None = None,
    where: str = "true",
) -> str:
    """SQL of a seeded sample of at most about max_rows rows of relation.

    Rows are ranked by a hash of the id and seed, so the same seed gives
    the same rows whatever the row order or thread count; with stratify,
    each value of that column keeps its share (at least one row each).
    """
    partition = f"partition by {quote(stratify)}" if stratify else ""
    return f"""
        with candidates as (
            select *, hash(cast({quote(id_column)} as varchar), {int(seed)}) as _rank_key
            from {relation} where {where}
        ),
        ranked as (
            select *,
                row_number() over (
                    {partition} order by _rank_key,
                    cast({quote(id_column)} as varchar)
                ) as _rank,
                count(*) over ({partition})
                    as _stratum,
                count(*) over () as _total
            from candidates
        )
        select * exclude (_rank_key, _rank, _stratum, _total) from ranked
        where _total <= {int(max_rows)}
            or _rank <= greatest(1, floor(_stratum * {int(max_rows)} / _total))
        """


def load_sample(
    path: str | Path,
    split: str,
    max_rows: int | None,
    seed: int = SEED,
    on_step: Callable[[str], None] | None = None,
) -> tuple[pd.DataFrame, pd.Series[Any], dict[str, Any]]:
    """(X, y, facts) for one split: the whole split, or a stratified, seeded
    sample of at most about max_rows rows (strata: the classes, or for a
    regression the label's quantile bins); facts say which."""
    step = on_step or (lambda _: None)
    con = connect()
    manifest = attach(con, path)
    if split not in manifest.splits:
        known = ", ".join(manifest.splits)
        raise TrainsetError(f"no split {split!r} in {path} (splits: {known})")
    ident, label = manifest.roles.id, manifest.label
    where = f"split = {literal(split)}"
    ((total,),) = fetch(con, f"select count(*) from rows where {where}")
    columns = ", ".join(quote(c) for c in [ident, *manifest.roles.features, label])
    regression = manifest.regression
    if max_rows is None or total <= max_rows:
        sql = f"select {columns} from rows where {where}"
    else:
        step(f"sampling {max_rows:,} of {total:,} {split} rows")
        relation, stratify = "rows", label
        if regression:
            # A number has no classes: its quantile bins are the strata
            # (the id breaks ties, so the bins do not depend on row order).
            relation = (
                f"(select *, ntile({LABEL_BINS}) over (order by {quote(label)}, "
                f"{quote(ident)}) as _label_bin from rows where {where})"
            )
            stratify = "_label_bin"
        inner = sample_sql(relation, ident, max_rows, seed, stratify, where)
        sql = f"select {columns} from ({inner})"
    frame = con.execute(sql + f" order by {quote(ident)}").df()
    con.close()
    frame = frame.set_index(ident)
    facts = {
        "split": split,
        "rows": len(frame),
        "of_rows": int(total),
        "sampled": len(frame) < total,
        "seed": seed,
        "max_rows": max_rows,
    }
    if regression:
        facts["strata"] = f"{LABEL_BINS} quantile bins of the label"
    return frame, frame.pop(label), facts

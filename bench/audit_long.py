"""The audit on long texts: 2,400 training rows of real complaint narratives.

    python bench/audit_long.py COMPLAINTS_CSV SCRATCH [ROWS]

COMPLAINTS_CSV is a CFPB complaints export, the file the cfpb_path var
names (read, never copied into the repo).
Each row's text is one narrative followed by another, so the texts run to
thousands of characters; the label is the first one's product. The rows
are written as a Parquet export (train only) in SCRATCH, and trainset audit
is timed on it.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import duckdb


def write_export(csv: Path, out: Path, rows: int) -> Path:
    shutil.rmtree(out, ignore_errors=True)
    (out / "train").mkdir(parents=True)
    with duckdb.connect() as con:
        con.execute(
            f"""
            create table narratives as
            select row_number() over (order by "Complaint ID") - 1 as i,
                "Product" as product, "Consumer complaint narrative" as narrative
            from read_csv('{csv}', skip = 2, header = true, all_varchar = true)
            where "Consumer complaint narrative" is not null
            """
        )
        (n,) = con.execute("select count(*) from narratives").fetchone()
        con.execute(
            f"""
            create table rows as
            select 'R' || lpad(cast(r.range as varchar), 6, '0') as row_id,
                a.narrative || ' ' || b.narrative as body, a.product as product
            from range({rows}) as r
            inner join narratives as a on a.i = r.range % {n}
            inner join narratives as b on b.i = (r.range * 7 + 1) % {n}
            """
        )
        for kind, columns in (("features", "row_id, body"), ("labels", "row_id, product")):
            con.execute(
                f"copy (select {columns} from rows order by row_id) "
                f"to '{out / 'train' / kind}.parquet' (format parquet)"
            )
        labels = dict(con.execute("select product, count(*) from rows group by 1").fetchall())
        (mean,) = con.execute("select avg(length(body)) from rows").fetchone()
    (out / "manifest.json").write_text(_manifest(out, rows, labels).to_json())
    print(f"{rows:,} rows, texts of {mean:,.0f} characters on average", flush=True)
    return out


def _manifest(out: Path, rows: int, labels: dict[str, int]):
    """A manifest of the current schema for the hand-written export: no
    dbt build, no tests."""
    from trainset import __version__
    from trainset.manifest import (
        SCHEMA_VERSION,
        Column,
        DbtBuild,
        DbtTests,
        GitState,
        Manifest,
        Roles,
        SplitFacts,
        file_entries,
    )

    return Manifest(
        schema_version=SCHEMA_VERSION,
        trainset_version=__version__,
        dataset="complaint_narratives",
        version=1,
        latest_version=1,
        description="Two CFPB narratives per row; the label is the first one's product.",
        created_at=time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
        format="parquet",
        writer=f"duckdb {duckdb.__version__}",
        dbt=DbtBuild("bench.audit_long", "rows", "none", "duckdb", None, None, None),
        git=GitState(None, None),
        vars={},
        columns=[
            Column("row_id", "id", "VARCHAR", "The row."),
            Column("body", "feature", "VARCHAR", "Two narratives."),
            Column("product", "label", "VARCHAR", "The first narrative's product."),
        ],
        all_null_features=[],
        task="classification",
        roles=Roles(id="row_id", label="product", split=None, features=["body"]),
        splits={"train": SplitFacts(rows=rows, labels=labels)},
        files=file_entries(out, "parquet"),
        tests=DbtTests(summary={}, results=[]),
        exposures=[],
        provenance={},
        allow_failed_tests=False,
        failing_tests_overridden=[],
        csv_safe=False,
        csv_formula_cells=0,
    )


if __name__ == "__main__":
    from trainset.audit import run_audit

    export = write_export(
        Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 2400
    )
    started = time.perf_counter()
    issues = run_audit(export)
    print(
        f"audit: {time.perf_counter() - started:.1f} s, "
        f"{int(issues['is_label_issue'].sum())} of {len(issues):,} flagged"
    )

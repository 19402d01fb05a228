"""A copy of an exported version with a share of its labels changed, and a
manifest that matches its files: the "new" side of the diff benchmark.

    python bench/flip_labels.py EXPORT OUT [SHARE]

Each row whose id hashes into SHARE (default 0.01) takes the next label in
sorted order; everything else is copied byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

import duckdb


def flip(export: Path, out: Path, share: float = 0.01) -> Path:
    manifest = json.loads((export / "manifest.json").read_text())
    if manifest["format"] != "parquet":
        raise SystemExit("flip_labels.py takes a Parquet export")
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(export, out)
    ident, label = manifest["roles"]["id"], manifest["roles"]["label"]
    labels = sorted({v for s in manifest["splits"].values() for v in s["labels"]})
    following = " ".join(
        f"when '{a}' then '{b}'" for a, b in zip(labels, labels[1:] + labels[:1], strict=True)
    )
    buckets = round(1 / share)
    with duckdb.connect() as con:
        for split, facts in manifest["splits"].items():
            path = out / split / "labels.parquet"
            source = export / split / "labels.parquet"
            con.execute(
                f"""
                copy (
                    select "{ident}",
                        case when hash("{ident}") % {buckets} = 0
                            then case "{label}" {following} end
                            else "{label}" end as "{label}"
                    from read_parquet('{source}') order by "{ident}"
                ) to '{path}' (format parquet)
                """
            )
            facts["labels"] = dict(
                con.execute(
                    f"""select "{label}", count(*) from read_parquet('{path}')
                    group by 1 order by 1"""
                ).fetchall()
            )
    for entry in manifest["files"]:
        data = (out / entry["path"]).read_bytes()
        entry.update(bytes=len(data), sha256=hashlib.sha256(data).hexdigest())
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return out


if __name__ == "__main__":
    flip(Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3]) if len(sys.argv) > 3 else 0.01)

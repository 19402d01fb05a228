"""What training the baseline on a sample costs in macro-F1.

    python bench/baseline_sample.py EXPORT [ROWS ...]

Trains on all of train, then on stratified, seeded samples of ROWS rows
(default: 75% and 50% of train), in a scratch copy of the export, and
prints macro-F1 on validation and test for each, with the cost in points.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

from trainset.baseline import run_baseline


def main(export: Path, sizes: list[int]) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "v"
        shutil.copytree(export, copy)
        full = run_baseline(copy, max_train_rows=None)
        rows = full["train_sample"]["rows"]
        results = {"all": {"rows": rows, **_f1(full)}}
        for n in sizes or [rows * 3 // 4, rows // 2]:
            report = run_baseline(copy, max_train_rows=n)
            results[str(n)] = {"rows": report["train_sample"]["rows"], **_f1(report)}
    for name, r in results.items():
        cost = {s: 100 * (results["all"][s] - r[s]) for s in ("validation", "test")}
        print(
            f"{name:>8} ({r['rows']:,} rows): macro-F1 validation {r['validation']:.4f}, "
            f"test {r['test']:.4f}; cost {cost['validation']:+.2f} / {cost['test']:+.2f} points"
        )
    return results


def _f1(report: dict) -> dict:
    return {s: v["macro_f1"] for s, v in report["splits"].items()}


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), [int(n) for n in sys.argv[2:]]), indent=1))

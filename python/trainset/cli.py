"""The `trainset` command: parses options, calls the library, prints.

Every subcommand is a thin wrapper over a plain function that takes explicit
arguments, so the library works without the CLI.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console

from trainset.errors import TrainsetError

console = Console(stderr=True)


def _sample(args: argparse.Namespace) -> int:
    from trainset.sample import generator

    with console.status(f"generating a desk of {args.tickets:,} tickets"):
        desk = generator.generate(n_tickets=args.tickets, seed=args.seed)
        paths = generator.write(desk, Path(args.out), fmt=args.format)
    for path in paths:
        console.print(f"wrote {path}")
    return 0


def _build(args: argparse.Namespace) -> int:
    from trainset.project import find_project, run_dbt

    ok = run_dbt(["build", *args.dbt_args], find_project(args.project_dir))
    return 0 if ok else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trainset",
        description="Training datasets as tested, versioned dbt models.",
    )
    parser.add_argument(
        "--project-dir",
        type=Path,
        default=None,
        help="the dbt project (default: the current folder or its nearest "
        "parent with a dbt_project.yml)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "sample",
        help="write a synthetic raw desk export",
        description="Write a deterministic synthetic raw desk export (the five "
        "contract tables) into a folder that the raw_dir var can point at.",
    )
    p.add_argument("--out", required=True, help="folder to write into")
    p.add_argument("--tickets", type=int, default=2400, help="about this many")
    p.add_argument("--seed", type=int, default=7, help="random seed")
    p.add_argument("--format", choices=("csv", "parquet"), default="csv")
    p.set_defaults(func=_sample)

    p = sub.add_parser(
        "build",
        help="run dbt build in the project",
        description="Run `dbt build` in the project with any dbt arguments, "
        "for example: trainset build --select ticket_triage "
        "--vars '{raw_dir: /data/desk}'",
    )
    p.add_argument("dbt_args", nargs=argparse.REMAINDER, help="passed to dbt")
    p.set_defaults(func=_build)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except TrainsetError as error:
        console.print(f"[red]error:[/red] {error}", highlight=False)
        return 2
    except KeyboardInterrupt:
        console.print("[red]interrupted[/red]")
        return 130


if __name__ == "__main__":
    sys.exit(main())

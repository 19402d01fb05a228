"""The `trainset` command: parses options, calls the library, prints.

Every subcommand is a thin wrapper over a plain function that takes explicit
arguments, so the library works without the CLI.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from trainset.baseline import MIN_ROWS_PER_LABEL
from trainset.errors import TrainsetError

if TYPE_CHECKING:
    from rich.progress import Progress

    from trainset.reconcile import DeskFunnel

console = Console(stderr=True, soft_wrap=True)


SCALE_ABOVE = 100_000


def _sample(args: argparse.Namespace) -> int:
    from trainset.sample import generator, scale

    if args.tickets < 1:
        raise TrainsetError(f"--tickets must be at least 1, got {args.tickets}")
    engine = args.engine or ("duckdb" if args.tickets > SCALE_ABOVE else "python")
    if engine == "duckdb":
        with console.status(f"generating {args.tickets:,} tickets set-based in DuckDB") as status:
            paths = scale.write(
                Path(args.out),
                args.tickets,
                seed=args.seed,
                fmt=args.format,
                progress=lambda table: status.update(f"writing {table}"),
            )
    else:
        with console.status(f"generating a desk of {args.tickets:,} tickets"):
            desk = generator.generate(n_tickets=args.tickets, seed=args.seed)
            paths = generator.write(desk, Path(args.out), fmt=args.format)
    for path in paths:
        console.print(f"wrote {path}")
    return 0


def _target_of(dbt_args: list[str]) -> str | None:
    """The profile target a dbt command line names, if it names one."""
    for i, arg in enumerate(dbt_args):
        if arg in ("-t", "--target") and i + 1 < len(dbt_args):
            return dbt_args[i + 1]
        if arg.startswith("--target="):
            return arg.split("=", 1)[1]
    return None


def _build(args: argparse.Namespace) -> int:
    from trainset.project import find_project, run_dbt
    from trainset.warehouse import ensure_buildable

    project = find_project(args.project_dir)
    in_process = ensure_buildable(project, _target_of(args.dbt_args))
    done = run_dbt(["build", *args.dbt_args], project, in_process=in_process)
    _show_failing_rows(project)
    return 0 if done.ok else 1


def _show_failing_rows(project: Path) -> None:
    """The first stored failing rows of every test that warned or failed."""
    from rich.table import Table

    from trainset.artifacts import default_target, read_json
    from trainset.warehouse import preview

    target = default_target(project)
    try:
        run_results = read_json(target / "run_results.json", "dbt run results")
        manifest = read_json(target / "manifest.json", "dbt manifest")
    except TrainsetError:
        return
    results, nodes = run_results["results"], manifest["nodes"]
    adapter = manifest["metadata"]["adapter_type"]
    dbt_target = run_results.get("args", {}).get("target")
    for result in results:
        node = nodes.get(result["unique_id"], {})
        relation = node.get("relation_name")
        if result["status"] not in ("warn", "fail") or not relation:
            continue
        try:
            columns, rows = preview(project, relation, adapter=adapter, target=dbt_target)
        except Exception:  # the preview is a courtesy; dbt's own output stands
            continue
        table = Table(title=f"{result['status']}: {node['name']}", title_justify="left")
        for column in columns:
            table.add_column(column, overflow="fold", max_width=60)
        for row in rows:
            table.add_row(*("" if v is None else str(v) for v in row))
        console.print(table)


def _export(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, Progress, TextColumn

    from trainset.export import export_dataset
    from trainset.project import find_project

    project = find_project(args.project_dir)
    out = Path(args.out) if Path(args.out).is_absolute() else Path.cwd() / args.out
    with Progress(
        TextColumn("export"),
        BarColumn(),
        TextColumn("{task.description}"),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("reading dbt artifacts", total=None)

        def on_step(what: str) -> None:
            progress.update(task, description=what, advance=1)

        result = export_dataset(
            project,
            args.dataset,
            version=args.version,
            out=out,
            fmt=args.format,
            allow_failed_tests=args.allow_failed_tests,
            force=args.force,
            csv_safe=args.csv_safe,
            on_step=on_step,
            profile_target=args.target,
        )
    manifest = result.manifest
    dbt = manifest.dbt
    latest = dbt.latest_attempt
    if latest and latest.invocation_id != dbt.invocation_id:
        console.print(
            f"[yellow]warning:[/yellow] the latest build ({latest.invocation_id} at "
            f"{latest.started_at}) {latest.status} this dataset: exported the earlier "
            f"build {dbt.invocation_id} of {dbt.built_at}",
            highlight=False,
        )
    rows = ", ".join(f"{s} {f.rows:,}" for s, f in manifest.splits.items())
    if manifest.scores:
        scores = manifest.scores
        rows = f"{manifest.total_rows:,} to score with {scores.dataset} v{scores.version}"
    verb = {
        "written": "exported",
        "replaced": "replaced",
        "unchanged": "unchanged (same data already exported)",
    }[result.status]
    console.print(f"{manifest.dataset} v{manifest.version} {verb}: {result.path}")
    console.print(f"  rows: {rows}")
    summary = manifest.tests.summary
    console.print("  tests: " + ", ".join(f"{n} {k}" for k, n in sorted(summary.items())))
    if summary.get("not_run"):
        console.print(
            f"[yellow]warning:[/yellow] {summary['not_run']} test(s) on it or upstream of it "
            "have not run on this build's data: run `dbt test`, then export again",
            highlight=False,
        )
    if manifest.failing_tests_overridden:
        console.print(
            "[yellow]  failing tests overridden:[/yellow] "
            + ", ".join(manifest.failing_tests_overridden)
        )
    if manifest.csv_formula_cells:
        console.print(
            f"[yellow]warning:[/yellow] {manifest.csv_formula_cells} CSV cells start "
            "with =, +, - or @ and may run as formulas in a spreadsheet; "
            "re-export with --csv-safe to neutralise them"
        )
    return 0


def _history(args: argparse.Namespace) -> int:
    import json

    from rich.table import Table

    from trainset.project import find_project
    from trainset.record import dataset_history

    dataset, where, entries = dataset_history(
        find_project(args.project_dir), args.dataset, args.version, args.target
    )
    if args.format == "json":
        sys.stdout.write(json.dumps(entries, indent=2) + "\n")
        return 0
    table = Table(
        title=f"{dataset.name} v{dataset.version} in {where}, newest first",
        title_justify="left",
    )
    for column in ("started", "command", "invocation", "dataset", "tests"):
        table.add_column(column, no_wrap=column != "tests")
    for e in entries:
        table.add_row(
            e["started_at"],
            e["command"],
            e["invocation_id"],
            e["dataset_status"] or "-",
            ", ".join(f"{n} {status}" for status, n in e["tests"].items()) or "-",
        )
    Console(soft_wrap=True).print(table)
    if not entries:
        console.print(f"no build or test run of {dataset.name} v{dataset.version} is recorded")
    return 0


def _check_pit(args: argparse.Namespace) -> int:
    import json

    import yaml
    from rich.table import Table

    from trainset.checkpit import check_pit
    from trainset.project import find_project

    try:
        vars_ = yaml.safe_load(args.vars) if args.vars else {}
    except yaml.YAMLError as error:
        raise TrainsetError(f"--vars is not YAML: {str(error).splitlines()[0]}") from None
    if not isinstance(vars_, dict):
        raise TrainsetError("--vars must be a YAML mapping, e.g. '{raw_dir: /data/desk}'")
    progress, step = _steps("check-pit")
    with progress:
        report = check_pit(
            find_project(args.project_dir),
            args.dataset,
            args.version,
            cutoffs=args.cutoff,
            vars_=vars_,
            keep=Path(args.keep) if args.keep else None,
            on_step=step,
        )
    if args.format == "json":
        sys.stdout.write(json.dumps(report.as_dict(), indent=2, default=str) + "\n")
    else:
        out = Console(soft_wrap=True)
        for check in report.cutoffs:
            table = Table(
                title=f"{report.dataset} v{report.version}, rows with {report.as_of} "
                f"before {check.cutoff}",
                title_justify="left",
            )
            for column in (
                "feature",
                "compared",
                "differing",
                "examples (id: all data / at cutoff)",
            ):
                table.add_column(column)
            for f in check.features:
                examples = "; ".join(f"{e['id']}: {e['full']} / {e['cut']}" for e in f.examples)
                table.add_row(
                    f.name,
                    f"{f.compared:,}",
                    f"[red]{f.differing:,}[/red]" if f.differing else "0",
                    examples,
                )
            out.print(table)
            out.print(
                f"  labels that differ (allowed): {check.label_differs:,}; eligible only "
                f"with all the data: {check.only_in_full:,}; only at the cutoff: "
                f"{check.only_in_cut:,}"
            )
        for table_name, columns in report.unchecked.items():
            out.print(
                f"unchecked: {table_name}.{', '.join(columns)} hold only the current state "
                "and cannot be cut"
            )
        for feature, tables in report.exposed.items():
            out.print(f"  {feature} reaches snapshot columns of {', '.join(tables)}")
    leaking = report.leaking_features
    if leaking:
        console.print(
            f"[red]error:[/red] {len(leaking)} feature(s) see the future: {', '.join(leaking)}",
            highlight=False,
        )
        return 1
    console.print(f"ok: no feature of {report.dataset} v{report.version} changes at any cutoff")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from trainset.manifest import read_manifest, verify_export

    manifest = read_manifest(Path(args.path))
    with console.status("verifying checksums"):
        problems = verify_export(Path(args.path), raise_on_error=False)
    for problem in problems:
        console.print(f"[red]error:[/red] {problem}", highlight=False)
    if problems:
        return 1
    console.print(f"ok: {len(manifest.files)} files match {args.path}/manifest.json")
    return 0


def _steps(label: str) -> tuple[Progress, Callable[[str], None]]:
    """A rich progress display, and the on_step callback that drives it;
    quiet when output is not a terminal or CI is set."""
    import os

    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    progress = Progress(
        SpinnerColumn(),
        TextColumn(label),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal or bool(os.environ.get("CI")),
    )
    task = progress.add_task("starting", total=None)
    return progress, lambda what: progress.update(task, description=what)


def _profile(args: argparse.Namespace) -> int:
    from trainset.profile import render_profile, screenshot

    progress, step = _steps("profile")
    with progress:
        out = render_profile(args.path, compare=args.compare, out=args.out, on_step=step)
        if args.screenshot:
            step("screenshot")
            screenshot(out, Path(args.screenshot))
    console.print(f"wrote {out}" + (f" and {args.screenshot}" if args.screenshot else ""))
    return 0


def _baseline(args: argparse.Namespace) -> int:
    from trainset.baseline import run_baseline

    progress, step = _steps("baseline")
    with progress:
        report = run_baseline(
            args.path,
            on_step=step,
            max_train_rows=args.max_train_rows,
            seed=args.seed,
            min_rows_per_label=args.min_rows_per_label,
        )
    sample = report["train_sample"]
    console.print(
        f"trained on {sample['rows']:,} of {sample['of_rows']:,} training rows"
        + (f" (stratified sample, seed {sample['seed']})" if sample["sampled"] else "")
    )
    if report.get("left_out_features"):
        console.print("left out, no value in any row: " + ", ".join(report["left_out_features"]))
    if report.get("task") == "regression":
        return _print_regression(report, Path(args.path))
    return _print_classification(report, Path(args.path))


def _print_classification(report: dict[str, Any], path: Path) -> int:
    for split, s in report["splits"].items():
        m = s["majority_baseline"]
        console.print(
            f"{split}: accuracy {s['accuracy']:.3f}, macro-F1 {s['macro_f1']:.3f} "
            f"(majority class: accuracy {m['accuracy']:.3f}, macro-F1 {m['macro_f1']:.3f})"
        )
        thin = s.get("thin_labels", {})
        # A thin label's F1 is not a score: a dash, and a line of its own.
        console.print(
            "  F1 by label: "
            + ", ".join(
                f"{label} {'-' if label in thin else f'{f1:.2f}'}"
                for label, f1 in s["f1_per_label"].items()
            )
        )
        for label, facts in thin.items():
            console.print(
                f"  {label}: {facts['note']} ({facts['rows']} rows, fewer than "
                f"{report['min_rows_per_label']})",
                highlight=False,
            )
    _print_segments(report)
    console.print(f"wrote {path / 'baseline.json'} and confusion_matrix.png")
    return 0


# How many segments the terminal lists; baseline.json has them all.
SEGMENTS_SHOWN = 10


def _print_segments(report: dict[str, Any]) -> None:
    """The worst segments of the scored split, one line each."""
    found = report.get("segments")
    if not found:
        return
    metric, overall, segments = found["metric"], found["overall"], found["segments"]
    said = "MAE" if metric == "mae" else "macro-F1"
    # An error in the label's unit, as the split lines print it; an F1 to 3 places.
    form = ".4g" if metric == "mae" else ".3f"
    console.print(
        f"segments of {found['split']} (at least {found['min_rows']} rows), worst first: "
        f"{said} against {overall[metric]:{form}} over all {found['split']} rows",
        highlight=False,
    )
    for segment in segments[:SEGMENTS_SHOWN]:
        chars = segment.get("characters")
        where = f" ({chars[0]}-{chars[1]} characters)" if chars else ""
        gap = segment["gap"]
        versus = f"{abs(gap):{form}} {'worse' if gap > 0 else 'better'}" if gap else "as the whole"
        console.print(
            f"  {segment['by']} = {segment['value']}{where}: {segment[metric]:{form}} "
            f"({versus}), {segment['rows']:,} rows",
            highlight=False,
        )
    if len(segments) > SEGMENTS_SHOWN:
        console.print(f"  … {len(segments) - SEGMENTS_SHOWN} more in baseline.json")


def _print_regression(report: dict[str, Any], path: Path) -> int:
    console.print(f"{report['model']}; median of train: {report['train_median']:.4g}")
    for split, s in report["splits"].items():
        m = s["median_baseline"]
        console.print(
            f"{split}: MAE {s['mae']:.4g}, RMSE {s['rmse']:.4g}, R² {s['r2']:.3f} "
            f"(train median: MAE {m['mae']:.4g}, RMSE {m['rmse']:.4g}, R² {m['r2']:.3f})"
        )
    _print_segments(report)
    console.print(f"wrote {path / 'baseline.json'} and {report['plot']}")
    return 0


def _audit(args: argparse.Namespace) -> int:
    from rich.table import Table

    from trainset.audit import run_audit

    progress, step = _steps("audit")
    with progress:
        issues = run_audit(args.path, on_step=step, max_rows=args.max_rows, seed=args.seed)
    regression = "method" in issues.attrs
    table = Table(title="the ten most suspect labels in train", title_justify="left")
    columns = ("predicted", "|residual|") if regression else ("suggested", "score")
    for column in ("id", "given", *columns, "text"):
        table.add_column(column, overflow="fold", max_width=70 if column == "text" else None)
    for ident, row in issues.head(10).iterrows():
        table.add_row(
            str(ident),
            *(
                (f"{row.given_label:.4g}", f"{row.predicted_label:.4g}", f"{row.abs_residual:.4g}")
                if regression
                else (row.given_label, row.suggested_label, f"{row.score:.4f}")
            ),
            str(row.text)[:200],
        )
    console.print(table)
    if regression:
        console.print(f"ranked by {issues.attrs['method']}")
    flagged = int(issues["is_label_issue"].sum())
    sample = issues.attrs["sample"]
    console.print(
        f"{flagged} of {len(issues):,} training labels flagged"
        + (
            f" (a stratified sample of {sample['of_rows']:,}, seed {sample['seed']})"
            if sample["sampled"]
            else ""
        )
        + f"; wrote the rows any issue type flags to {Path(args.path) / 'label_issues.csv'}"
    )
    for name, found in issues.attrs["issue_types"].items():
        score = "" if found["score"] is None else f", dataset score {found['score']:.3f}"
        console.print(f"  {name}: {found['count']:,} rows{score}")
    return 0


def _emit_diff(
    result: dict[str, Any],
    args: argparse.Namespace,
    render: Callable[[dict[str, Any], list[str]], str] | None = None,
) -> int:
    import json

    from trainset.diff import broken_rules, render_markdown

    broken = broken_rules(result, args.fail_on or [])
    text = (
        json.dumps({**result, "broken_rules": broken}, indent=2) + "\n"
        if args.format == "json"
        else (render or render_markdown)(result, broken) + "\n"
    )
    if args.out:
        Path(args.out).write_text(text)
        console.print(f"wrote {args.out}")
    else:
        sys.stdout.write(text)
    for rule in broken:
        console.print(f"[red]error:[/red] --fail-on broken: {rule}", highlight=False)
    return 1 if broken else 0


def _diff(args: argparse.Namespace) -> int:
    from trainset.diff import diff_exports

    progress, step = _steps("diff")
    with progress:
        result = diff_exports(args.old, args.new, on_step=step)
    return _emit_diff(result, args)


def _review(args: argparse.Namespace) -> int:
    from trainset.project import find_project
    from trainset.review import render_review, review, summary

    progress, step = _steps("review")
    with progress:
        result = review(
            find_project(args.project_dir),
            args.dataset,
            base=args.base,
            dbt_args=args.dbt_args,
            with_baseline=args.with_baseline,
            quiet=True,
            on_step=step,
        )
    console.print(summary(result), highlight=False)
    return _emit_diff(result, args, render_review)


def _reconcile(args: argparse.Namespace) -> int:
    import json

    from rich.table import Table

    from trainset.artifacts import default_target, read_json
    from trainset.project import find_project
    from trainset.reconcile import desk_funnel, unaccounted
    from trainset.warehouse import preview

    project = find_project(args.project_dir)
    name = f"{args.dataset}_reconciliation"
    nodes = read_json(default_target(project) / "manifest.json", "dbt manifest")["nodes"]
    node = next(
        (n for n in nodes.values() if n["resource_type"] == "model" and n["name"] == name), None
    )
    if node is None:
        raise TrainsetError(f"the project has no model {name} (is {args.dataset} enabled?)")
    columns, rows = preview(project, node["relation_name"], limit=100_000)
    if not rows:
        raise TrainsetError(f"{name} is empty: run `dbt build` first")
    funnel: DeskFunnel | None = None
    if "section" in columns:
        funnel = desk_funnel(columns, rows, examples=args.examples)
        figures: Mapping[str, Any] = funnel
    else:
        figures = dict(zip(columns, rows[0], strict=True))
    missing = unaccounted(funnel if funnel is not None else figures)
    if args.format == "json":
        sys.stdout.write(json.dumps({"dataset": args.dataset, **figures}, indent=2) + "\n")
    elif funnel is None:
        table = Table(title=f"where every raw row of {args.dataset} went", title_justify="left")
        table.add_column("rows")
        table.add_column("count", justify="right")
        for column, value in figures.items():
            table.add_row(column.removesuffix("_rows").replace("_", " "), f"{value:,}")
        console.print(table)
    else:
        _print_desk_funnel(args.dataset, funnel)
    if missing:
        console.print(f"[red]error:[/red] {missing} raw rows or tickets are unaccounted for")
        return 1
    return 0


def _print_desk_funnel(dataset: str, figures: DeskFunnel) -> None:
    from rich.table import Table

    def ids(examples: dict[str, list[str]], reason: str) -> str:
        return ", ".join(examples.get(reason, []))

    raw = Table(title=f"raw desk tables of {dataset}", title_justify="left")
    for column in ("table", "read", "accepted", "collapsed", "rejected", "reason", "examples"):
        raw.add_column(
            column,
            justify="left" if column in ("table", "reason", "examples") else "right",
            overflow="fold",
        )
    for name, t in figures["raw_tables"].items():
        reasons = sorted(t["rejected"].items()) or [("", 0)]
        for i, (reason, n) in enumerate(reasons):
            head = (name, f"{t['read']:,}", f"{t['accepted']:,}", f"{t['collapsed_duplicate']:,}")
            raw.add_row(
                *(head if i == 0 else ("", "", "", "")),
                f"{n:,}" if reason else "0",
                reason,
                ids(t.get("examples", {}), reason),
            )
    console.print(raw)
    tickets = figures["tickets"]
    funnel = Table(title="accepted tickets to dataset rows", title_justify="left")
    funnel.add_column("tickets")
    funnel.add_column("count", justify="right")
    funnel.add_column("examples")
    funnel.add_row("accepted", f"{tickets['accepted']:,}", "")
    for reason, n in tickets["left"].items():
        funnel.add_row(
            f"  left: {reason.replace('_', ' ')}",
            f"{n:,}",
            ids(tickets.get("examples", {}), reason),
        )
    funnel.add_row("eligible", f"{tickets['eligible']:,}", "")
    for version, n in tickets["dataset_rows"].items():
        funnel.add_row(f"rows of {dataset} {version}", f"{n:,}", "")
    console.print(funnel)
    console.print(
        "a ticket whose player was rejected is rejected itself, as dangling_reference: "
        "see the tickets row above"
    )


@dataclass(frozen=True)
class Arg:
    """One add_argument call: its flags (or name) and options."""

    flags: tuple[str, ...]
    options: dict[str, Any]


def _arg(*flags: str, **options: Any) -> Arg:
    return Arg(flags, options)


@dataclass(frozen=True)
class Command:
    """A subcommand: its name, the function that runs it, its texts and
    its arguments in the order --help lists them."""

    name: str
    func: Callable[[argparse.Namespace], int]
    help: str
    description: str
    arguments: tuple[Arg, ...]


DATASET = (
    _arg("dataset", help="the dataset model's name, e.g. ticket_triage"),
    _arg("--version", type=int, default=None, help="model version (default: the latest)"),
)
TARGET = _arg(
    "--target",
    default=None,
    help="the profile target whose warehouse to read (default: the one the "
    "last dbt command named, else the profile's default)",
)
DIFF_OUTPUT = (
    _arg("--format", choices=("markdown", "json"), default="markdown"),
    _arg(
        "--fail-on",
        action="append",
        metavar="RULES",
        help="exit 1 when a rule breaks, e.g. 'split-moves>0', "
        "'label-flips>100', 'rows-removed>5%%' (comma-separated or repeated); "
        "metrics: rows-added, rows-removed, rows-changed, label-flips, "
        "split-moves, columns-removed, columns-retyped, label-shift, "
        "segment-f1-drop (the largest fall of a baseline segment's macro-F1; "
        "needs baseline.json beside both exports)",
    ),
    _arg("--out", default=None, help="write to this file instead of stdout"),
)
TABLE_OR_JSON = _arg("--format", choices=("table", "json"), default="table")
EXPORTED = _arg("path", help="an exported version, e.g. exports/ticket_triage/v2")


def _sample_options(flag: str, default: int, verb: str, more: str = "") -> tuple[Arg, ...]:
    return (
        _arg(
            flag,
            type=int,
            default=default,
            help=f"{verb} a stratified, seeded sample of at most this many training rows "
            f"(default {default:,}){more}",
        ),
        _arg("--seed", type=int, default=0, help="the sample's seed (default 0)"),
    )


COMMANDS = (
    Command(
        "sample",
        _sample,
        "write a synthetic raw desk export",
        "Write a deterministic synthetic raw desk export (the five "
        "contract tables) into a folder that the raw_dir var can point at.",
        (
            _arg("--out", required=True, help="folder to write into"),
            _arg("--tickets", type=int, default=2400, help="about this many"),
            _arg("--seed", type=int, default=7, help="random seed"),
            _arg("--format", choices=("csv", "parquet"), default="csv"),
            _arg(
                "--engine",
                choices=("python", "duckdb"),
                help="python: the realistic desk with planted damage and label noise that the "
                "tests take apart; duckdb: set-based, for millions of tickets (no planted "
                f"damage). Default: python up to {SCALE_ABOVE:,} tickets, duckdb above",
            ),
        ),
    ),
    Command(
        "build",
        _build,
        "run dbt build in the project",
        "Run `dbt build` in the project with any dbt arguments, "
        "for example: trainset build --select ticket_triage "
        "--vars '{raw_dir: /data/desk}'",
        (_arg("dbt_args", nargs=argparse.REMAINDER, help="passed to dbt"),),
    ),
    Command(
        "export",
        _export,
        "write a built dataset's split files, manifest and card",
        "Export one version of a built dataset model as "
        "OUT/DATASET/vN/{SPLIT/features.EXT, SPLIT/labels.EXT, manifest.json, "
        "README.md}. The rows and their test outcomes come from one warehouse "
        "and its build record. Refuses when that record has no build of the "
        "model, its latest build failed or skipped it, or a test on it or "
        "upstream of it failed.",
        (
            *DATASET,
            _arg("--out", default="exports", help="root folder (default: exports)"),
            _arg("--format", choices=("parquet", "csv", "jsonl"), default="parquet"),
            TARGET,
            _arg(
                "--allow-failed-tests",
                action="store_true",
                help="export despite failing tests, or the earlier build when the latest "
                "failed; recorded in manifest and card",
            ),
            _arg(
                "--force",
                action="store_true",
                help="replace an existing version that holds different data",
            ),
            _arg(
                "--csv-safe",
                action="store_true",
                help="prefix CSV text cells starting with = + - @ with a quote",
            ),
        ),
    ),
    Command(
        "check-pit",
        _check_pit,
        "build on the raw data cut at a time and check that no feature changes",
        "Build the project into scratch DuckDB files on all the raw "
        "data and on the raw data as it was at each cutoff (rows whose declared "
        "row_time is at or after it left out, later_times nulled), then compare "
        "every feature of the rows whose as_of is before the cutoff. Exit 1 "
        "naming each feature that differs: it was computed from the future.",
        (
            *DATASET,
            _arg(
                "--cutoff",
                action="append",
                help="a timestamp, e.g. 2024-03-01; repeat for several (default: the 25th, "
                "50th and 75th percentiles of the dataset's as_of)",
            ),
            _arg("--vars", default=None, help="dbt vars as YAML, e.g. '{raw_dir: /data}'"),
            _arg("--keep", default=None, help="keep the scratch builds in this folder"),
            TABLE_OR_JSON,
        ),
    ),
    Command(
        "history",
        _history,
        "list the builds and test runs of a dataset in its warehouse",
        "List, newest first, every dbt invocation recorded in the "
        "warehouse (TRAINSET_DB, or the target's) that built the dataset or ran "
        "a test on it or upstream of it, with the dataset's status and the tests' "
        "outcomes.",
        (*DATASET, TARGET, TABLE_OR_JSON),
    ),
    Command(
        "verify",
        _verify,
        "re-hash an exported version against its manifest",
        "Re-hash every file of an exported version against its "
        "manifest.json; exit 1 naming each missing or changed file.",
        (EXPORTED,),
    ),
    Command(
        "profile",
        _profile,
        "write a self-contained HTML profile of an export",
        "Profile an exported version: rows and labels per split, each "
        "feature split against split with drift, data problems, and the baseline "
        "and audit when present. Writes PATH/profile.html unless --out is given.",
        (
            EXPORTED,
            _arg("--compare", default=None, help="another exported version to compare with"),
            _arg("--out", default=None, help="the HTML file (default: PATH/profile.html)"),
            _arg(
                "--screenshot",
                default=None,
                metavar="PNG",
                help="also save a screenshot of the report (needs chromium)",
            ),
        ),
    ),
    Command(
        "baseline",
        _baseline,
        "train a quick fixed-seed baseline and score it",
        "Train hashed TF-IDF (word and character n-grams) + one-hot + scaling "
        "and a logistic regression (averaged SGD) on train (a stratified, seeded sample of at most "
        "--max-train-rows rows); report accuracy, macro-F1, F1 per label and "
        "the confusion matrix on validation and test beside the majority class, "
        "labels with too few rows to score, and the score per segment of test (each "
        "categorical value and text-length quartile with at least 30 rows), worst first. "
        "Writes PATH/baseline.json and PATH/confusion_matrix.png. A numeric label "
        "(a regression) gets a ridge regression, scored by MAE, RMSE and R² beside "
        "predicting the train median, and PATH/predicted_vs_actual.png.",
        (
            _arg("path", help="an exported version"),
            *_sample_options(
                "--max-train-rows", 200_000, "train on", "; validation and test are scored whole"
            ),
            _arg(
                "--min-rows-per-label",
                type=int,
                default=MIN_ROWS_PER_LABEL,
                help="flag a label with fewer rows than this in a scored split as too few "
                f"to score (default {MIN_ROWS_PER_LABEL}); macro-F1 still counts it",
            ),
        ),
    ),
    Command(
        "audit",
        _audit,
        "rank training rows whose labels look wrong",
        "Run cleanlab's Datalab over the training rows: label issues from "
        "out-of-fold probabilities of the baseline pipeline (its text features "
        "hashed); outliers, near-duplicates and non-IID order from nearest neighbours "
        "in the text features reduced by TruncatedSVD; class imbalance. Writes the rows "
        "any type flags to PATH/label_issues.csv, what was audited to "
        "PATH/label_issues.json, and prints the ten most suspect labels and each type's "
        "count and score. A numeric label (a regression) ranks rows by out-of-fold "
        "absolute residual of a ridge regression instead, and says so.",
        (
            _arg("path", help="an exported version"),
            *_sample_options("--max-rows", 100_000, "audit"),
        ),
    ),
    Command(
        "diff",
        _diff,
        "compare two exported versions, row by row",
        "Compare two exported versions matched by id: rows added, removed "
        "and changed per split, label distribution and flips (a numeric label: its "
        "mean and quartile change and the changed labels), split moves, schema, "
        "features, baseline and test outcomes. Markdown is made for a pull-request "
        "comment (at most 65,000 characters); JSON holds the same figures.",
        (
            _arg("old", help="the old exported version"),
            _arg("new", help="the new exported version"),
            *DIFF_OUTPUT,
        ),
    ),
    Command(
        "review",
        _review,
        "build the dataset at a base ref and in the work tree, and diff them",
        "Build DATASET at --base (default: the merge base with main) in a "
        "temporary git worktree, or reuse that base's build kept in target/review/, "
        "rebuild only what changed in the work tree (dbt's state:modified+) on a copy "
        "of it, export both into a scratch folder and print the diff. Your own "
        "DuckDB file, exports and work tree are not touched; rm -rf target/review "
        "clears the kept builds.",
        (
            _arg("dataset", nargs="?", default="ticket_triage"),
            _arg("--base", default=None, help="git ref to compare with"),
            _arg(
                "--with-baseline",
                action="store_true",
                help="train both baselines and report the metric and segment deltas",
            ),
            _arg(
                "--dbt-arg",
                dest="dbt_args",
                action="append",
                default=[],
                help="extra argument for both dbt builds, e.g. --dbt-arg=--vars "
                "--dbt-arg='{raw_dir: /data}'",
            ),
            *DIFF_OUTPUT,
        ),
    ),
    Command(
        "reconcile",
        _reconcile,
        "print where every raw row of a dataset went",
        "Print the DATASET_reconciliation model of the build: per raw table, "
        "rows read, accepted, collapsed as duplicates and rejected by reason; for "
        "ticket_triage, why each accepted ticket left and the rows of each version. "
        "Exit 1 when any row is unaccounted for.",
        (
            _arg("dataset", help="ticket_triage or complaint_routing"),
            _arg(
                "--examples",
                type=int,
                default=0,
                metavar="N",
                help="show up to N ids (at most 20) per reason (ticket_triage)",
            ),
            TABLE_OR_JSON,
        ),
    ),
)


def build_parser() -> argparse.ArgumentParser:
    """The `trainset` parser: the global options, then each of COMMANDS."""
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
    for command in COMMANDS:
        p = sub.add_parser(command.name, help=command.help, description=command.description)
        for argument in command.arguments:
            p.add_argument(*argument.flags, **argument.options)
        p.set_defaults(func=command.func)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    # `build` hands every argument it does not know to dbt; argparse's
    # REMAINDER alone refuses a first argument that looks like an option.
    args, unknown = parser.parse_known_args(argv)
    if unknown and args.func is not _build:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    if args.func is _build:
        args.dbt_args = [*unknown, *args.dbt_args]
    try:
        code: int = args.func(args)
        return code
    except TrainsetError as error:
        console.print(f"[red]error:[/red] {error}", highlight=False)
        return 2
    except KeyboardInterrupt:
        console.print("[red]interrupted[/red]")
        return 130


if __name__ == "__main__":
    sys.exit(main())

"""The raw contract is declared once, as dbt sources; nothing else may
disagree with it: the base models, the generators, the pandas benchmark
and the docs."""

from __future__ import annotations

import ast
import re

import yaml
from conftest import PROJECT

SOURCES = PROJECT / "models" / "staging" / "desk" / "_desk__sources.yml"


def contract() -> dict[str, dict[str, dict]]:
    """table -> column -> its declaration, in the declared order."""
    source = yaml.safe_load(SOURCES.read_text())["sources"][0]
    return {
        table["name"]: {column["name"]: column for column in table["columns"]}
        for table in source["tables"]
    }


def required(columns: dict[str, dict]) -> list[str]:
    return [n for n, c in columns.items() if not c["config"]["meta"].get("optional")]


def disagreements(declared: dict, lists: dict[str, dict], optional_may_lack: bool) -> list[str]:
    """Where a copy of the column lists differs from the sources."""
    found = []
    for table, columns in declared.items():
        want = required(columns) if optional_may_lack else list(columns)
        got = list(lists.get(table, ()))
        if got != want:
            found.append(f"{table}: {got} != {want}")
    if set(lists) != set(declared):
        found.append(f"tables {sorted(lists)} != {sorted(declared)}")
    return found


def docs_lists() -> dict[str, list[str]]:
    """The column names of the contract table in docs/contract.md."""
    text = (PROJECT / "docs" / "contract.md").read_text()
    section = text.split("## The raw desk contract", 1)[1].split("\n#", 1)[0]
    lists = {}
    for table, cell in re.findall(
        r"^\| (\w+)(?: \(optional table\))? \| (.+) \|$", section, re.MULTILINE
    ):
        if table == "table":
            continue
        while "(" in cell:
            cell = re.sub(r"\([^()]*\)", "", cell)
        lists[table] = [name.strip() for name in cell.split(",")]
    return lists


def bench_lists() -> dict[str, list[str]]:
    tree = ast.parse((PROJECT / "bench" / "pandas_v2.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "COLUMNS":
            return ast.literal_eval(node.value)
    raise AssertionError("bench/pandas_v2.py has no COLUMNS")


def test_the_generators_write_the_declared_columns():
    from trainset.sample import generator, scale

    # The generators write every column, optional ones included.
    assert disagreements(contract(), generator.COLUMNS, optional_may_lack=False) == []
    assert disagreements(contract(), scale.COLUMNS, optional_may_lack=False) == []


def test_the_pandas_benchmark_reads_the_declared_columns():
    assert disagreements(contract(), bench_lists(), optional_may_lack=True) == []


def test_the_docs_list_the_declared_columns():
    assert disagreements(contract(), docs_lists(), optional_may_lack=False) == []


def test_every_base_model_types_every_declared_column():
    for table, columns in contract().items():
        sql = (PROJECT / "models/staging/desk/base" / f"base_desk__{table}.sql").read_text()
        assert f"source('desk', '{table}')" in sql, table
        untyped = [c for c in columns if f"raw_{table}.{c}" not in sql]
        assert untyped == [], table


def test_a_column_out_of_step_is_reported():
    declared = contract()
    copy = {table: required(columns) for table, columns in declared.items()}
    assert disagreements(declared, copy, optional_may_lack=True) == []
    copy["tickets"] = copy["tickets"][:-1]
    copy["players"] = [*copy["players"], "nickname"]
    found = disagreements(declared, copy, optional_may_lack=True)
    assert [line.split(":")[0] for line in found] == ["players", "tickets"]
    del copy["purchases"]
    assert any(line.startswith("tables") for line in disagreements(declared, copy, True))


def test_the_docs_document_every_var():
    declared = set(yaml.safe_load((PROJECT / "dbt_project.yml").read_text())["vars"])
    used = set()
    for folder in ("models", "macros", "tests"):
        for path in (PROJECT / folder).rglob("*"):
            if path.suffix in (".sql", ".yml"):
                used |= set(re.findall(r"var\('(\w+)'", path.read_text()))
    text = (PROJECT / "docs" / "configuration.md").read_text()
    table = text.split("| var |", 1)[1].split("| environment variable", 1)[0]
    documented = set(re.findall(r"`(\w+)`", table))
    assert sorted((declared | used) - documented) == []

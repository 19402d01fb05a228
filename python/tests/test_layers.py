"""The dbt layers flow one way (docs/layers.md): a model reads only earlier
layers, by the folder it lives in. Walks the manifest of the session's
sample build, and of a tiny project with one planted breach."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest
from conftest import PROJECT, dbt

# A model's layer, by the folder it lives in (the first prefix that matches).
# Sources and seeds are layer 0.
LAYERS: tuple[tuple[str, int, str], ...] = (
    ("models/staging/*/base/", 1, "base"),
    ("models/staging/", 2, "staging"),
    ("models/intermediate/", 3, "intermediate"),
    ("models/datasets/", 4, "datasets"),
    ("models/reconciliation/", 5, "reports"),
)
# The one exception: intermediate models compose (int_tickets_with_features
# reads int_tickets_features), as dbt Labs' guide does; collapsing them
# would repeat the feature SQL in every dataset.
MAY_READ_OWN_LAYER = {"intermediate"}
# Planted-bug fixtures for the generic tests (var fixtures): test inputs,
# outside the DAG a user builds, so they may read any layer. A real model
# that reads a fixture still breaks the rule.
EXEMPT = "models/fixtures/"

Node = Mapping[str, Any]


def layer_of(node: Node) -> tuple[int, str] | None:
    """(rank, name) of a manifest node; None for an exempt fixture model."""
    if node["resource_type"] in ("source", "seed"):
        return 0, "source"
    path = str(node["original_file_path"])
    if path.startswith(EXEMPT):
        return None
    for prefix, rank, name in LAYERS:
        head, _, tail = prefix.partition("*/")
        if tail:
            parts = path.split("/")
            if path.startswith(head) and len(parts) > 4 and parts[3] + "/" == tail:
                return rank, name
        elif path.startswith(prefix):
            return rank, name
    raise ValueError(f"{node['unique_id']}: {path} is in no layer folder")


def label(node: Node) -> str:
    version = node.get("version")
    return f"{node['name']}.v{version}" if version is not None else str(node["name"])


def layer_breaches(nodes: Mapping[str, Node]) -> list[str]:
    """Every edge into a model that reads a later layer, or its own (bar
    intermediate), or a fixture; one line each, sorted."""
    breaches = []
    for node in nodes.values():
        if node["resource_type"] != "model":
            continue
        layer = layer_of(node)
        if layer is None:
            continue
        for parent_id in node["depends_on"]["nodes"]:
            parent = layer_of(nodes[parent_id])
            if parent is None:
                breaches.append(f"{label(node)} ({layer[1]}) reads the fixture {parent_id}")
            elif parent[0] > layer[0] or (
                parent[0] == layer[0] and layer[1] not in MAY_READ_OWN_LAYER
            ):
                breaches.append(
                    f"{label(node)} ({layer[1]}) reads {label(nodes[parent_id])} ({parent[1]})"
                )
    return sorted(breaches)


def manifest_nodes(manifest: Mapping[str, Any]) -> dict[str, Node]:
    """Sources, seeds, models and tests of a manifest by unique_id, with the
    disabled models too (complaint routing without var cfpb_path, the
    fixtures without var fixtures): dbt lists their refs unresolved, so
    their depends_on is resolved here by name, version and source."""
    nodes: dict[str, Node] = {**manifest["sources"], **manifest["nodes"]}
    disabled = {uid: found[0] for uid, found in manifest.get("disabled", {}).items()}
    everything = {**disabled, **nodes}
    named: dict[tuple[str, Any], str] = {}
    sources: dict[tuple[str, str], str] = {}
    for uid, node in everything.items():
        if node["resource_type"] == "source":
            sources[(node["source_name"], node["name"])] = uid
        elif node["resource_type"] in ("model", "seed"):
            version = node.get("version")
            named[(node["name"], version)] = uid
            if version is None or version == node.get("latest_version"):
                named[(node["name"], None)] = uid
    for uid, node in disabled.items():
        if node["resource_type"] == "model":
            parents = [named[(ref["name"], ref.get("version"))] for ref in node["refs"]]
            parents += [sources[(source[0], source[1])] for source in node["sources"]]
            everything[uid] = {**node, "depends_on": {"nodes": parents}}
    return everything


def model(name: str, path: str, *parents: str) -> Node:
    return {
        "resource_type": "model",
        "unique_id": f"model.p.{name}",
        "name": name,
        "original_file_path": path,
        "depends_on": {"nodes": [f"model.p.{p}" for p in parents]},
    }


def project(*models: Node) -> dict[str, Node]:
    return {m["unique_id"]: m for m in models}


def test_layers_by_folder():
    assert layer_of(model("b", "models/staging/desk/base/b.sql")) == (1, "base")
    assert layer_of(model("s", "models/staging/desk/s.sql")) == (2, "staging")
    assert layer_of(model("r", "models/reconciliation/x/r.sql")) == (5, "reports")
    assert layer_of(model("f", "models/fixtures/f.sql")) is None
    source = {"resource_type": "source", "unique_id": "source.p.desk.t"}
    assert layer_of(source) == (0, "source")
    with pytest.raises(ValueError, match="in no layer folder"):
        layer_of(model("m", "models/marts/m.sql"))


def test_the_rule_reports_each_kind_of_breach():
    nodes = project(
        model("base_a", "models/staging/s/base/base_a.sql"),
        model("base_b", "models/staging/s/base/base_b.sql", "base_a"),
        model("stg_a", "models/staging/s/stg_a.sql", "base_a"),
        model("stg_b", "models/staging/s/stg_b.sql", "stg_a"),
        model("base_c", "models/staging/s/base/base_c.sql", "stg_a"),
        model("int_a", "models/intermediate/s/int_a.sql", "stg_a"),
        model("int_b", "models/intermediate/s/int_b.sql", "int_a"),
        model("ds", "models/datasets/ds.sql", "int_b", "base_a"),
        model("stg_c", "models/staging/s/stg_c.sql", "ds"),
        model("report", "models/reconciliation/report.sql", "ds"),
        model("fixture", "models/fixtures/fixture.sql", "report", "ds"),
        model("int_c", "models/intermediate/s/int_c.sql", "fixture"),
    )
    assert layer_breaches(nodes) == [
        "base_b (base) reads base_a (base)",
        "base_c (base) reads stg_a (staging)",
        "int_c (intermediate) reads the fixture model.p.fixture",
        "stg_b (staging) reads stg_a (staging)",
        "stg_c (staging) reads ds (datasets)",
    ]


def test_the_project_keeps_the_layer_rule(sample_build):
    manifest = json.loads((sample_build.target / "manifest.json").read_text())
    nodes = manifest_nodes(manifest)
    models = [n for n in nodes.values() if n["resource_type"] == "model"]
    # Every layer and complaint routing are in the walk, not left out.
    assert {"base_cfpb__complaints", "complaint_routing_reconciliation"} <= {
        m["name"] for m in models
    }
    assert {layer_of(m) for m in models} >= {
        (1, "base"),
        (2, "staging"),
        (3, "intermediate"),
        (4, "datasets"),
        (5, "reports"),
    }
    # The disabled models' edges were resolved, so they are walked too.
    assert nodes["model.trainset.stg_cfpb__complaints"]["depends_on"]["nodes"] == [
        "model.trainset.base_cfpb__complaints"
    ]
    assert (
        "model.trainset.ticket_triage.v2"
        in (nodes["model.trainset.fixture_leaky_triage"]["depends_on"]["nodes"])
    )
    assert layer_breaches(nodes) == []


def test_a_planted_base_to_staging_edge_fails(tmp_path):
    """A tiny project whose base model reads a staging model."""
    breach = PROJECT / "python/tests/data/layer_breach"
    done = dbt(["parse"], tmp_path, project=breach)
    assert done.returncode == 0, done.output[-3000:]
    manifest = json.loads((done.target / "manifest.json").read_text())
    assert layer_breaches(manifest_nodes(manifest)) == [
        "base_shop__orders (base) reads stg_shop__customers (staging)"
    ]


def reference_reads_missing(nodes: Mapping[str, Node]) -> list[str]:
    """The base models a desk staging model must read for its reference
    check (its own and every ancestor's, by the sources' meta references)
    and does not; one line each."""
    parents = {
        node["name"]: column["meta"]["references"]
        for node in nodes.values()
        if node["resource_type"] == "source" and node["source_name"] == "desk"
        for column in node["columns"].values()
        if column.get("meta", {}).get("references")
    }
    reads = {
        node["name"]: set(node["depends_on"]["nodes"])
        for node in nodes.values()
        if node["resource_type"] == "model"
    }
    missing = []
    for table in ("players", *parents):
        chain, walk = [table], table
        while walk in parents and parents[walk] not in chain:
            walk = parents[walk]
            chain.append(walk)
        for view in (f"stg_desk__{table}", f"stg_desk__{table}_rejected"):
            for ancestor in chain:
                if f"model.trainset.base_desk__{ancestor}" not in reads[view]:
                    missing.append(f"{view} does not read base_desk__{ancestor}")
    return missing


def test_staging_reads_every_parent_its_reference_check_needs(sample_build):
    manifest = json.loads((sample_build.target / "manifest.json").read_text())
    nodes = manifest_nodes(manifest)
    assert reference_reads_missing(nodes) == []
    # A source that declares a reference the models do not follow is found.
    players = nodes["source.trainset.desk.players"]
    columns = {**players["columns"]}
    columns["player_id"] = {**columns["player_id"], "meta": {"references": "tickets"}}
    nodes = {**nodes, players["unique_id"]: {**players, "columns": columns}}
    assert "stg_desk__players does not read base_desk__tickets" in reference_reads_missing(nodes)

"""ticket_triage_scoring: the open tickets with exactly the training
features, its export and load_scoring."""

from __future__ import annotations

import json

import pytest
from conftest import PROJECT

import trainset
from trainset.artifacts import Column, Dataset
from trainset.baseline import make_pipeline
from trainset.errors import TrainsetError
from trainset.export import export_dataset, scoring_check
from trainset.manifest import feature_kinds, read_manifest


@pytest.fixture(scope="module")
def exports(sample_build, tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("TRAINSET_DB", str(sample_build.db))
    mp.setenv("DBT_TARGET_PATH", str(sample_build.target))
    out = tmp_path_factory.mktemp("scoring")
    try:
        scoring = export_dataset(PROJECT, "ticket_triage_scoring", out=out).path
        training = export_dataset(PROJECT, "ticket_triage", version=2, out=out).path
    finally:
        mp.undo()
    return scoring, training


def test_scoring_holds_every_ticket_not_yet_eligible(sample_build):
    expected = sample_build.query(
        "select t.ticket_id from main.stg_desk__tickets as t "
        "inner join main.stg_desk__players as p using (player_id) "
        "where t.status in ('new', 'open', 'pending') order by 1"
    )
    actual = sample_build.query("select ticket_id from main.ticket_triage_scoring_v1 order by 1")
    assert actual == expected and len(actual) > 100
    # None of them is a training row.
    assert sample_build.query(
        "select count(*) from main.ticket_triage_scoring_v1 "
        "inner join main.ticket_triage_v2 using (ticket_id)"
    ) == [(0,)]


def test_training_and_scoring_features_match_one_computation(sample_build):
    statuses = sample_build.status_of("test.trainset.")
    matched = {k.split(".")[2]: v for k, v in statuses.items() if "features_match" in k}
    assert matched == {
        "ticket_triage_v2_features_match_scoring": "pass",
        "ticket_triage_scoring_features_match_training": "pass",
    }


def test_the_scoring_export_is_features_only_naming_its_training_version(exports):
    scoring, _ = exports
    manifest = json.loads((scoring / "manifest.json").read_text())
    assert sorted(p.name for p in scoring.iterdir()) == [
        "README.md",
        "features.parquet",
        "manifest.json",
    ]
    assert manifest["task"] == "scoring" and manifest["splits"] == {}
    assert manifest["scores"]["dataset"] == "ticket_triage"
    assert manifest["scores"]["version"] == 2
    assert manifest["scores"]["features"] == manifest["roles"]["features"]
    assert manifest["roles"]["label"] is None
    card = (scoring / "README.md").read_text()
    assert "the features of ticket_triage v2, in its order" in card
    assert "trainset.load_scoring(" in card


def test_a_baseline_trained_on_v2_scores_the_open_tickets(exports):
    scoring, training = exports
    X_train, y_train = trainset.load(training, "train")
    X_score = trainset.load_scoring(scoring)
    assert list(X_score.columns) == list(X_train.columns)
    manifest = read_manifest(training)
    kinds = {
        c: k
        for c, k in feature_kinds(manifest, X_train).items()
        if c not in manifest.all_null_features
    }
    pipeline = make_pipeline(kinds).fit(X_train, y_train.astype(str))
    predicted = pipeline.predict(X_score)
    assert len(predicted) == len(X_score)
    assert set(predicted) <= set(y_train.astype(str))


def test_load_scoring_refuses_a_training_export(exports):
    _, training = exports
    with pytest.raises(TrainsetError, match="is not a scoring export"):
        trainset.load_scoring(training)


def _dataset(name: str, features: list[str], scores=None) -> Dataset:
    return Dataset(
        name=name,
        version=1,
        latest_version=1,
        unique_id=f"model.trainset.{name}",
        relation=name,
        description="",
        columns=[
            Column("id", "id", "string", ""),
            *(Column(f, "feature", "string", "") for f in features),
        ],
        adapter="duckdb",
        dbt_version="1.11",
        invocation_id=None,
        build_status=None,
        scores=scores,
    )


def test_a_scoring_model_with_other_features_is_refused_in_one_line(monkeypatch):
    training = _dataset("triage", ["subject", "channel"])
    monkeypatch.setattr("trainset.export.load_dataset", lambda *args, **kwargs: training)
    reordered = _dataset("triage_scoring", ["channel", "subject"], {"dataset": "triage"})
    with pytest.raises(TrainsetError) as error:
        scoring_check(PROJECT, reordered, None)
    assert str(error.value) == (
        "triage_scoring's features (channel, subject) are not triage v1's "
        "(subject, channel) in the same order"
    )
    same = _dataset("triage_scoring", ["subject", "channel"], {"dataset": "triage"})
    assert scoring_check(PROJECT, same, None).features == ["subject", "channel"]


def test_the_training_readers_refuse_a_scoring_export_in_one_line(exports):
    from trainset.diff import diff_exports
    from trainset.profile import render_profile

    scoring, _ = exports
    for read in (
        lambda: trainset.load(scoring),
        lambda: render_profile(scoring),
        lambda: diff_exports(scoring, scoring),
    ):
        with pytest.raises(TrainsetError, match=r"is a scoring export .* ticket_triage v2"):
            read()

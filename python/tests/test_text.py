"""Text as it really is (issue 18): text properties and shared lines in the
profile, the language_mismatch test's detection, and strip_boilerplate."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT, compile_inline, dbt
from test_review import base_export  # noqa: F401  (a fixture)

from trainset import profile
from trainset.card import render_card
from trainset.dbt_plugin import Plugin
from trainset.export import export_dataset
from trainset.language import detect_language
from trainset.manifest import read_manifest

SIGNATURE = 'sent from my phone, "Club Manager" v3.2.1'


def _table_after(page: str, marker: str) -> list[list[str]]:
    """The rows of the first table after marker, as unescaped cell texts."""
    table = page.split(marker, 1)[1].split("</table>", 1)[0]
    return [
        [html.unescape(re.sub("<[^>]+>", "", c)) for c in re.findall(r"<td>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", table)
        if "<td>" in row
    ]


def test_detect_language_names_the_language_and_skips_short_texts():
    assert detect_language("I cannot log in to my account since the last update") == "en"
    assert detect_language("No puedo entrar a mi cuenta desde la última actualización") == "es"
    assert detect_language("Ich kann mich seit dem letzten Update nicht anmelden") == "de"
    assert detect_language("ok") is None
    assert detect_language("12345 !!") is None
    assert detect_language(None) is None


def test_the_dbt_plugin_registers_detect_language_in_duckdb():
    con = duckdb.connect()
    Plugin("trainset", {}).configure_connection(con)
    got = con.execute(
        "select detect_language(t) from (values ('O jogo fecha sozinho quando abro o mercado'), "
        "(null), ('hi')) as v(t)"
    ).fetchall()
    assert got == [("pt",), (None,), (None,)]


@pytest.fixture(scope="module")
def page(base_export, tmp_path_factory):  # noqa: F811
    out = tmp_path_factory.mktemp("text") / "profile.html"
    return profile.render_profile(base_export, out=out).read_text()


def _first_messages(version: Path):
    """Every first message of an export, with its split."""
    return (
        duckdb.connect()
        .execute(
            "select f.first_message, regexp_extract(f.filename, '([a-z]+)/features', 1) as split "
            f"from read_parquet('{version}/*/features.parquet', filename = true) as f"
        )
        .df()
    )


def test_profile_text_properties_match_the_data(page, base_export):  # noqa: F811
    assert 'id="text"' in page
    text = page.split('id="text"')[1].split("</section>")[0]
    rows = {r[0]: r for r in _table_after(text, "<h3>first_message</h3>")}
    frame = _first_messages(base_export)
    for split, group in frame.groupby("split"):
        texts = group["first_message"]
        chars = texts.str.len().sum()
        non_ascii = sum(sum(ord(c) > 127 for c in t) for t in texts) / chars
        digits = sum(sum(c.isascii() and c.isdigit() for c in t) for t in texts) / chars
        row = rows[f"split {split}"]
        assert int(row[1]) == len(group)
        assert row[2] == f"{texts.str.len().mean():.0f}"
        assert row[4] == f"{non_ascii:.2%}" and row[5] == f"{digits:.2%}"
        # Every row is sampled on the sample: the shares are its shares.
        shares = {
            lang: share
            for lang, share in re.findall(r"([a-z<>]+) (\d+)%", row[7])
            if lang != "other"
        }
        assert set(shares) >= {"en", "es", "de", "pt"}, row[7]
    labels = [k for k in rows if k.startswith("label ")]
    assert len(labels) >= 5
    assert "computed on all" in text and "py3langid" in text


def test_profile_states_the_language_sample(base_export, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setattr(profile, "TOKEN_SAMPLE", 500)
    page = profile.render_profile(base_export, out=tmp_path / "p.html", seed=2).read_text()
    text = page.split('id="text"')[1].split("</section>")[0]
    assert re.search(
        r"computed on a sample of [\d,]+ of [\d,]+ rows \(stratified by label, seed 2\)", text
    )


def test_profile_flags_text_property_drift(page):
    drift = page.split('id="drift"')[1].split("</section>")[0]
    rows = [r for r in _table_after(drift, "<table") if r[1] == "text property"]
    names = {r[0] for r in rows}
    assert names == {
        "first_message: non-ASCII share",
        "first_message: digit share",
        "first_message: has a URL",
        "first_message: language (sample)",
    }
    assert {r[2] for r in rows} == {"validation", "test"}
    # Flagged exactly when the distance passes the features' threshold.
    assert all((r[4] == "yes") == (float(r[3]) > profile.DRIFT_THRESHOLD) for r in rows)


def test_profile_drift_sql_flags_a_shifted_property():
    con = duckdb.connect()
    con.execute(
        "create table props as select case when i < 500 then 'train' else 'test' end as split, "
        "case when i < 500 then 0.0 else 0.5 end as share from range(1000) as t(i)"
    )
    shifted = profile.js_distance_sql(con, "share", "test", relation="props")
    con.execute("update props set share = 0.0")
    same = profile.js_distance_sql(con, "share", "test", relation="props")
    assert shifted > profile.DRIFT_THRESHOLD >= same


def test_profile_shows_the_most_shared_lines_with_their_counts(page, base_export):  # noqa: F811
    lines = _table_after(page, "<h4>first_message</h4>")
    assert 1 <= len(lines) <= profile.SHARED_LINES
    frame = _first_messages(base_export)
    holding = frame["first_message"].map(lambda t: SIGNATURE in [x.strip() for x in t.splitlines()])
    assert lines[0][0] == SIGNATURE and int(lines[0][1]) == holding.sum() > 50
    counts = [int(r[1]) for r in lines]
    assert counts == sorted(counts, reverse=True) and min(counts) >= 2


def test_the_sample_passes_language_mismatch(sample_build):
    (status,) = [
        r["status"]
        for uid, r in sample_build.results.items()
        if ".language_mismatch_ticket_triage_v2" in uid
    ]
    assert status == "pass"


def test_strip_boilerplate_leaves_text_as_it_is_by_default():
    done = compile_inline("select {{ strip_boilerplate('t.body') }} as v")
    assert done.returncode == 0, done.output[-2000:]
    assert re.sub(r"\s+", " ", done.stdout).strip().endswith("select t.body as v")


def test_the_card_names_the_boilerplate_patterns(base_export):  # noqa: F811
    manifest = read_manifest(base_export)
    assert "boilerplate was cut" not in render_card(manifest)
    manifest.vars["strip_boilerplate_patterns"] = ["(?i)sent from my [a-z]+", "a`b"]
    card = render_card(manifest)
    assert "`(?i)sent from my [a-z]+`, `` a`b ``." in card


@pytest.mark.slow("builds the sample with strip_boilerplate_patterns of its own")
def test_strip_boilerplate_cuts_the_planted_signature(sample_build, tmp_path, monkeypatch):
    pattern = "[\\n]*" + re.escape(SIGNATURE)
    build = dbt(
        ["build", "--exclude", "tag:fixture"],
        tmp_path / "build",
        vars={"strip_boilerplate_patterns": [pattern]},
    )
    assert build.returncode == 0, build.output[-3000:]
    query = "select ticket_id, first_message, subject from main.ticket_triage_v2 order by ticket_id"
    with duckdb.connect(str(sample_build.db), read_only=True) as con:
        before = con.execute(query).fetchall()
    with duckdb.connect(str(build.db), read_only=True) as con:
        after = con.execute(query).fetchall()
    assert [r[0] for r in before] == [r[0] for r in after]
    signed = [(b, a) for b, a in zip(before, after, strict=True) if SIGNATURE in b[1]]
    assert len(signed) > 50
    for b, a in signed:
        assert SIGNATURE not in a[1] and a[1] == b[1].replace(SIGNATURE, "").strip()
    assert all(b == a for b, a in zip(before, after, strict=True) if SIGNATURE not in b[1])
    monkeypatch.setenv("TRAINSET_DB", str(build.db))
    monkeypatch.setenv("DBT_TARGET_PATH", str(build.target))
    version = export_dataset(PROJECT, "ticket_triage", out=tmp_path / "out").path
    manifest = json.loads((version / "manifest.json").read_text())
    assert manifest["vars"]["strip_boilerplate_patterns"] == [pattern]
    assert f"every match of `{pattern}`." in (version / "README.md").read_text()

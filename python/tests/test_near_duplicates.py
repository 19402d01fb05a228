"""Accuracy of the near-duplicate search (macros/near_duplicates.sql).

A planted corpus of a few thousand texts: base texts of random words, copies
of some with a few words replaced, inserted or dropped, and unrelated texts.
The true word-shingle Jaccard similarity of every pair that shares a shingle
is computed here exactly; the macro-built SQL, compiled by dbt for DuckDB,
must find nearly all pairs at 0.9 or more and report none far below.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections import defaultdict
from itertools import combinations
from pathlib import Path

import duckdb
import pytest
from conftest import compile_inline

SHINGLE = 3


def shingles(text: str, n: int = SHINGLE) -> frozenset[str]:
    """The word n-grams of a text; a text shorter than n is one shingle."""
    words = text.split(" ")
    return frozenset(" ".join(words[i : i + n]) for i in range(max(len(words) - n + 1, 1)))


def edited(rng: random.Random, words: list[str], vocabulary: list[str], edits: int) -> list[str]:
    """words with edits random replacements, insertions or deletions."""
    words = list(words)
    for _ in range(edits):
        at = rng.randrange(len(words))
        kind = rng.random()
        if kind < 0.6:
            words[at] = rng.choice(vocabulary)
        elif kind < 0.8:
            words.insert(at, rng.choice(vocabulary))
        elif len(words) > SHINGLE + 1:
            del words[at]
    return words


def restyled(rng: random.Random, words: list[str]) -> list[str]:
    """The same words as a person might type them: some capitalised, some
    with their accents dropped, some followed by punctuation. The stronger
    text key folds all of it away."""
    out = []
    for word in words:
        kind = rng.random()
        if kind < 0.05:
            word = word.capitalize()
        elif kind < 0.1:
            word = word.replace("é", "e").replace("ü", "u")
        elif kind < 0.15:
            word += rng.choice((",", "!!", "...", ":", "?"))
        elif kind < 0.17:
            word = f"({word})"
        out.append(word)
    return out


def planted_corpus(seed: int = 18) -> dict[str, str]:
    """doc_id -> text: 1,200 base texts, 1,200 edited copies, 600 others.
    A tenth of the vocabulary carries an accent."""
    rng = random.Random(seed)
    vocabulary = [
        f"{'é' if index % 20 == 0 else 'ü' if index % 20 == 1 else 'w'}{index}"
        for index in range(3000)
    ]
    corpus: dict[str, str] = {}
    for base in range(1200):
        words = [rng.choice(vocabulary) for _ in range(rng.randrange(15, 120))]
        corpus[f"base{base}"] = " ".join(words)
        edits = rng.choice((0, 1, 1, 2, 2, 3, 4, 6, 8, 12))
        copy = edited(rng, words, vocabulary, edits)
        if rng.random() < 0.5:
            copy = restyled(rng, copy)
        corpus[f"copy{base}"] = " ".join(copy)
    for other in range(600):
        corpus[f"other{other}"] = " ".join(
            rng.choice(vocabulary) for _ in range(rng.randrange(5, 80))
        )
    return corpus


def normalized(text: str) -> str:
    """The stronger text key (text_key with strip_accents and
    fold_punctuation), written again in Python: lower case, accents
    stripped, each run of ASCII punctuation to a space, whitespace runs
    collapsed, trimmed."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    text = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[!-/:-@\[-`{-~]+", " ", text).split())


def true_similarities(corpus: dict[str, str]) -> dict[tuple[str, str], float]:
    """The exact Jaccard similarity of every pair sharing a shingle."""
    sets = {doc: shingles(normalized(text)) for doc, text in corpus.items()}
    holders: dict[str, list[str]] = defaultdict(list)
    for doc, doc_shingles in sets.items():
        for shingle in doc_shingles:
            holders[shingle].append(doc)
    pairs = {pair for docs in holders.values() for pair in combinations(sorted(docs), 2)}
    return {(a, b): len(sets[a] & sets[b]) / len(sets[a] | sets[b]) for a, b in pairs}


def near_duplicates_sql(parquet: Path, threshold: float) -> str:
    """The pairs query as dbt compiles it: the macros on a Parquet file of
    doc_id, body."""
    inline = f"""
with

keyed as (
    select
        doc_id,
        {{{{ text_key('body', strip_accents=true, fold_punctuation=true) }}}} as text_key
    from read_parquet('{parquet}')
),

hashed as (
    select doc_id, text_key, {{{{ hash64(['text_key']) }}}} as text_hash
    from keyed
),

{{{{ near_duplicate_pairs('hashed', threshold={threshold}, shingle={SHINGLE}) }}}}

named as (
    select
        least(doc_a.doc_id, doc_b.doc_id) as doc_a,
        greatest(doc_a.doc_id, doc_b.doc_id) as doc_b,
        near_duplicate_pairs.similarity
    from near_duplicate_pairs
    inner join hashed as doc_a on near_duplicate_pairs.text_hash_a = doc_a.text_hash
    inner join hashed as doc_b on near_duplicate_pairs.text_hash_b = doc_b.text_hash
    -- One text key under two ids, as the tests pair a text with itself.
    union all
    select doc_a.doc_id, doc_b.doc_id, 1.0
    from hashed as doc_a
    inner join hashed as doc_b
        on doc_a.text_hash = doc_b.text_hash and doc_a.doc_id < doc_b.doc_id
)

select * from named
"""
    done = compile_inline(inline)
    assert done.returncode == 0, done.output[-3000:]
    return done.stdout.strip()


@pytest.fixture(scope="module")
def search(tmp_path_factory):
    """The corpus, its true similarities, and the pairs the SQL reports."""
    workdir = tmp_path_factory.mktemp("near-duplicates")
    corpus = planted_corpus()
    parquet = workdir / "corpus.parquet"
    with duckdb.connect() as con:
        con.execute("create table corpus (doc_id varchar, body varchar)")
        con.executemany("insert into corpus values (?, ?)", list(corpus.items()))
        con.execute(f"copy corpus to '{parquet}' (format parquet)")
    sql = near_duplicates_sql(parquet, threshold=0.8)
    with duckdb.connect() as con:
        reported = {(a, b): similarity for a, b, similarity in con.sql(sql).fetchall()}
    return corpus, true_similarities(corpus), reported


# dbt compiles the search, DuckDB runs it on 3,000 texts, Python computes
# every true similarity: about 40 s on a loaded two-core machine.
ACCURACY = pytest.mark.slow("compiles the search with dbt and runs it on 3,000 planted texts")


@ACCURACY
def test_corpus_has_pairs_on_both_sides_of_the_thresholds(search):
    _, truth, _ = search
    assert sum(s >= 0.9 for s in truth.values()) > 300
    assert sum(0.5 <= s < 0.8 for s in truth.values()) > 100


@ACCURACY
def test_recalls_pairs_at_0_9_and_reports_none_below_0_5(search):
    _, truth, reported = search
    wanted = {pair for pair, similarity in truth.items() if similarity >= 0.9}
    found = wanted & reported.keys()
    assert len(found) >= 0.95 * len(wanted), (len(found), len(wanted))
    assert not [pair for pair in reported if truth.get(pair, 0.0) < 0.5]


@ACCURACY
def test_reported_similarity_is_the_exact_jaccard(search):
    _, truth, reported = search
    assert reported
    for pair, similarity in reported.items():
        assert similarity == pytest.approx(truth[pair]), pair
        assert similarity >= 0.8


def test_stronger_key_folds_case_accents_and_punctuation():
    done = compile_inline(
        "select {{ text_key('t', strip_accents=true, fold_punctuation=true) }} as strong,"
        " {{ text_key('t') }} as plain from (select ? as t)"
    )
    assert done.returncode == 0, done.output[-3000:]
    with duckdb.connect() as con:
        row = con.execute(done.stdout.strip(), ["  Réfund!!  my coins...please (now)? "]).fetchone()
    assert row == ("refund my coins please now", "réfund!! my coins...please (now)?")


# The plain forms of both keys' regex passes: each whole run to one space.
# The macros match only the runs that folding would change (not a lone
# space), which is much faster and must give the same key.
PLAIN_FOLD = r"[!-/:-@\[-`{-~ \t\n\x0b\f\r]+"
PLAIN_SPACES = r"[[:space:]]+"


def test_keys_match_their_plain_run_patterns():
    rng = random.Random(18)
    alphabet = [*"ab é.,!?-_'\"(){}[]~`@:;/\\", " ", " ", "  ", "\t", "\n", "\r", "\x0b", "\x0c"]
    alphabet += ["\x00", "\x1f", "\u00a0", "...", " . ", "ü"]
    texts = [
        "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 30))) for _ in range(20_000)
    ]
    done = compile_inline(
        "select t, {{ text_key('t', strip_accents=true, fold_punctuation=true) }} as strong,"
        " {{ text_key('t') }} as plain from (select unnest(?) as t)"
    )
    assert done.returncode == 0, done.output[-3000:]
    with duckdb.connect() as con:
        different = con.execute(
            f"""
            select t, strong, plain from ({done.stdout.strip()})
            where strong is distinct from
                trim(regexp_replace(strip_accents(lower(t)), '{PLAIN_FOLD}', ' ', 'g'))
            or plain is distinct from regexp_replace(
                lower(trim(t, chr(32) || chr(9) || chr(10) || chr(11) || chr(12) || chr(13))),
                '{PLAIN_SPACES}', ' ', 'g'
            )
            """,
            [texts],
        ).fetchall()
    assert different == []


@pytest.mark.parametrize("bins", [30, 32])
def test_minhash_bins_are_ordered_slices_of_the_hash_range(bins):
    # The signature keeps the first hash of each bin in a sorted list, so
    # a bin must never fall as the hash grows, and every bin must be used:
    # 32 takes the top bits, any other count the multiply-shift form.
    done = compile_inline(
        f"select h, {{{{ minhash_bin('h', {bins}) }}}} as bin"
        " from (select hash(range) as h from range(20000)) order by h"
    )
    assert done.returncode == 0, done.output[-3000:]
    with duckdb.connect() as con:
        found = [bin_ for _, bin_ in con.execute(done.stdout.strip()).fetchall()]
    assert found == sorted(found)
    assert set(found) == set(range(bins))

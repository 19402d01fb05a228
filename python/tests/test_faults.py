"""Faults and safety: killed builds, concurrent builds, exports that cannot
write, unsafe names and paths, secrets, personal data, spreadsheet formulas."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest
from conftest import BIN, PROJECT, compiled_expression, dbt, write_desk
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trainset.errors import TrainsetError
from trainset.export import export_dataset
from trainset.manifest import verify_export
from trainset.project import start_dbt
from trainset.sample.scale import write as scale_desk

R = pytest.mark.reliability


def _env(build) -> dict:
    return {**os.environ, "TRAINSET_DB": str(build.db), "DBT_TARGET_PATH": str(build.target)}


def _dbt_process(workdir: Path, raw: Path, db: Path) -> subprocess.Popen:
    scratch = {
        "TRAINSET_DB": str(db),
        "DBT_PROFILES_DIR": str(PROJECT),
        "TRAINSET_TEMP_DIR": str(workdir / "tmp"),
    }
    command = [*MODELS_ONLY, "--target-path", str(workdir / "target")]
    command += ["--log-path", str(workdir / "logs"), "--vars", json.dumps({"raw_dir": str(raw)})]
    return start_dbt(
        command,
        PROJECT,
        env=scratch,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        new_session=True,
    )


# The fault tests are about builds, not about the synthetic desk's text: at
# this size its templates repeat enough for the duplicate tests to error.
MODELS_ONLY = ["build", "--exclude", "test_type:data", "tag:fixture"]


@pytest.fixture(scope="module")
def big_raw(tmp_path_factory):
    # Big enough that a build takes long enough to interrupt; written by the
    # set-based generator in seconds, where the row-by-row one takes minutes.
    raw = tmp_path_factory.mktemp("big") / "raw"
    scale_desk(raw, 250_000, seed=9, fmt="csv")
    return raw


@pytest.mark.slow("builds a 250,000-ticket desk twice and kills a third build")
@R(
    "a build killed halfway (kill -9)",
    "the previous ticket_triage stays complete and readable; the next build succeeds; "
    "exports are untouched",
)
def test_killed_build_leaves_the_previous_dataset(big_raw, sample_build, tmp_path):
    db = tmp_path / "trainset.duckdb"
    first = dbt(MODELS_ONLY, tmp_path / "first", vars={"raw_dir": str(big_raw)}, db=db)
    assert first.returncode == 0, first.output[-2000:]
    before = first.query("select count(*), sum(hash(ticket_id)) from ticket_triage_v2")
    out = tmp_path / "exports"
    version = export_dataset(PROJECT, "ticket_triage", out=out, dbt_target=first.target, db=db).path
    manifest = (version / "manifest.json").read_bytes()

    proc = _dbt_process(tmp_path / "second", big_raw, db)
    deadline = time.time() + 120
    seen = ""
    while time.time() < deadline and "base_desk__ticket_messages" not in seen:
        seen += proc.stdout.readline()
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert "base_desk__ticket_messages" in seen, "the build never got halfway"

    with duckdb.connect(str(db), read_only=True) as con:
        assert (
            con.sql("select count(*), sum(hash(ticket_id)) from ticket_triage_v2").fetchall()
            == before
        )
    assert (version / "manifest.json").read_bytes() == manifest
    assert verify_export(version) == []
    again = dbt(MODELS_ONLY, tmp_path / "third", vars={"raw_dir": str(big_raw)}, db=db)
    assert again.returncode == 0, again.output[-2000:]


@pytest.mark.slow("builds a 250,000-ticket desk while a second build starts")
@R(
    "two builds at once on one DuckDB file",
    "the second fails fast: `trainset build` (make dataset) in one line naming the file "
    "and the process holding it, plain `dbt build` in dbt's error block; the first "
    "completes; an export meanwhile refuses in one line or reads a whole version",
)
def test_second_concurrent_build_fails_fast(big_raw, tmp_path):
    import threading

    db = tmp_path / "trainset.duckdb"
    first = _dbt_process(tmp_path / "first", big_raw, db)
    lines: list[str] = []
    running = threading.Event()

    def drain():
        for line in first.stdout:
            lines.append(line)
            if "START sql table model" in line:
                running.set()

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    assert running.wait(timeout=300), "the first build never started its models"
    started = time.time()
    second = dbt(MODELS_ONLY, tmp_path / "second", vars={"raw_dir": str(big_raw)}, db=db)
    took = time.time() - started
    # trainset build (what make dataset runs) says it in one line of its own.
    ours = subprocess.run(
        [BIN / "trainset", "build", "--select", "ticket_triage"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        env={**os.environ, "TRAINSET_DB": str(db), "DBT_TARGET_PATH": str(tmp_path / "ours")},
    )
    export = subprocess.run(
        [BIN / "trainset", "export", "ticket_triage", "--out", str(tmp_path / "out")],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "TRAINSET_DB": str(db),
            "DBT_TARGET_PATH": str(tmp_path / "first" / "target"),
        },
    )
    first.wait(timeout=600)
    reader.join(timeout=10)
    assert first.returncode == 0, "".join(lines)[-2000:]
    assert second.returncode != 0 and took < 60, second.output[-2000:]
    assert "lock" in second.output.lower()
    assert ours.returncode == 2 and "Traceback" not in ours.stderr
    assert ours.stderr.strip().splitlines() == [
        line for line in ours.stderr.splitlines() if "is locked by another build" in line
    ], ours.stderr
    if export.returncode != 0:
        assert "Traceback" not in export.stderr
        assert len(export.stderr.strip().splitlines()) == 1, export.stderr


@pytest.fixture()
def exported(sample_build, tmp_path):
    out = tmp_path / "out"
    version = export_dataset(
        PROJECT, "ticket_triage", out=out, dbt_target=sample_build.target, db=sample_build.db
    ).path
    return out, version


@R("an export into a read-only place", "fails with one line naming the folder; nothing is written")
def test_export_to_a_read_only_place_fails_in_one_line(sample_build, tmp_path):
    place = Path("/sys/trainset-export") if os.geteuid() == 0 else tmp_path / "ro"
    if os.geteuid() != 0:
        place.mkdir()
        place.chmod(0o555)
    done = subprocess.run(
        [BIN / "trainset", "export", "ticket_triage", "--out", str(place)],
        cwd=PROJECT,
        env=_env(sample_build),
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "cannot" in done.stderr


@R(
    "an export that hits a file-size limit (ulimit -f)",
    "fails with one line; the previous version stays intact",
)
def test_export_over_a_file_size_limit_keeps_the_previous_version(sample_build, exported):
    out, version = exported
    manifest = (version / "manifest.json").read_bytes()
    done = subprocess.run(
        [
            "bash",
            "-c",
            f"ulimit -f 64; exec {BIN / 'trainset'} export ticket_triage "
            f"--format csv --force --out {out}",
        ],
        cwd=PROJECT,
        env=_env(sample_build),
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert (version / "manifest.json").read_bytes() == manifest
    assert verify_export(version) == []
    assert sorted(p.name for p in (out / "ticket_triage").iterdir()) == ["v2"]


@R(
    "dataset names, versions and paths",
    "checked against the dbt manifest before any path is built; a symlink out of the "
    "folder is refused",
)
def test_names_and_symlinks_cannot_lead_outside(sample_build, exported, tmp_path):
    out, _ = exported
    for name in ("../../etc", "ticket_triage/../x", "/tmp/x"):
        with pytest.raises(TrainsetError, match="unknown dataset"):
            export_dataset(
                PROJECT, name, out=out, dbt_target=sample_build.target, db=sample_build.db
            )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "ticket_triage").symlink_to(elsewhere)
    with pytest.raises(TrainsetError, match="outside"):
        export_dataset(
            PROJECT, "ticket_triage", out=linked, dbt_target=sample_build.target, db=sample_build.db
        )
    assert not list(elsewhere.iterdir())
    (out / "ticket_triage" / "v2").rename(out / "ticket_triage" / "real")
    (out / "ticket_triage" / "v2").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(TrainsetError, match=r"symbolic link|outside"):
        export_dataset(
            PROJECT,
            "ticket_triage",
            out=out,
            force=True,
            dbt_target=sample_build.target,
            db=sample_build.db,
        )
    assert not list(elsewhere.iterdir())


@pytest.mark.slow("builds the sample with secrets in the environment")
@R(
    "a secret in the environment",
    "never appears in the manifest, the card, the logs, dbt's artifacts or the diff",
)
def test_secrets_stay_out_of_every_output(tmp_path):
    secret = "s3cr3t-token-4f9a1c"
    env = {
        "DBT_ENV_SECRET_SPARK_TOKEN": secret,
        "TRAINSET_SPARK_TOKEN": secret,
        "DATABRICKS_TOKEN": secret,
    }
    build = dbt(["build"], tmp_path / "build", env=env)
    assert build.returncode == 0, build.output[-2000:]
    out = tmp_path / "out"
    export = subprocess.run(
        [BIN / "trainset", "export", "ticket_triage", "--out", str(out)],
        cwd=PROJECT,
        env={**_env(build), **env},
        capture_output=True,
        text=True,
    )
    diff = subprocess.run(
        [
            BIN / "trainset",
            "diff",
            str(out / "ticket_triage" / "v2"),
            str(out / "ticket_triage" / "v2"),
            "--format",
            "json",
        ],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    texts = [build.output, export.stdout, export.stderr, diff.stdout, diff.stderr]
    for path in [*tmp_path.rglob("*")]:
        if path.is_file() and path.suffix in (".json", ".md", ".log", ".sql", ".csv", ""):
            texts.append(path.read_text(errors="replace"))
    assert all(secret not in text for text in texts)


@pytest.fixture(scope="module")
def formula_build(tmp_path_factory):
    def plant(desk):
        for message in desk.rows["ticket_messages"][:400]:
            if message["author_role"] == "player" and message["body"].strip():
                message["body"] = '=HYPERLINK("http://evil.example/x","refund")'
                break

    work = tmp_path_factory.mktemp("formula")
    build = dbt(["build"], work, vars={"raw_dir": str(write_desk(work / "raw", mutate=plant))})
    assert build.returncode == 0, build.output[-2000:]
    return build


@pytest.mark.slow("builds a desk with formula cells")
@R(
    "spreadsheet formula injection in CSV exports",
    "--format csv warns about cells starting with = + - @; --csv-safe prefixes them "
    "with ' and records it in manifest and card",
)
def test_formula_cells_warned_and_neutralised(formula_build, tmp_path):
    plain = subprocess.run(
        [
            BIN / "trainset",
            "export",
            "ticket_triage",
            "--format",
            "csv",
            "--out",
            str(tmp_path / "plain"),
        ],
        cwd=PROJECT,
        env=_env(formula_build),
        capture_output=True,
        text=True,
    )
    assert plain.returncode == 0 and "--csv-safe" in plain.stderr, plain.stderr
    safe = export_dataset(
        PROJECT,
        "ticket_triage",
        out=tmp_path / "safe",
        fmt="csv",
        csv_safe=True,
        dbt_target=formula_build.target,
        db=formula_build.db,
    )
    assert safe.manifest.csv_safe is True
    assert "--csv-safe" in (safe.path / "README.md").read_text()
    text = "".join(p.read_text() for p in safe.path.rglob("features.csv"))
    assert "'=HYPERLINK" in text
    assert not any(
        line.split(",", 1)[1][:1] in "=+-@"
        for p in safe.path.rglob("features.csv")
        for line in p.read_text().splitlines()[1:]
        if "," in line
    )


# Personal data: the project's real masking SQL, run through DuckDB.


@pytest.fixture(scope="module")
def masking_sql():
    with duckdb.connect() as con:
        # One connection for every example: hypothesis runs this 150 times.
        yield {
            "con": con,
            "mask": compiled_expression("{{ mask_pii('t') }}"),
            "contains": compiled_expression("{{ contains_pii('t') }}"),
        }


EMAILS = st.from_regex(
    r"[a-z]{1,8}(\.[a-z]{1,5})?(\+[a-z]{1,3})?@[a-z]{2,8}\.(com|co\.uk|de)", fullmatch=True
)
CARDS = st.sampled_from(
    [
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "4111111111111111",
        "5500 0000 0000 0004",
        "378282246310005",
    ]
)
PHONES = st.from_regex(
    r"(\+44 7700 9\d{5}|\(\d{3}\) \d{3}-\d{4}|\+49 151 \d{8}|0\d{10})", fullmatch=True
)
IPS = st.tuples(*[st.integers(0, 255)] * 4).map(lambda t: ".".join(map(str, t)))
SAFE = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.times().map(lambda t: t.strftime("%H:%M")),
    st.integers(0, 999_999).map(lambda n: f"order {n}"),
    st.integers(1, 99).map(lambda n: f"level {n}"),
    st.decimals(min_value=0, max_value=999, places=2).map(lambda d: f"${d}"),
    st.tuples(st.integers(0, 20), st.integers(0, 20), st.integers(0, 20)).map(
        lambda t: "v{}.{}.{}".format(*t)
    ),
)
WORDS = st.sampled_from(["hi", "my", "refund", "please", "card", "phone", "since", "and"])


@R(
    "personal data mixed with look-alikes (hypothesis)",
    "masking leaves no email, card, phone or IPv4 pattern, keeps every date, time, amount, "
    "short number and version, and is idempotent",
)
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    parts=st.lists(
        st.one_of(
            st.one_of(EMAILS, CARDS, PHONES, IPS).map(lambda p: ("pii", p)),
            SAFE.map(lambda p: ("safe", p)),
        ),
        min_size=1,
        max_size=6,
    ),
    words=st.lists(WORDS, min_size=6, max_size=6),
)
def test_masking_properties(masking_sql, parts, words):
    text = " ".join(f"{w} {p}" for w, (_, p) in zip(words, parts, strict=False))
    con = masking_sql["con"]
    masked = con.execute(masking_sql["mask"], [text]).fetchall()[0][0]
    left = con.execute(masking_sql["contains"], [masked]).fetchall()[0][0]
    twice = con.execute(masking_sql["mask"], [masked]).fetchall()[0][0]
    assert not left, (text, masked)
    assert twice == masked
    for fragment in (p for kind, p in parts if kind == "safe"):
        assert fragment in masked, (text, masked, fragment)

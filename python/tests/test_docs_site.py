"""`make docs-site` in a real browser: dbt's docs site, generated from the
session's sample build and served on loopback, shows ticket_triage v2's
columns with their YAML descriptions and its lineage back to the raw desk
sources, with no console error."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from conftest import PROJECT
from test_look import _chromium

MODEL = "model.trainset.ticket_triage.v2"
DOC_REF = re.compile(r"""^\s*\{\{\s*doc\(\s*["'](\w+)["']\s*\)\s*\}\}\s*$""")
DOC_BLOCK = re.compile(r"\{%-?\s*docs\s+(\w+)\s*-?%\}(.*?)\{%-?\s*enddocs\s*-?%\}", re.DOTALL)
# Requests dbt's own page makes for attributes it never renders (an <img
# src="{{ getIcon(...) }}"> and a favicon left as `${require(...)}` by its
# bundler): 404s from dbt-docs itself, whatever the project. Only these are
# ignored; any other console error fails the test.
UNRENDERED = re.compile(r"^http://127\.0\.0\.1:\d+/(%7B%7B|\$%7Brequire)\S* - Failed to load")


def words(text: str) -> str:
    return " ".join(text.split())


def yaml_descriptions(model: str, version: int) -> dict[str, str]:
    """Column -> description of a model version, as the YAML declares it,
    with {{ doc("x") }} resolved from the project's docs blocks."""
    blocks: dict[str, str] = {}
    for path in (PROJECT / "models").rglob("*.md"):
        blocks |= {name: body for name, body in DOC_BLOCK.findall(path.read_text())}
    for path in (PROJECT / "models").rglob("*.yml"):
        for node in (yaml.safe_load(path.read_text()) or {}).get("models", []):
            if node["name"] != model:
                continue
            columns = {c["name"]: c.get("description", "") for c in node.get("columns", [])}
            for entry in node.get("versions", []):
                if entry["v"] != version:
                    continue
                for spec in entry.get("columns", []):
                    if "include" in spec:
                        for name in spec.get("exclude", []):
                            columns.pop(name)
                    else:
                        columns[spec["name"]] = spec.get("description", columns.get(spec["name"]))
            return {
                name: words(blocks[m.group(1)] if (m := DOC_REF.match(text)) else text)
                for name, text in columns.items()
            }
    raise AssertionError(f"no model {model} in models/")


def desk_sources() -> set[str]:
    declared = yaml.safe_load((PROJECT / "models/staging/desk/_desk__sources.yml").read_text())
    source = declared["sources"][0]
    return {f"source.trainset.{source['name']}.{t['name']}" for t in source["tables"]}


def console_errors(log: list[dict]) -> list[dict]:
    """The SEVERE entries of a browser log, but dbt-docs' own unrendered
    requests (see UNRENDERED)."""
    return [e for e in log if e["level"] == "SEVERE" and not UNRENDERED.match(e["message"])]


def test_console_errors_keep_everything_but_dbt_docs_own_404s():
    page = "http://127.0.0.1:8123/"
    ours = [
        {"level": "SEVERE", "message": f"{page}manifest.json - Failed to load resource: 404"},
        {"level": "SEVERE", "message": f"{page} 12:40 Uncaught TypeError: x is undefined"},
    ]
    dbt_docs_own = [
        {
            "level": "SEVERE",
            "message": f"{page}{path} - Failed to load resource: the server "
            "responded with a status of 404 (File not found)",
        }
        for path in (
            "%7B%7B%20getIcon(item.type,%20'on')%20%7D%7D",
            "$%7Brequire('./assets/favicons/favicon.ico')%7D",
        )
    ]
    warning = {"level": "WARNING", "message": "a warning"}
    assert console_errors([*dbt_docs_own, ours[0], warning, ours[1]]) == ours


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, server: subprocess.Popen, log: Path, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"make docs-site stopped:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"nothing served at {url} in {timeout:.0f} s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def docs_site(sample_build, tmp_path):
    """`make docs-site` on a copy of the sample build's target folder and on
    its DuckDB file (no new build), on a free loopback port; stopped after."""
    site = tmp_path / "site"
    shutil.copytree(sample_build.target, site)
    port = free_port()
    log = tmp_path / "make.log"
    env = {
        **os.environ,
        "TRAINSET_DB": str(sample_build.db),
        # The build's own spill folder: the profile then matches the build's,
        # so dbt reuses its partial parse instead of parsing again.
        "TRAINSET_TEMP_DIR": str(sample_build.db.parent / "tmp"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
    }
    env.pop("DBT_TARGET_PATH", None)
    with log.open("w") as out:
        # -o: take .venv as set up (the test runs in it), never reinstall.
        server = subprocess.Popen(
            [
                "make",
                "-o",
                ".venv/.installed",
                "docs-site",
                f"DOCS_SITE={site}",
                f"DOCS_PORT={port}",
                # The copy of the build's target has the SQL compiled already.
                "DOCS_FLAGS=--no-compile",
            ],
            cwd=PROJECT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(f"http://127.0.0.1:{port}/catalog.json", server, log)
        yield f"http://127.0.0.1:{port}/"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_the_docs_site_shows_ticket_triage_v2(docs_site):
    from selenium.webdriver.support.ui import WebDriverWait

    expected = yaml_descriptions("ticket_triage", 2)
    browser = _chromium()
    try:
        browser.get(f"{docs_site}#!/model/{MODEL}")
        WebDriverWait(browser, 120).until(
            lambda b: b.find_elements("css selector", "tr.column-row")
        )
        shown = {}
        for row in browser.find_elements("css selector", "tr.column-row"):
            cells = row.find_elements("tag name", "td")
            name = cells[0].get_attribute("textContent").strip()
            shown[name] = words(cells[2].get_attribute("textContent"))
        assert shown == expected

        # Lineage: the page's "Depends On" names the model's parents, and
        # the graph the lineage view draws reaches every raw desk source.
        depends_on = browser.find_element(
            "xpath", "//h6[normalize-space()='Depends On']/ancestor::section[1]"
        )
        linked = {
            a.get_attribute("href").split("#!/", 1)[1].split("/", 1)[1]
            for a in depends_on.find_elements("css selector", "a[href*='#!/']")
        }
        parents, ancestors = browser.execute_script(
            """
            const dag = angular.element(document.body).injector().get('graph').graph.pristine.dag;
            const seen = new Set(), todo = [arguments[0]];
            while (todo.length) {
              for (const p of dag.predecessors(todo.pop()) || []) {
                if (!seen.has(p)) { seen.add(p); todo.push(p); }
              }
            }
            return [dag.predecessors(arguments[0]), [...seen]];
            """,
            MODEL,
        )
        nodes = ("model.", "source.", "seed.", "snapshot.")
        assert linked and {n for n in linked if n.startswith(nodes)} == {
            p for p in parents if p.startswith(nodes)
        }
        assert desk_sources() <= set(ancestors), sorted(ancestors)

        assert console_errors(browser.get_log("browser")) == []
    finally:
        browser.quit()

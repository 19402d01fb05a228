"""Every export the test suite writes is checked against the published
JSON Schema (docs/manifest.schema.json) when the session ends.

conftest.py registers ExportsMatchSchema. It walks the session's base
temporary folder (under pytest-xdist, the controller's, which holds every
worker's) for trainset manifests and fails the run naming any invalid one.
A test that writes an invalid or older manifest on purpose marks its folder
with mark_not_an_export.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "manifest.schema.json"
# A folder holding a manifest that a test made invalid or old on purpose.
ON_PURPOSE = ".not-a-trainset-export"


def mark_not_an_export(folder: Path) -> None:
    (folder / ON_PURPOSE).write_text("a test wrote this manifest invalid on purpose\n")


def _is_dbt_manifest(path: Path) -> bool:
    """dbt's own manifest.json, told by its first bytes (it can be large)."""
    with path.open("rb") as handle:
        return b"dbt_schema_version" in handle.read(400)


def schema_errors(data: object) -> list[str]:
    """What makes data not a manifest of the published schema."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
        for e in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    ]


def invalid_manifests(root: Path) -> dict[Path, list[str]]:
    """Each trainset manifest.json under root that the schema refuses, with
    why; dbt's own manifests and folders marked on purpose are left out."""
    found: dict[Path, list[str]] = {}
    for path in sorted(root.rglob("manifest.json")):
        if (path.parent / ON_PURPOSE).exists() or _is_dbt_manifest(path):
            continue
        try:
            data: Any = json.loads(path.read_text())
        except (OSError, ValueError) as error:
            found[path] = [f"not JSON: {error}"]
            continue
        errors = schema_errors(data)
        if errors:
            found[path] = errors
    return found


class ExportsMatchSchema:
    """The session hook; under xdist it runs in the controller only."""

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        config = session.config
        if hasattr(config, "workerinput"):
            return
        factory = getattr(config, "_tmp_path_factory", None)
        if factory is None:
            return
        root = factory.getbasetemp()
        invalid = invalid_manifests(root)
        if invalid:
            lines = [
                f"  {path.relative_to(root)}: {errors[0]}"
                + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else "")
                for path, errors in invalid.items()
            ]
            sys.stderr.write(
                "\nerror: exports that do not match docs/manifest.schema.json:\n"
                + "\n".join(lines)
                + "\n"
            )
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

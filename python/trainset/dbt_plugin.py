"""A dbt-duckdb plugin (profiles.yml `plugins:`) that gives the build's
DuckDB the functions dbt's SQL cannot express: detect_language(text), the
language_mismatch test's language detection (trainset.language)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dbt.adapters.duckdb.plugins import BasePlugin

from trainset.language import detect_language

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection


class Plugin(BasePlugin):
    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        from duckdb.func import FunctionNullHandling

        # Pure, so DuckDB may call it once per distinct text; special null
        # handling, as a text too short to tell gives null.
        conn.create_function(
            "detect_language",
            detect_language,
            ["VARCHAR"],
            "VARCHAR",
            null_handling=FunctionNullHandling.SPECIAL,
            side_effects=False,
        )

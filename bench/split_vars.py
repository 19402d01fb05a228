"""The split settings from dbt_project.yml, so that the floor statement and
the pandas script cut splits exactly as the project does."""

from __future__ import annotations

from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parents[1]


def split_vars() -> tuple[float, float, str]:
    """(train fraction, validation fraction, salt)."""
    found = yaml.safe_load((PROJECT / "dbt_project.yml").read_text())["vars"]
    return (
        float(found["split_train_fraction"]),
        float(found["split_validation_fraction"]),
        str(found["split_salt"]),
    )

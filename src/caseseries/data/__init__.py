"""Package data: the bundled case series, the Case JSON schema and reference texts."""

from __future__ import annotations

import json
from importlib import resources

from caseseries.model.casejson import CaseFile, parse_case_data

BUNDLED_SERIES = "cases/alk_imt_seed_series.json"


def bundled_case_series() -> CaseFile:
    """The curated case series shipped with caseseries (the seeds' tables and index patients)."""
    text = resources.files("caseseries.data").joinpath(BUNDLED_SERIES).read_text("utf-8")
    return parse_case_data(json.loads(text), source=f"caseseries/data/{BUNDLED_SERIES}")


def case_schema_text() -> str:
    """The shipped JSON Schema of Case JSON ``caseseries/1``."""
    return resources.files("caseseries.data").joinpath("schema/caseseries-1.schema.json").read_text("utf-8")

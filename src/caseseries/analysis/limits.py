"""Minimum group sizes: below them a statistic is reported as "not computed (n < N)".

The sizes are a data file a curator can edit (``analysis/data/min_groups.yaml``); a loader
rejects unknown keys and lists the allowed ones.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import pydantic
import yaml
from pydantic import BaseModel, ConfigDict, Field

from caseseries.errors import FormatError, ValidationError
from caseseries.model.casejson import describe_validation_error

MIN_GROUPS_FILE = "min_groups.yaml"


class MinGroups(BaseModel):
    """The smallest groups on which each statistic is computed.

    Attributes
    ----------
    logrank_lines_per_group : int
        Lines on the Kaplan–Meier curve every group of a log-rank test must have.
    km_median_lines : int
        Lines on the curve for a median PFS (and its CI).
    rate_ci_evaluable : int
        Evaluable lines for the exact CI of a response rate.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = 1
    logrank_lines_per_group: int = Field(default=5, ge=1)
    km_median_lines: int = Field(default=5, ge=1)
    rate_ci_evaluable: int = Field(default=3, ge=1)


def parse_min_groups(text: str, *, source: str) -> MinGroups:
    """Validate the text of a minimum-group-size file.

    Raises
    ------
    FormatError
        If the YAML does not parse.
    ValidationError
        For unknown keys (listing the allowed ones) or values that are not whole numbers >= 1.
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        raise FormatError("invalid YAML; fix the syntax", source=source) from None
    if not isinstance(data, dict):
        raise ValidationError(f"expected a mapping with keys {', '.join(MinGroups.model_fields)}", source=source)
    try:
        return MinGroups.model_validate(data)
    except pydantic.ValidationError as err:
        loc, msg = describe_validation_error(err, MinGroups)
        raise ValidationError(msg, source=source, location=loc) from None


@cache
def min_groups() -> MinGroups:
    """The shipped minimum group sizes."""
    text = resources.files("caseseries.analysis").joinpath("data", MIN_GROUPS_FILE).read_text("utf-8")
    return parse_min_groups(text, source=f"caseseries/analysis/data/{MIN_GROUPS_FILE}")


def not_computed(minimum: int) -> str:
    """The words shown in place of a statistic on too small a group: ``not computed (n < 5)``."""
    return f"not computed (n < {minimum})"

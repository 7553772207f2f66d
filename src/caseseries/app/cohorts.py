"""Use case: the cohort a set of filters describes (a named cohort plus any extra filters).

Shared by ``analyze``, ``similar`` and ``report`` (their ``--agent --line ... --cohort NAME``
options) and by any adapter that offers the same filters.
"""

from __future__ import annotations

from pathlib import Path

from caseseries.analysis.cohort import Cohort, load_cohorts
from caseseries.errors import InputError


def cohort_from_filters(
    *,
    agent: str | None = None,
    line: int | None = None,
    after: str | None = None,
    mutation: str | None = None,
    partner: str | None = None,
    site: str | None = None,
    generation: int | None = None,
    cohort_name: str | None = None,
    cohorts_file: Path | None = None,
) -> Cohort:
    """Build the cohort the filters describe; a bad filter is reported at its option (``--line``).

    Raises
    ------
    InputError
        For an unknown named cohort, a bad cohorts file or a bad filter value.
    """
    base = Cohort()
    if cohort_name or cohorts_file:
        named = load_cohorts(cohorts_file)
        if cohort_name:
            source = str(cohorts_file) if cohorts_file else "shipped cohorts"
            base = named.get(cohort_name, source=source)
    values = {"agent": agent, "line": line, "after": after, "mutation": mutation, "partner": partner, "site": site,
              "generation": generation}  # fmt: skip
    given = {k: v for k, v in values.items() if v is not None}
    try:
        extra = Cohort.model_validate(given)
    except InputError as err:
        raise InputError(err.message, location=f"--{err.location or ''}") from None
    return base.merged(extra) if given else base

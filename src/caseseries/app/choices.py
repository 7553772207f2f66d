"""The choices and defaults the command-line options show in their help, importable at start-up.

``caseseries --help`` and every ``COMMAND --help`` must start without loading statistics,
databases or HTTP clients, so these few values are kept here, each a copy of the one its stage
defines; ``tests/app/test_app_choices.py`` checks every copy equals its original.
"""

from __future__ import annotations

GROUPINGS = ("line", "agent", "generation", "site", "partner")
"""``analyze --by``: :data:`caseseries.analysis.response.GROUPINGS`."""

EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
"""``search``/``import --base-url``: :data:`caseseries.sources.eutils.DEFAULT_BASE_URL`."""

REPORT_FORMATS = ("html", "md", "docx", "csv")
"""``report --format``: :data:`caseseries.report.build.FORMATS`."""

SCREENING_STATES = ("include", "exclude", "maybe", "undecided")
"""``records list --screening``: :data:`caseseries.app.records.SCREENING_STATES`."""

FIRST_STAGE = "title-abstract"
"""``screen --stage`` default: :attr:`caseseries.screening.Stage.TITLE_ABSTRACT`."""

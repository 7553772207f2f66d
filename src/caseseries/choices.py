"""The closed choices command-line options offer, defined once and importable at start-up.

``caseseries --help`` and every ``COMMAND --help`` show these values without loading the
statistics, database or HTTP code of the stages that use them; each stage imports its own
value from here.
"""

from __future__ import annotations

GROUPINGS = ("line", "agent", "generation", "site", "partner")
"""How response rates can be grouped (``analyze --by``; :mod:`caseseries.analysis.response`)."""

EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
"""NCBI E-utilities (``search``/``import --base-url``; :mod:`caseseries.sources.eutils`)."""

REPORT_FORMATS = ("html", "md", "docx", "csv")
"""The evidence report's formats (``report --format``; :mod:`caseseries.report.build`)."""

UNDECIDED = "undecided"
"""The screening state of a record nobody has decided yet."""

SCREENING_STATES = ("include", "exclude", "maybe", UNDECIDED)
"""A record's screening state in a protocol (``records list --screening``)."""

REVIEW_ORDERS = ("rules", "model")
"""How a screening review queue is ordered (``screen review --order``; :class:`caseseries.screening.ranking.Order`)."""

FIRST_STAGE = "title-abstract"
"""The first screening stage (``screen --stage`` default; :class:`caseseries.screening.Stage`)."""

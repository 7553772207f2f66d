"""``python -m caseseries``: the command line (:func:`caseseries.cli.main`)."""

import sys

from caseseries.cli import main

sys.exit(main())

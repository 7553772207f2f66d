"""Command groups of the ``caseseries`` command line, one module each, discovered by cli.py."""

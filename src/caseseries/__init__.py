"""caseseries: published case reports of rare fusion-driven tumours as an analysable case series.

The library is the product; the ``caseseries`` command line is a thin adapter over it.
caseseries reports published evidence. It never recommends a treatment.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]

"""Whole-PubMed scans: every record of the baseline and update files screened and extracted on Dask.

>>> from caseseries.scan import run_scan                                    # doctest: +SKIP
>>> summary = run_scan(["baseline/"], "alk-imt-alectinib-first-line", "scan/", workers=2)
>>> summary.to_json()["candidates"]                                         # doctest: +SKIP
"""

from caseseries.scan.into_store import StoreLoad, load_into_store
from caseseries.scan.run import ScanSummary, expand_inputs, run_scan
from caseseries.scan.task import FileResult, scan_file

__all__ = ["FileResult", "ScanSummary", "StoreLoad", "expand_inputs", "load_into_store", "run_scan", "scan_file"]

"""The analysis page: pooled response rates with exact CIs and Kaplan-Meier PFS, as ``analyze`` computes them.

Every number is shown for all analysed patients and for reviewed and unreviewed patients apart,
so that values nobody has checked yet are never mistaken for curated ones.
"""

from __future__ import annotations

import base64
import dataclasses
from functools import lru_cache

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from caseseries.analysis.cohort import Cohort
from caseseries.analysis.survival import KaplanMeier
from caseseries.app.review_cases import analyse_cohort
from caseseries.errors import InputError
from caseseries.report.figures import km_figure
from caseseries.report.methods import STATEMENT
from caseseries.report.tables import median_ci, rate_cell
from caseseries.web.auth import CurrentUser
from caseseries.web.context import Context
from caseseries.web.templating import NavItem, render

router = APIRouter()
NAV = NavItem("Analysis", "/analysis", order=40)
PFS_TITLE = "Progression-free survival: reviewed and unreviewed patients"


@lru_cache(maxsize=64)
def pfs_png(curves: tuple[KaplanMeier, ...]) -> bytes:
    """The PNG of the page's Kaplan-Meier figure, drawn once per set of curves (the curves are its data)."""
    return km_figure(curves, key="pfs", title=PFS_TITLE).png


@router.get("/analysis", response_class=HTMLResponse)
def analysis_page(
    request: Request,
    ctx: Context,
    user: CurrentUser,
    agent: str = "",
    line: str = "",
    site: str = "",
    partner: str = "",
    disease: str = "",
) -> HTMLResponse:
    """Response rates and PFS of the cohort the filters select: all, reviewed and unreviewed patients."""
    number = None
    if line.strip():
        if not line.strip().isdigit() or int(line) < 1:
            raise InputError(f"line {line!r} is not a line number; give 1, 2, 3, ...", location="line")
        number = int(line)
    cohort = Cohort(
        agent=agent or None, line=number, site=site or None, partner=partner or None, disease=disease or None
    )
    result = analyse_cohort(ctx.store, cohort)
    columns = [("All analysed", result.all), ("Reviewed", result.reviewed), ("Unreviewed", result.unreviewed)]
    png = pfs_png(tuple(dataclasses.replace(a.pfs.km, label=name) for name, a in columns[1:]))
    rows = [
        {
            "name": name,
            "patients": a.selection.n_patients,
            "lines": len(a.selection.units),
            "r": a.response,
            "orr": rate_cell(a.response, "orr"),
            "dcr": rate_cell(a.response, "dcr"),
            "pfs": a.pfs,
            "median": median_ci(a.pfs),
        }
        for name, a in columns
    ]
    filters = {"agent": agent, "line": line, "site": site, "partner": partner, "disease": disease}
    return render(
        request,
        "analysis/page.html",
        {
            "title": "Analysis",
            "cohort": cohort.describe(),
            "rows": rows,
            "rejected": result.rejected,
            "figure": "data:image/png;base64," + base64.b64encode(png).decode("ascii"),
            "filters": filters,
            "statement": STATEMENT,
        },
    )

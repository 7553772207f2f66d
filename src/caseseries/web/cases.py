"""Case pages: the filterable case list, one patient's timeline, and the evidence report to download.

The report is the ``report`` command's output, written into a folder of the app's own; a
download names a file of the report's manifest (anything else is refused, so no path leaves it).
"""

from __future__ import annotations

import base64
import io
import tempfile
import threading
import zipfile
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from caseseries.analysis.cohort import Cohort
from caseseries.app.report import write_report
from caseseries.app.review_cases import CaseFilter, ReviewState, list_cases, review_state, source_name
from caseseries.choices import REPORT_FORMATS
from caseseries.errors import InputError, NotFoundError
from caseseries.report.figures import timeline_figure
from caseseries.web.auth import CurrentUser
from caseseries.web.context import Context
from caseseries.web.templating import NavItem, render

router = APIRouter()
NAV = [NavItem("Cases", "/cases", order=30), NavItem("Report", "/report", order=50)]
PAGE_SIZE = 100
_REPORT_LOCK = threading.Lock()
_SANDBOX = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"
"""Report files are shown as documents that run nothing."""
_MEDIA = {".html": "text/html", ".md": "text/markdown", ".csv": "text/csv", ".json": "application/json",
          ".svg": "image/svg+xml", ".png": "image/png",
          ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}  # fmt: skip


def _state(value: str | None) -> ReviewState | None:
    if not value:
        return None
    try:
        return ReviewState(value)
    except ValueError:
        message = f"status {value!r} is not reviewed or unreviewed; choose one of them"
        raise InputError(message, location="status") from None


@router.get("/cases", response_class=HTMLResponse)
def case_list(
    request: Request,
    ctx: Context,
    user: CurrentUser,
    disease: str = "",
    site: str = "",
    partner: str = "",
    agent: str = "",
    status: str = "",
    q: str = "",
    page: int = 1,
) -> HTMLResponse:
    """The stored cases, filtered by disease, site, fusion partner, agent, review status and free text."""
    filters = CaseFilter(disease, site, partner, agent, _state(status), q)
    number = max(page, 1)
    result = list_cases(ctx.store, filters, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    shown = {"disease": disease, "site": site, "partner": partner, "agent": agent, "status": status, "q": q}
    return render(
        request,
        "cases/list.html",
        {"title": "Cases", "page": result, "filters": shown, "number": number, "page_size": PAGE_SIZE},
    )


@router.get("/cases/{patient_id}", response_class=HTMLResponse)
def case_page(patient_id: int, request: Request, ctx: Context, user: CurrentUser) -> HTMLResponse:
    """One patient: details, lines, a timeline figure and the changes made to it."""
    stored = ctx.store.get_patient(patient_id)
    figure = timeline_figure(stored.patient.label, stored.patient, key=f"case-{patient_id}")
    timeline = "data:image/png;base64," + base64.b64encode(figure.png).decode("ascii")
    return render(
        request,
        "cases/patient.html",
        {
            "title": stored.patient.label,
            "stored": stored,
            "source": source_name(stored),
            "state": review_state(stored.patient),
            "timeline": timeline,
            "changes": ctx.accounts.changes_for("patient", str(patient_id)),
            "history": ctx.store.patient_history(patient_id),
        },
    )


def report_folder(request: Request) -> Path:
    """The folder the app writes its report into (made once per app)."""
    folder: Path | None = getattr(request.app.state, "report_folder", None)
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="caseseries-web-report-"))
        request.app.state.report_folder = folder
    return folder


def _report_files(request: Request) -> list[str]:
    files: list[str] = getattr(request.app.state, "report_files", [])
    return files


@router.get("/report", response_class=HTMLResponse)
def report_page(request: Request, ctx: Context, user: CurrentUser) -> HTMLResponse:
    """The report's files, once built."""
    return render(request, "cases/report.html", {"title": "Report", "files": _report_files(request)})


@router.post("/report")
def report_build(request: Request, ctx: Context, user: CurrentUser) -> RedirectResponse:
    """Build the evidence report of every stored case, through the use case of ``caseseries report``.

    Linked duplicate patients are pooled once and the methods carry the store's provenance, as in the
    command's report of the same store.
    """
    folder = report_folder(request)
    with _REPORT_LOCK:
        result = write_report(ctx.store, folder, formats=REPORT_FORMATS, cohort=Cohort(), force=True)
        request.app.state.report_files = sorted(p.relative_to(result.out_dir).as_posix() for p in result.files)
    return RedirectResponse("/report", status_code=303)


@router.get("/report/download/report.zip")
def report_zip(request: Request, ctx: Context, user: CurrentUser) -> Response:
    """Every file of the report in one zip archive."""
    files = _report_files(request)
    if not files:
        raise NotFoundError("no report has been built yet; build it on the report page")
    buffer = io.BytesIO()
    folder = report_folder(request)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in files:
            archive.write(folder / name, f"report/{name}")
    headers = {"Content-Disposition": 'attachment; filename="caseseries-report.zip"'}
    return Response(buffer.getvalue(), media_type="application/zip", headers=headers)


@router.get("/report/download/{name:path}")
def report_file(name: str, request: Request, ctx: Context, user: CurrentUser) -> Response:
    """One file of the report; only names the report wrote are served."""
    files = _report_files(request)
    if name not in files:
        raise NotFoundError(f"the report has no file {name!r}; choose one on the report page")
    folder = report_folder(request).resolve()
    path = (folder / name).resolve()
    if not path.is_relative_to(folder) or not path.is_file():
        raise NotFoundError(f"the report has no file {name!r}; choose one on the report page")
    media = _MEDIA.get(path.suffix, "application/octet-stream")
    headers = {"Content-Security-Policy": _SANDBOX}
    inline = path.suffix in (".png", ".svg", ".html")
    return FileResponse(
        path,
        media_type=media,
        headers=headers,
        filename=path.name,
        content_disposition_type="inline" if inline else "attachment",
    )

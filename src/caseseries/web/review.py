"""Extraction review pages: the source text with every evidence span highlighted beside the patient's values.

Clicking a value marks its spans; selecting text and choosing a field sets the value with the
selection as its evidence; accept marks the patient reviewed. Every change goes to the audit
trail and is listed on the page. Comparing two extractions is in :mod:`caseseries.web.review_compare`.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from caseseries.app.review import (
    LINE_FIELDS,
    PATIENT_FIELDS,
    Edit,
    EditAction,
    FieldChange,
    Selection,
    accept,
    apply_edit,
    editable_fields,
    extract_for_review,
    highlight_segments,
    load_review,
    reopen,
)
from caseseries.app.review_cases import CaseFilter, ReviewState, list_cases
from caseseries.model import Source
from caseseries.store.accounts import Via
from caseseries.web.auth import CurrentUser
from caseseries.web.context import AppContext, Context
from caseseries.web.templating import NavItem, render

router = APIRouter()
NAV = NavItem("Review", "/review", order=20)


def record(ctx: AppContext, user_name: str, change: FieldChange) -> None:
    """Write one change of a patient to the audit trail."""
    ctx.accounts.record_change(
        entity="patient", key=str(change.patient_id), field=change.field, old=change.old, new=change.new,
        actor=user_name, via=Via.WEB,
    )  # fmt: skip


@router.get("/review", response_class=HTMLResponse)
def review_queue(request: Request, ctx: Context, user: CurrentUser) -> HTMLResponse:
    """Patients awaiting review, and a form to extract a new text for review."""
    page = list_cases(ctx.store, CaseFilter(state=ReviewState.UNREVIEWED), limit=500)
    return render(request, "review/queue.html", {"page": page, "title": "Review"})


@router.post("/review/extract")
def review_extract(
    ctx: Context,
    user: CurrentUser,
    text: str = Form(...),
    name: str = Form(""),
) -> RedirectResponse:
    """Extract a pasted text, store it with its patients and open the first one for review."""
    label = PurePath(name.strip() or "pasted text").name[:200]
    ids = extract_for_review(ctx.store, text, Source(path=label))
    target = f"/review/{ids[0]}" if ids else "/review?none=1"
    return RedirectResponse(target, status_code=303)


def _field_rows(review: Any) -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]:
    patient_rows: list[dict[str, Any]] = []
    line_rows: list[list[dict[str, Any]]] = [[] for _ in review.patient.lines]
    for path, spec, value in editable_fields(review.patient):
        shown = ", ".join(map(str, value)) if isinstance(value, list) else ("" if value is None else str(value))
        row = {"path": path, "spec": spec, "value": shown, "spans": [s.index for s in review.spans_for(path)]}
        if path.startswith("lines["):
            line_rows[int(path[6 : path.index("]")])].append(row)
        else:
            patient_rows.append(row)
    return patient_rows, line_rows


@router.get("/review/{patient_id}", response_class=HTMLResponse)
def review_page(patient_id: int, request: Request, ctx: Context, user: CurrentUser) -> HTMLResponse:
    """The review page of one patient."""
    review = load_review(ctx.store, patient_id)
    segments = highlight_segments(review.text, review.spans) if review.text is not None else []
    patient_rows, line_rows = _field_rows(review)
    fields = [f.name for f in PATIENT_FIELDS] + [
        f"lines[{i}].{f.name}" for i in range(len(review.patient.lines) + 1) for f in LINE_FIELDS
    ]
    other = [
        {"path": s.field, "text": s.text, "index": s.index}
        for s in review.spans
        if not any(s.index in r["spans"] for r in patient_rows + [r for rows in line_rows for r in rows])
    ]
    return render(
        request,
        "review/patient.html",
        {
            "title": f"Review: {review.patient.label}",
            "review": review,
            "segments": segments,
            "patient_rows": patient_rows,
            "line_rows": line_rows,
            "other_spans": other,
            "fields": fields,
            "changes": ctx.accounts.changes_for("patient", str(patient_id)),
            "can_write": user.role.value != "viewer",
        },
    )


class EditBody(BaseModel):
    """A change sent by the review page's script."""

    model_config = ConfigDict(extra="forbid")

    field: str = Field(max_length=100)
    value: str = Field(default="", max_length=2000)
    action: EditAction = EditAction.SET
    start: int | None = Field(default=None, ge=0)
    end: int | None = Field(default=None, ge=0)
    text: str | None = Field(default=None, max_length=20000)
    revision: int | None = None


@router.post("/api/review/{patient_id}/edit")
def review_edit(patient_id: int, body: EditBody, ctx: Context, user: CurrentUser) -> JSONResponse:
    """Apply one change (JSON), record it in the audit trail, return the change and the new revision."""
    selection = None
    if body.start is not None and body.end is not None and body.text:
        selection = Selection(body.start, body.end, body.text)
    edit = Edit(body.field, body.value, body.action, selection)
    change = apply_edit(ctx.store, patient_id, edit, expected_revision=body.revision)
    record(ctx, user.name, change)
    return JSONResponse(
        {"field": change.field, "old": change.old, "new": change.new, "revision": change.revision}
    )


@router.post("/review/{patient_id}/accept")
def review_accept(
    patient_id: int, ctx: Context, user: CurrentUser, revision: int | None = Form(None)
) -> RedirectResponse:
    """Mark the patient reviewed."""
    record(ctx, user.name, accept(ctx.store, patient_id, expected_revision=revision))
    return RedirectResponse(f"/review/{patient_id}", status_code=303)


@router.post("/review/{patient_id}/reopen")
def review_reopen(
    patient_id: int, ctx: Context, user: CurrentUser, revision: int | None = Form(None)
) -> RedirectResponse:
    """Take a reviewed patient back to review."""
    record(ctx, user.name, reopen(ctx.store, patient_id, expected_revision=revision))
    return RedirectResponse(f"/review/{patient_id}", status_code=303)

"""Compare two extractions of one text field by field and adjudicate them (the stored patient is side A).

Side B is the text extracted again by a registered extractor (e.g. the rule extractor against a
patient an LLM extracted or a curator changed), or a second curator's Case JSON pasted in.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from caseseries.app.review import load_review
from caseseries.app.review_compare import (
    Side,
    adjudicate_stored,
    compare_patients,
    other_extraction,
    other_from_case_json,
)
from caseseries.errors import InputError, ValidationError
from caseseries.extraction import available_extractors
from caseseries.files import decode_data
from caseseries.model import Patient
from caseseries.web.auth import CurrentUser
from caseseries.web.context import Context
from caseseries.web.review import record
from caseseries.web.templating import render

router = APIRouter()
MAX_UPLOAD = 2_000_000


def _page(request: Request, ctx: Context, patient_id: int, other: Patient | None, origin: str) -> HTMLResponse:
    review = load_review(ctx.store, patient_id)
    comparisons = compare_patients(review.patient, other) if other is not None else []
    return render(
        request,
        "review/compare.html",
        {
            "title": f"Compare: {review.patient.label}",
            "review": review,
            "comparisons": comparisons,
            "disagreements": sum(1 for c in comparisons if not c.agree),
            "other_json": json.dumps(other.model_dump(mode="json")) if other is not None else "",
            "origin": origin,
            "extractors": available_extractors(),
            "has_text": review.text is not None,
        },
    )


@router.get("/review/{patient_id}/compare", response_class=HTMLResponse)
def compare_page(
    patient_id: int, request: Request, ctx: Context, user: CurrentUser, extractor: str = ""
) -> HTMLResponse:
    """The stored patient beside the same text extracted again by ``extractor`` (when given)."""
    if not extractor:
        return _page(request, ctx, patient_id, None, "")
    if extractor not in available_extractors():
        known = ", ".join(available_extractors())
        raise InputError(f"unknown extractor {extractor!r}; use one of: {known}", location="extractor")
    other = other_extraction(ctx.store, patient_id, extractor=extractor)
    return _page(request, ctx, patient_id, other, f"extractor {extractor}")


@router.post("/review/{patient_id}/compare", response_class=HTMLResponse)
def compare_upload(
    patient_id: int, request: Request, ctx: Context, user: CurrentUser, case_json: str = Form(...)
) -> HTMLResponse:
    """The stored patient beside a pasted Case JSON extraction of the same text."""
    if len(case_json) > MAX_UPLOAD:
        raise ValidationError(f"the Case JSON is over {MAX_UPLOAD} characters; paste one patient", location="case_json")
    stored = ctx.store.get_patient(patient_id)
    other = other_from_case_json(decode_data(case_json), stored.patient.label, source="pasted Case JSON")
    return _page(request, ctx, patient_id, other, "pasted Case JSON")


@router.post("/review/{patient_id}/adjudicate")
async def adjudicate_page(patient_id: int, request: Request, ctx: Context, user: CurrentUser) -> RedirectResponse:
    """Store the values chosen field by field; every changed field goes to the audit trail."""
    form = await request.form()
    raw_other = str(form.get("other", ""))
    stored = ctx.store.get_patient(patient_id)
    other = other_from_case_json(decode_data(raw_other), stored.patient.label, source="second extraction")
    choices: dict[str, Side] = {}
    for key, value in form.multi_items():
        if key.startswith("choice:"):
            try:
                choices[key[len("choice:") :]] = Side(str(value))
            except ValueError:
                raise ValidationError(f"choice {value!r} is not a or b", location=key) from None
    revision = str(form.get("revision", ""))
    expected = int(revision) if revision.isdigit() else None
    for change in adjudicate_stored(ctx.store, patient_id, other, choices, expected_revision=expected):
        record(ctx, user.name, change)
    return RedirectResponse(f"/review/{patient_id}", status_code=303)



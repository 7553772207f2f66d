"""Screening in the browser: queue, keyboard decisions, conflicts and resolution, PRISMA counts and diagram.

Pages (every one needs a login; writes need reviewer or admin and a CSRF token):

- ``GET /screening``: the protocols with their PRISMA counts;
- ``GET /screening/{protocol}?stage=&show=&page=``: the reviewer's queue (keys i/e/m, j/k, ?);
- ``GET /screening/{protocol}/conflicts?stage=``: disagreements, resolved by a form;
- ``GET /screening/{protocol}/records/{key}``: one record, every decision and its audit trail;
- ``GET /screening/{protocol}/prisma`` and ``/prisma.svg``: counts and the PRISMA 2020 diagram;
- ``GET /api/screening/{protocol}/counts``; ``POST /api/screening/{protocol}/decisions``.

Decisions are recorded with :class:`~caseseries.screening.DecisionLog`: a reviewer's under
``role=reviewer`` and their user name, a resolution under ``role=resolution``.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from caseseries.errors import InputError, NotFoundError
from caseseries.screening import DecisionLog, PrismaCounts, Protocol, Role, Stage, prisma_counts
from caseseries.screening.prisma_diagram import render_diagram
from caseseries.screening.protocol import Decision, TextField
from caseseries.store.accounts import User, UserRole
from caseseries.web.auth import CurrentUser, require_role
from caseseries.web.context import AppContext, Context
from caseseries.web.screening_view import PAGE_SIZE, ScreeningViews, Show, highlight, snippets
from caseseries.web.templating import NavItem, render

router = APIRouter()
NAV = NavItem("Screening", "/screening", order=10)
MAX_REASON = 500
_views_lock = threading.Lock()


def views(request: Request, ctx: AppContext) -> ScreeningViews:
    """The app's screening caches (made on first use)."""
    with _views_lock:
        found: ScreeningViews | None = getattr(request.app.state, "screening_views", None)
        if found is None:
            found = ScreeningViews(ctx.store)
            request.app.state.screening_views = found
        return found


def _protocol(ctx: AppContext, name: str) -> Protocol:
    found = ctx.protocols.get(name)
    if found is None:
        known = ", ".join(sorted(ctx.protocols)) or "none"
        raise NotFoundError(f"no protocol named {name!r} is served; served: {known}")
    return found


def _enum_value(kind: Any, value: str, what: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise InputError(f"unknown {what} {value[:60]!r}; allowed: {allowed}", location=what) from None


def _counts(request: Request, ctx: AppContext, protocol: Protocol) -> PrismaCounts:
    return prisma_counts(ctx.store, protocol, views(request, ctx).records(protocol))


def counts_json(counts: PrismaCounts) -> dict[str, Any]:
    """The PRISMA counts the pages show live."""
    data = counts.as_dict()
    return {k: data[k] for k in _COUNT_FIELDS} | {"exclusion_reasons": counts.exclusion_reasons}


_COUNT_FIELDS = (
    "identified",
    "duplicates",
    "awaiting_screening",
    "records_screened",
    "records_excluded",
    "excluded_by_rules",
    "reports_sought",
    "reports_not_retrieved",
    "awaiting_assessment",
    "reports_assessed",
    "reports_excluded",
    "included_studies",
    "included_patients",
)


# ---------------------------------------------------------------------------------- pages


@router.get("/screening", response_class=HTMLResponse)
def protocols_page(request: Request, ctx: Context, user: CurrentUser) -> HTMLResponse:
    """The served protocols with their counts (or why they cannot be screened yet)."""
    rows: list[tuple[Protocol, dict[str, Any] | None, str | None]] = []
    for p in sorted(ctx.protocols.values(), key=lambda p: p.name):
        try:
            rows.append((p, counts_json(_counts(request, ctx, p)), None))
        except InputError as err:
            rows.append((p, None, str(err)))
    return render(request, "screening/protocols.html", {"rows": rows})


@router.get("/screening/{name}", response_class=HTMLResponse)
def queue_page(
    request: Request,
    ctx: Context,
    user: CurrentUser,
    name: str,
    stage: Annotated[str, Query(max_length=40)] = Stage.TITLE_ABSTRACT.value,
    show: Annotated[str, Query(max_length=40)] = Show.TODO.value,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:
    """The reviewer's queue of one protocol at one stage."""
    protocol = _protocol(ctx, name)
    chosen: Stage = _enum_value(Stage, stage, "stage")
    which: Show = _enum_value(Show, show, "show")
    queue = views(request, ctx).queue(protocol, chosen, user.name, show=which, page=page)
    cards = [
        {
            "item": item,
            "title": highlight(item.record.publication.title or "(no title)", item.suggestion.spans(), TextField.TITLE),
            "abstract": highlight(item.record.publication.abstract_text, item.suggestion.spans(), TextField.ABSTRACT),
            "snippets": snippets(item.record, item.suggestion.spans()) if chosen is Stage.FULL_TEXT else [],
        }
        for item in queue.items
    ]
    reasons = {d.value: protocol.reasons(d) for d in Decision}
    return render(
        request,
        "screening/queue.html",
        {
            "protocol": protocol,
            "stage": chosen,
            "stages": list(Stage),
            "show": which,
            "shows": list(Show),
            "queue": queue,
            "cards": cards,
            "reasons": reasons,
            "all_reasons": protocol.reasons(),
            "counts": counts_json(_counts(request, ctx, protocol)),
            "page_size": PAGE_SIZE,
        },
    )


@router.get("/screening/{name}/conflicts", response_class=HTMLResponse)
def conflicts_page(
    request: Request,
    ctx: Context,
    user: CurrentUser,
    name: str,
    stage: Annotated[str, Query(max_length=40)] = Stage.TITLE_ABSTRACT.value,
) -> HTMLResponse:
    """Records on which reviewers disagree, with a resolution form each."""
    protocol = _protocol(ctx, name)
    chosen: Stage = _enum_value(Stage, stage, "stage")
    records = views(request, ctx).records(protocol).records
    rows = []
    for e in DecisionLog(ctx.store, protocol.name).conflicts(chosen):
        record = records.get(e.key)
        reviews = [x for x in e.entries if x.role is Role.REVIEWER]
        rows.append({"effective": e, "record": record, "reviews": reviews})
    return render(
        request,
        "screening/conflicts.html",
        {
            "protocol": protocol,
            "stage": chosen,
            "stages": list(Stage),
            "rows": rows,
            "decisions": list(Decision),
            "all_reasons": protocol.reasons(),
            "counts": counts_json(_counts(request, ctx, protocol)),
        },
    )


@router.get("/screening/{name}/records/{key:path}", response_class=HTMLResponse)
def record_page(request: Request, ctx: Context, user: CurrentUser, name: str, key: str) -> HTMLResponse:
    """One record: its texts, the rules' suggestion, every decision and the audit trail."""
    protocol = _protocol(ctx, name)
    view = views(request, ctx)
    record = view.records(protocol).records.get(key)
    if record is None:
        raise NotFoundError(f"no record {key[:80]!r} in protocol {protocol.name!r}")
    log = DecisionLog(ctx.store, protocol.name)
    stages = []
    for st in Stage:
        suggestion = view.suggestion(protocol, st, key)
        stages.append({"stage": st, "suggestion": suggestion, "effective": log.effective(st).get(key)})
    spans = view.suggestion(protocol, Stage.TITLE_ABSTRACT, key).spans()
    return render(
        request,
        "screening/record.html",
        {
            "protocol": protocol,
            "record": record,
            "title_html": highlight(record.publication.title or "(no title)", spans, TextField.TITLE),
            "abstract_html": highlight(record.publication.abstract_text, spans, TextField.ABSTRACT),
            "stages": stages,
            "audit": log.audit(key),
            "changes": ctx.accounts.changes_for("publication", key),
        },
    )


@router.get("/screening/{name}/prisma", response_class=HTMLResponse)
def prisma_page(request: Request, ctx: Context, user: CurrentUser, name: str) -> HTMLResponse:
    """PRISMA 2020 counts, the methods sentence and the flow diagram."""
    protocol = _protocol(ctx, name)
    counts = _counts(request, ctx, protocol)
    return render(
        request,
        "screening/prisma.html",
        {
            "protocol": protocol,
            "counts": counts_json(counts),
            "sentence": counts.methods_sentence(),
            "problems": counts.arithmetic_problems(),
        },
    )


@router.get("/screening/{name}/prisma.svg")
async def prisma_svg(request: Request, ctx: Context, user: CurrentUser, name: str) -> Response:
    """The PRISMA 2020 flow diagram (SVG, drawn by matplotlib from the current counts)."""
    protocol = _protocol(ctx, name)
    counts = await run_in_threadpool(_counts, request, ctx, protocol)
    svg = await run_in_threadpool(diagram_svg, DiagramData.of(counts))
    return Response(svg, media_type="image/svg+xml", headers={"Content-Security-Policy": "default-src 'none'"})


@dataclasses.dataclass(frozen=True)
class DiagramData:
    """The counts a PRISMA diagram is drawn from, compared and hashed by their JSON (``key``)."""

    key: str
    counts: PrismaCounts = dataclasses.field(compare=False, hash=False)

    @classmethod
    def of(cls, counts: PrismaCounts) -> DiagramData:
        """The diagram data of ``counts``."""
        return cls(json.dumps(dataclasses.asdict(counts)), counts)


@lru_cache(maxsize=32)
def diagram_svg(data: DiagramData) -> bytes:
    """The SVG of the PRISMA diagram, drawn once per set of counts (the counts are all it shows)."""
    return render_diagram(data.counts, ("svg",))["svg"]


# ---------------------------------------------------------------------------------- writing


class DecisionIn(BaseModel):
    """A decision sent by the queue page's script."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=1000)
    stage: Stage
    decision: Decision
    reason: str | None = Field(default=None, max_length=MAX_REASON)


def decide(
    request: Request, ctx: AppContext, protocol: Protocol, item: DecisionIn, user: User, role: Role
) -> dict[str, Any]:
    """Record one decision of ``user`` (as reviewer or resolution); return what the page shows next."""
    view = views(request, ctx)
    log = DecisionLog(ctx.store, protocol.name)
    if item.key not in view.records(protocol).records:
        raise NotFoundError(f"no record {item.key[:80]!r} in protocol {protocol.name!r}")
    if item.stage is Stage.FULL_TEXT and item.key not in set(view.eligible(protocol, item.stage, log)):
        raise InputError(
            f"record {item.key[:80]!r} was excluded at title-abstract or not screened yet; "
            "it has no full-text decision to make",
            location="key",
        )
    reason = (item.reason or "").strip() or None
    changed = log.record(item.key, item.stage, item.decision, role=role, actor=user.name, reason=reason, via="web")
    effective = log.effective(item.stage).get(item.key)
    return {
        "key": item.key,
        "changed": changed,
        "decision": item.decision.value,
        "reason": reason,
        "role": role.value,
        "status": effective.status.value if effective else None,
        "effective": effective.decision.value if effective and effective.decision else None,
    }


@router.post("/api/screening/{name}/decisions", dependencies=[require_role(UserRole.REVIEWER)])
def post_decision(request: Request, ctx: Context, user: CurrentUser, name: str, item: DecisionIn) -> JSONResponse:
    """Record the user's own decision on a record (JSON)."""
    protocol = _protocol(ctx, name)
    return JSONResponse(decide(request, ctx, protocol, item, user, Role.REVIEWER))


@router.get("/api/screening/{name}/counts")
def get_counts(request: Request, ctx: Context, user: CurrentUser, name: str) -> JSONResponse:
    """The live PRISMA counts of a protocol (JSON)."""
    return JSONResponse(counts_json(_counts(request, ctx, _protocol(ctx, name))))


@router.post("/screening/{name}/resolve", dependencies=[require_role(UserRole.REVIEWER)])
def resolve(
    request: Request,
    ctx: Context,
    user: CurrentUser,
    name: str,
    key: Annotated[str, Form(max_length=1000)],
    stage: Annotated[str, Form(max_length=40)],
    decision: Annotated[str, Form(max_length=40)],
    reason: Annotated[str, Form(max_length=MAX_REASON)] = "",
) -> RedirectResponse:
    """Resolve a disagreement (form of the conflicts page); back to the conflicts page."""
    protocol = _protocol(ctx, name)
    item = DecisionIn(
        key=key,
        stage=_enum_value(Stage, stage, "stage"),
        decision=_enum_value(Decision, decision, "decision"),
        reason=reason or None,
    )
    decide(request, ctx, protocol, item, user, Role.RESOLUTION)
    return RedirectResponse(f"/screening/{protocol.name}/conflicts?stage={item.stage.value}", status_code=303)

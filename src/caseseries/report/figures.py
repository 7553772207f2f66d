"""Report figures: Kaplan–Meier with numbers at risk, swimmer plot, timeline, ORR forest plot.

Figures are drawn with matplotlib's object API (no pyplot state, no display needed) and rendered
with its Agg and SVG backends.

Every figure is rendered to PNG and SVG (text kept as text in the SVG, so it can be searched and
edited). Colours are the Okabe–Ito colour-blind-safe palette; curves also differ by line style
and responses by marker shape, so the figures read in greyscale print.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from caseseries.analysis.limits import min_groups
from caseseries.analysis.response import ResponseSummary, regimen
from caseseries.analysis.survival import Benchmark, KaplanMeier
from caseseries.model.case import Patient, TherapyLine
from caseseries.model.enums import Response
from caseseries.report.grammar import count, verb
from caseseries.report.tables import left_out

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
OTHER_COLOUR = "#999999"
LINESTYLES = ("-", "--", "-.", ":")
RESPONSE_MARKERS = {Response.CR: "D", Response.PR: "o", Response.SD: "s", Response.PD: "X", Response.NE: "^"}
RESPONSE_NAMES = {
    Response.CR: "Complete response",
    Response.PR: "Partial response",
    Response.SD: "Stable disease",
    Response.PD: "Progressive disease",
    Response.NE: "Not evaluable",
}
UNKNOWN_DURATION = 1.0
MAX_SWIMMER_PATIENTS = 40
MAX_FOREST_GROUPS = 15

_RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "caseseries",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.family": "DejaVu Sans",
}


@dataclass(frozen=True)
class RenderedFigure:
    """A figure rendered to SVG text and PNG bytes.

    ``data`` holds what was drawn (e.g. the swimmer plot's rows and segments, the patients not
    drawn), so that it can be checked against the picture.
    """

    key: str
    title: str
    caption: str
    svg: str
    png: bytes
    data: dict[str, Any] = field(default_factory=dict)


@contextmanager
def _style() -> Iterator[None]:
    with matplotlib.rc_context(_RC):  # type: ignore[arg-type]
        yield


def _render(fig: Figure, key: str, title: str, caption: str, data: dict[str, Any] | None = None) -> RenderedFigure:
    svg_buf, png_buf = io.StringIO(), io.BytesIO()
    fig.savefig(svg_buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    fig.savefig(png_buf, format="png", dpi=150, bbox_inches="tight")
    svg = svg_buf.getvalue()
    start = svg.find("<svg")
    return RenderedFigure(key, title, caption, svg[start:] if start >= 0 else svg, png_buf.getvalue(), data or {})


def text_width_inches(texts: Sequence[str], fontsize: float) -> float:
    """The width of the widest of ``texts`` at ``fontsize`` points, in inches (measured, not estimated)."""
    if not texts:
        return 0.0
    with _style():
        fig = Figure()
        renderer = FigureCanvasAgg(fig).get_renderer()  # type: ignore[no-untyped-call]
        widths = []
        for text in texts:
            artist = fig.text(0, 0, text, fontsize=fontsize)
            widths.append(artist.get_window_extent(renderer).width / fig.dpi)
    return max(widths)


def _nice_ticks(t_max: float) -> list[float]:
    step = next((s for s in (1, 2, 3, 6, 12, 24, 36, 60, 120) if t_max / s <= 8), 240)
    return [float(i * step) for i in range(int(t_max // step) + 2)]


# ---------------------------------------------------------------------- Kaplan–Meier
def km_figure(
    curves: Sequence[KaplanMeier],
    *,
    key: str,
    title: str,
    benchmark: Benchmark | None = None,
    caption: str = "",
    min_lines: int = 1,
) -> RenderedFigure:
    """Kaplan–Meier PFS curves with 95% bands, censoring ticks and a numbers-at-risk table.

    Parameters
    ----------
    curves : sequence of KaplanMeier
        One fitted estimate per group (empty groups are skipped).
    key, title, caption : str
        File stem, title and caption.
    benchmark : Benchmark or None
        A published median PFS drawn as a dashed reference line.
    min_lines : int
        Groups with fewer lines on the curve are not drawn; the caption names them.
    """
    used = [c for c in curves if c.n >= max(min_lines, 1)]
    small = [c for c in curves if 0 < c.n < min_lines]
    if small:
        names = "; ".join(f"{c.label} ({count(c.n, 'line')})" for c in small)
        note = f"Not drawn (fewer than {min_lines} lines on the curve): {names}."
        caption = f"{caption} {note}" if caption else note
    with _style():
        fig = Figure(figsize=(7.0, 4.2 + 0.22 * max(len(used), 1)))
        table_h = 0.055 * (len(used) + 1) if used else 0.0
        bottom = table_h + 0.16
        ax = fig.add_axes((0.12, bottom, 0.83, 0.92 - bottom))
        t_max = max([max(c.durations) for c in used] + [benchmark.median_pfs_months if benchmark else 0.0, 1.0])
        ticks = _nice_ticks(t_max)
        for i, c in enumerate(used):
            colour, style = OKABE_ITO[i % len(OKABE_ITO)], LINESTYLES[i % len(LINESTYLES)]
            label = f"{c.label} (n={c.n}, events={c.events})"
            ax.step(c.timeline, c.survival, where="post", color=colour, linestyle=style, linewidth=1.8, label=label)
            ax.fill_between(c.timeline, c.ci_lower, c.ci_upper, step="post", color=colour, alpha=0.12, linewidth=0)
            cens = [d for d, e in zip(c.durations, c.event_observed, strict=True) if not e]
            if cens:
                ys = [c.survival_at(t) or 0.0 for t in cens]
                ax.plot(cens, ys, "|", color=colour, markersize=9, markeredgewidth=1.5)
        if benchmark is not None:
            m = benchmark.median_pfs_months
            ax.plot([0, m], [0.5, 0.5], color="#555555", linestyle=(0, (4, 2)), linewidth=1)
            ax.plot([m, m], [0, 0.5], color="#555555", linestyle=(0, (4, 2)), linewidth=1, label=benchmark.label)
        if not used:
            ax.text(0.5, 0.5, "No lines with a known PFS and censoring status", ha="center", transform=ax.transAxes)
        ax.set_ylim(0, 1.03)
        ax.set_xlim(0, ticks[-1])
        ax.set_xticks(ticks)
        ax.set_xlabel("Months from start of line")
        ax.set_ylabel("Progression-free probability")
        ax.set_title(title)
        if used or benchmark:
            ax.legend(loc="upper right", frameon=False, fontsize=8)
        if used:
            risk = fig.add_axes((0.12, 0.01, 0.83, table_h))
            risk.set_xlim(ax.get_xlim())
            risk.set_ylim(-0.5, len(used) + 0.5)
            risk.axis("off")
            axis = risk.get_yaxis_transform()
            risk.text(-0.05, len(used), "At risk", transform=axis, ha="right", weight="bold")
            for i, c in enumerate(used):
                y = len(used) - 1 - i
                colour = OKABE_ITO[i % len(OKABE_ITO)]
                risk.text(-0.05, y, c.label, transform=risk.get_yaxis_transform(), ha="right", va="center",
                          color=colour, fontsize=8)  # fmt: skip
                for t, n in zip(ticks, c.at_risk(ticks), strict=True):
                    risk.text(t, y, str(n), ha="center", va="center", fontsize=8)
        return _render(fig, key, title, caption)


# ---------------------------------------------------------------------- swimmer plot
def _month_index(date: str) -> int | None:
    parts = date.split("-")
    if len(parts) < 2:
        return None
    return int(parts[0]) * 12 + int(parts[1]) - 1


def line_spans(patient: Patient) -> list[tuple[TherapyLine, float, float, bool]]:
    """(line, start month, length in months, length known) for each line of a patient.

    Starts come from ``start_month``, from dates (months after the first dated line) or, failing
    both, from the end of the previous line; a segment never starts before the previous one ends
    (durations rounded in the source can otherwise overlap by a fraction of a month). A line
    without a duration gets a nominal length (marked unknown).
    """
    out: list[tuple[TherapyLine, float, float, bool]] = []
    dated = [m for m in (_month_index(ln.start) for ln in patient.lines if ln.start) if m is not None]
    origin = dated[0] if dated else None
    cursor = 0.0
    for ln in patient.lines:
        start = cursor
        if ln.start_month is not None:
            start = ln.start_month
        elif ln.start and origin is not None and (m := _month_index(ln.start)) is not None:
            start = float(m - origin)
        start = max(start, cursor)
        length: float | None = ln.pfs_months
        if length is None and ln.start and ln.end:
            a, b = _month_index(ln.start), _month_index(ln.end)
            if a is not None and b is not None:
                length = float(b - a)
        known = length is not None
        length = length if length is not None and length > 0 else (UNKNOWN_DURATION if not known else 0.25)
        out.append((ln, start, length, known))
        cursor = start + length
    return out


def _regimen_colours(patients: Sequence[Patient]) -> dict[str, str]:
    counts: dict[str, int] = {}
    for p in patients:
        for ln in p.lines:
            counts[regimen(ln.agents)] = counts.get(regimen(ln.agents), 0) + 1
    top = sorted(counts, key=lambda r: (-counts[r], r))[: len(OKABE_ITO) - 1]
    return {r: OKABE_ITO[i] for i, r in enumerate(top)}


def swimmer_figure(patients: Sequence[tuple[str, Patient]], *, key: str = "swimmer", title: str = "") -> RenderedFigure:
    """Swimmer plot: a bar per patient, a segment per line coloured by regimen.

    Response markers sit at the end of each segment; an arrow marks a last line ongoing at last
    report. A line without a duration inside a drawn bar is a hatched segment of nominal length;
    patients with no duration for any line are not drawn (they would be stubs of nominal length
    only) and are named in the caption. Labels are never shortened: the left margin is sized to
    the widest one.

    Parameters
    ----------
    patients : sequence of (label, Patient)
        Patients to draw (the longest :data:`MAX_SWIMMER_PATIENTS` are shown).

    Returns
    -------
    RenderedFigure
        ``data["rows"]``: label and ``(start, length, known)`` segments of each bar, top to bottom;
        ``data["not_drawn"]``: labels of patients without any duration.
    """
    spans = [(label, p, line_spans(p)) for label, p in patients if p.lines]
    not_drawn = [label for label, _, segs in spans if not any(known for *_, known in segs)]
    drawable = [item for item in spans if any(known for *_, known in item[2])]
    drawable.sort(key=lambda x: -(x[2][-1][1] + x[2][-1][2]))
    shown = drawable[:MAX_SWIMMER_PATIENTS]
    colours = _regimen_colours([p for _, p, _ in shown])
    title = title or "Swimmer plot: lines of therapy per patient"
    fontsize = 7.0
    label_w = text_width_inches([label for label, _, _ in shown], fontsize) + 0.15
    axes_w, legend_w = 4.6, 2.3
    width = label_w + axes_w + legend_w + 0.3
    with _style():
        fig = Figure(figsize=(width, 1.6 + 0.28 * max(len(shown), 1)))
        ax = fig.add_axes((label_w / width, 0.12, axes_w / width, 0.8))
        used_responses: set[Response] = set()
        for y, (_label, _p, segs) in enumerate(reversed(shown)):
            for ln, start, length, known in segs:
                colour = colours.get(regimen(ln.agents), OTHER_COLOUR)
                ax.barh(y, length, left=start, height=0.6, color=colour, edgecolor="white", linewidth=0.6,
                        hatch=None if known else "///")  # fmt: skip
                if ln.best_response is not None:
                    used_responses.add(ln.best_response)
                    ax.plot(start + length, y, RESPONSE_MARKERS[ln.best_response], color="black", markersize=5,
                            markerfacecolor="white" if ln.best_response is Response.PD else "black")  # fmt: skip
            last_ln, start, length, _ = segs[-1]
            if last_ln.pfs_censored:
                ax.annotate("", xy=(start + length + 2.5, y), xytext=(start + length, y),
                            arrowprops={"arrowstyle": "->", "color": "black", "lw": 1.2})  # fmt: skip
        ends = [segs[-1][1] + segs[-1][2] for _, _, segs in shown]
        ax.set_xlim(0, (max(ends) if ends else 1) * 1.06 + 3)  # room for the "ongoing" arrows
        ax.set_ylim(-0.8, max(len(shown), 1) - 0.2)
        ax.set_yticks(range(len(shown)))
        ax.set_yticklabels([label for label, _, _ in reversed(shown)], fontsize=fontsize)
        ax.set_xlabel("Months from start of first line")
        ax.set_title(title)
        if not shown:
            ax.text(0.5, 0.5, "No patient with a reported duration", ha="center", transform=ax.transAxes)
        handles: list[Patch | Line2D] = [Patch(color=c, label=r) for r, c in colours.items()]
        handles.append(Patch(color=OTHER_COLOUR, label="other regimens"))
        handles.append(Patch(facecolor="white", edgecolor="black", hatch="///",
                             label=f"duration not reported ({UNKNOWN_DURATION:g} month drawn)"))  # fmt: skip
        for r in sorted(used_responses, key=list(Response).index):
            handles.append(Line2D([], [], marker=RESPONSE_MARKERS[r], color="black", linestyle="",
                                  markerfacecolor="white" if r is Response.PD else "black",
                                  label=RESPONSE_NAMES[r]))  # fmt: skip
        handles.append(Line2D([], [], marker=">", color="black", label="ongoing at last report"))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, fontsize=7)
        drawn = len(shown)
        caption = (f"{drawn} of {count(len(drawable), 'patient')} with a reported duration shown "
                   "(longest follow-up first)." if len(drawable) > drawn
                   else f"{count(drawn, 'patient')} with a reported duration.")  # fmt: skip
        caption += " Hatched segments: a line whose duration was not reported, drawn with a nominal length."
        if not_drawn:
            caption += (f" {count(len(not_drawn), 'patient')} with no reported duration for any line "
                        f"{verb(len(not_drawn), 'is')} not drawn: {'; '.join(not_drawn)}.")
        data = {
            "rows": [{"label": label, "segments": [(st, ln_, known) for _, st, ln_, known in segs]}
                     for label, _, segs in shown],
            "not_drawn": not_drawn,
        }  # fmt: skip
        return _render(fig, key, title, caption, data)


# ---------------------------------------------------------------------- per-patient timeline
def timeline_figure(label: str, patient: Patient, *, key: str) -> RenderedFigure:
    """A per-patient timeline of lines of therapy and responses (like seed 003's Figure 5)."""
    segs = line_spans(patient)
    title = f"Timeline: {label}"
    with _style():
        fig = Figure(figsize=(8.0, 1.2 + 0.45 * max(len(segs), 1)))
        ax = fig.add_axes((0.28, 0.18, 0.68, 0.7))
        for y, (ln, start, length, known) in enumerate(reversed(segs)):
            colour = OKABE_ITO[(len(segs) - 1 - y) % len(OKABE_ITO)]
            ax.barh(y, length, left=start, height=0.5, color=colour, alpha=0.85, hatch=None if known else "///")
            words = ln.best_response.value if ln.best_response else (ln.response_as_written or "")
            if ln.pfs_censored:
                words = f"{words}, ongoing".strip(", ")
            ax.text(start + length + 0.3, y, words, va="center", fontsize=8)
        labels = []
        for ln, _, _, _ in reversed(segs):
            when = f" ({ln.start})" if ln.start else ""
            name = regimen(ln.agents)
            labels.append(f"Line {ln.line}: {name}{when}")
        ax.set_yticks(range(len(segs)))
        ax.set_yticklabels(labels, fontsize=8)
        end = max((s + length for _, s, length, _ in segs), default=1.0)
        ax.set_xlim(0, end * 1.35 + 1)
        ax.set_xlabel("Months from start of first line")
        ax.set_title(title)
        return _render(fig, key, title, "Lines of systemic therapy with their reported responses.")


# ---------------------------------------------------------------------- forest plot
def forest_figure(
    groups: Mapping[str, Mapping[str, ResponseSummary]],
    overall: ResponseSummary,
    *,
    key: str = "forest_orr",
    title: str = "Objective response rate by subgroup",
) -> RenderedFigure:
    """ORR with exact 95% CIs per subgroup, grouped by characteristic, with the overall estimate.

    Parameters
    ----------
    groups : mapping
        ``{"line": {"line 1": summary, ...}, "agent": {...}}``; subgroups with nothing evaluable are
        listed with "not evaluable" instead of a point.
    overall : ResponseSummary
        All lines together.
    """
    rows: list[tuple[str, ResponseSummary | None, bool]] = []
    for by, subgroups in groups.items():
        rows.append((by.capitalize(), None, True))
        for name, s in list(subgroups.items())[:MAX_FOREST_GROUPS]:
            rows.append((f"  {name}", s, False))
    rows.append(("Overall", overall, True))
    summary: ResponseSummary | None
    min_ci = min_groups().rate_ci_evaluable
    with _style():
        fig = Figure(figsize=(7.5, 1.2 + 0.24 * len(rows)))
        ax = fig.add_axes((0.38, 0.1, 0.42, 0.82))
        ys = list(range(len(rows)))[::-1]
        for y, (name, summary, header) in zip(ys, rows, strict=True):
            weight = "bold" if header else "normal"
            ax.text(-0.02, y, name, transform=ax.get_yaxis_transform(), ha="right", va="center", fontsize=8,
                    weight=weight)  # fmt: skip
            if summary is None:
                continue
            s = summary
            ci = s.orr_ci95
            extra = left_out(s)
            if s.orr is None or ci is None:
                text = f"{count(s.n, 'line')}, none evaluable"
            else:
                marker = "D" if name == "Overall" else "s"
                if s.ci_reportable:
                    ax.plot([ci[0], ci[1]], [y, y], color="black", linewidth=1)
                    interval = f"({100 * ci[0]:.0f}–{100 * ci[1]:.0f})"
                else:
                    interval = f"(CI not computed, n < {min_ci})"
                ax.plot(s.orr, y, marker, color=OKABE_ITO[0], markersize=4 + min(s.evaluable, 20) / 4)
                text = f"{s.responders}/{s.evaluable}  {100 * s.orr:.0f}% {interval}"
            if extra:
                text += f"; {extra}"
            ax.text(1.03, y, text, transform=ax.get_yaxis_transform(), va="center", fontsize=8)
        ax.set_xlim(0, 1)
        ax.set_ylim(-0.8, len(rows) - 0.2)
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
        ax.set_xticklabels(["0%", "25%", "50%", "75%", "100%"])
        ax.set_xlabel("Objective response rate (exact 95% CI)")
        ax.set_title(title)
        ax.axvline(overall.orr if overall.orr is not None else 0.5, color="#999999", linestyle=":", linewidth=1)
        caption = ("Responders/evaluable lines of therapy; lines not evaluable or without a reported response are "
                   f"counted beside the rate, not in the denominator. Exact 95% CIs from {min_ci} evaluable lines. "
                   f"At most {MAX_FOREST_GROUPS} subgroups per characteristic, largest first.")  # fmt: skip
        return _render(fig, key, title, caption)


def figure_files(fig: RenderedFigure) -> dict[str, Any]:
    """File names and contents of a rendered figure: ``{"KEY.svg": str, "KEY.png": bytes}``."""
    return {f"{fig.key}.svg": fig.svg, f"{fig.key}.png": fig.png}

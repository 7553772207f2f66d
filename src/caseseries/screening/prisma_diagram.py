"""The PRISMA 2020 flow diagram, drawn with matplotlib as SVG (text kept as text) and PNG, and the PRISMA files."""

from __future__ import annotations

import io
import itertools
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from caseseries.files import write_atomic
from caseseries.screening.prisma import PrismaCounts

_WIDTH = 10.0
_LEFT_X, _RIGHT_X, _BOX_W = 1.0, 5.8, 3.95
_GAP = 0.45
_LINE_H = 0.24


@dataclass(frozen=True)
class _Box:
    lines: list[str]
    bold_first: bool = False

    @property
    def height(self) -> float:
        return 0.3 + _LINE_H * len(self.lines)


def _wrap(text: str, width: int = 46) -> list[str]:
    return textwrap.wrap(text, width, subsequent_indent="   ") or [""]


def diagram_boxes(counts: PrismaCounts) -> list[tuple[str, _Box, _Box | None]]:
    """The rows of the diagram: (phase, main box, side box), top to bottom.

    Parameters
    ----------
    counts : PrismaCounts
        The flow counts.

    Returns
    -------
    list
        Box texts as lines; used by the renderer and readable on their own.
    """
    ident = ["Records identified from:"]
    for s in counts.sources:
        label = "database search" if s.kind == "database" else "imported file"
        ident += _wrap(f"  {s.name} ({label}) (n = {s.identified})")
    ident.append(f"Total (n = {counts.identified})")
    removed = ["Records removed before screening:", f"  Duplicate records removed (n = {counts.duplicates})"]
    if counts.awaiting_screening:
        removed.append(f"  Awaiting screening (n = {counts.awaiting_screening})")
    excluded = [f"Records excluded (n = {counts.records_excluded})"]
    if counts.excluded_by_rules:
        excluded.append(f"  by protocol rules only (n = {counts.excluded_by_rules})")
    not_retrieved = [f"Reports not retrieved (n = {counts.reports_not_retrieved})"]
    if counts.awaiting_assessment:
        not_retrieved.append(f"Awaiting assessment (n = {counts.awaiting_assessment})")
    reasons = ["Reports excluded:"]
    for reason, n in counts.exclusion_reasons.items():
        reasons += _wrap(f"  {reason} (n = {n})")
    if not counts.exclusion_reasons:
        reasons.append("  none (n = 0)")
    included = [
        f"Studies included in review (n = {counts.included_studies})",
        f"Reports of included studies (n = {counts.included_reports})",
        f"Patients included (n = {counts.included_patients})",
    ]
    return [
        ("Identification", _Box(ident), _Box(removed)),
        ("Screening", _Box([f"Records screened (n = {counts.records_screened})"]), _Box(excluded)),
        ("Screening", _Box([f"Reports sought for retrieval (n = {counts.reports_sought})"]), _Box(not_retrieved)),
        ("Screening", _Box([f"Reports assessed for eligibility (n = {counts.reports_assessed})"]), _Box(reasons)),
        ("Included", _Box(included), None),
    ]


_SAVE: dict[str, dict[str, Any]] = {
    "svg": {"format": "svg", "metadata": {"Date": None}},
    "png": {"format": "png", "dpi": 150},
}
"""How each format of the diagram is saved (matplotlib ``savefig`` arguments)."""


def render_diagram(counts: PrismaCounts, formats: Sequence[str] = ("svg", "png")) -> dict[str, bytes]:
    """Draw the flow diagram in each of ``formats``.

    Parameters
    ----------
    counts : PrismaCounts
        The flow counts.
    formats : sequence of str
        ``svg`` (text as ``<text>`` elements, searchable) and/or ``png`` (150 dpi).

    Returns
    -------
    dict
        Format -> the drawing's bytes, in the order of ``formats``.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    rows = diagram_boxes(counts)
    heights = [max(m.height, s.height if s else 0) for _, m, s in rows]
    total = sum(heights) + _GAP * (len(rows) + 1) + 0.6
    with matplotlib.rc_context({"svg.fonttype": "none", "font.family": "DejaVu Sans", "svg.hashsalt": "prisma"}):
        fig = plt.figure(figsize=(_WIDTH, total))
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        ax.set_xlim(0, _WIDTH)
        ax.set_ylim(0, total)
        ax.axis("off")
        ax.text(
            _WIDTH / 2,
            total - 0.3,
            f"PRISMA 2020 flow diagram: {counts.protocol}",
            ha="center",
            va="center",
            fontsize=11,
            fontweight="bold",
        )
        y = total - 0.6 - _GAP
        centres: list[tuple[float, float, float]] = []
        phases: dict[str, list[float]] = {}
        for (phase, main, side), h in zip(rows, heights, strict=True):
            top = y
            for box, x in ((main, _LEFT_X), (side, _RIGHT_X)):
                if box is None:
                    continue
                ax.add_patch(
                    FancyBboxPatch((x, top - h), _BOX_W, h, boxstyle="round,pad=0.02", fc="white", ec="black", lw=1)
                )
                for i, line in enumerate(box.lines):
                    ax.text(x + 0.12, top - 0.2 - i * _LINE_H, line, ha="left", va="top", fontsize=8.5)
            if side is not None:
                ax.annotate(
                    "",
                    xy=(_RIGHT_X, top - h / 2),
                    xytext=(_LEFT_X + _BOX_W, top - h / 2),
                    arrowprops={"arrowstyle": "->", "lw": 1},
                )
            centres.append((top, top - h, h))
            phases.setdefault(phase, []).extend([top, top - h])
            y = top - h - _GAP
        for (_, bottom, _), (next_top, _, _) in itertools.pairwise(centres):
            ax.annotate(
                "",
                xy=(_LEFT_X + _BOX_W / 2, next_top),
                xytext=(_LEFT_X + _BOX_W / 2, bottom),
                arrowprops={"arrowstyle": "->", "lw": 1},
            )
        for phase, ys in phases.items():
            lo, hi = min(ys), max(ys)
            ax.add_patch(
                FancyBboxPatch((0.15, lo), 0.55, hi - lo, boxstyle="round,pad=0.02", fc="#cfe2f3", ec="#6fa8dc", lw=1)
            )
            ax.text(0.425, (lo + hi) / 2, phase, rotation=90, ha="center", va="center", fontsize=9, fontweight="bold")
        out: dict[str, bytes] = {}
        for kind in formats:
            buffer = io.BytesIO()
            fig.savefig(buffer, **_SAVE[kind])
            out[kind] = buffer.getvalue()
        plt.close(fig)
    return out


def write_prisma(counts: PrismaCounts, out_dir: str | Path, *, stem: str = "prisma2020") -> dict[str, Path]:
    """Write the PRISMA2020 CSV, the counts as JSON and the flow diagram (SVG and PNG).

    Files are written to temporary names and renamed, so nothing is left half-written.

    Parameters
    ----------
    counts : PrismaCounts
        From :func:`prisma_counts`.
    out_dir : str or Path
        Directory (created if missing).
    stem : str
        File name stem.

    Returns
    -------
    dict
        ``csv``, ``json``, ``svg``, ``png`` -> path written.
    """
    import json

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    payloads: dict[str, bytes] = {
        "csv": counts.prisma2020_csv().encode("utf-8"),
        "json": (json.dumps(counts.as_dict(), indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
        **render_diagram(counts),
    }
    return {ext: write_atomic(out / f"{stem}.{ext}", data) for ext, data in payloads.items()}

"""Present reference-check results: JSON, a terminal table and a Markdown report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from rich.table import Table

from caseseries.model.publication import Publication
from caseseries.references.model import CheckResult, Verdict

STYLES = {
    Verdict.VERIFIED: "green",
    Verdict.MINOR_MISMATCH: "yellow",
    Verdict.MISMATCH: "bold red",
    Verdict.NOT_FOUND: "bold red",
    Verdict.LOOKUP_FAILED: "magenta",
    Verdict.UNPARSED: "cyan",
    Verdict.NOT_INDEXED: "blue",
}


def matched_json(pub: Publication | None) -> dict[str, Any] | None:
    """The matched-record summary of the JSON output."""
    if pub is None:
        return None
    return {
        "pmid": pub.pmid,
        "doi": pub.doi,
        "title": pub.title,
        "first_author": pub.first_author,
        "journal": pub.journal_abbrev or pub.journal,
        "year": pub.year,
    }


def result_json(result: CheckResult) -> dict[str, Any]:
    """One entry of ``{"references": [...]}``."""
    ref = result.reference
    return {
        "n": ref.n,
        "origin": ref.origin,
        "text": ref.text,
        "cited": ref.cited.model_dump(mode="json", exclude_defaults=True),
        "matched": matched_json(result.matched),
        "matched_by": result.matched_by,
        "verdict": result.verdict.value,
        "fields_differing": result.fields_differing,
        "differences": [d.model_dump(mode="json") for d in result.differences],
        "alternative": matched_json(result.alternative),
        "note": result.note,
    }


def summary(results: Sequence[CheckResult]) -> dict[str, int]:
    """Count of references per verdict (every verdict listed, zeros included)."""
    counts = Counter(r.verdict for r in results)
    return {v.value: counts.get(v, 0) for v in Verdict}


def report_json(results: Sequence[CheckResult]) -> dict[str, Any]:
    """The ``--json`` document."""
    return {"references": [result_json(r) for r in results], "summary": summary(results)}


def _who(pub: Publication | None) -> str:
    if pub is None:
        return ""
    ident = f"PMID {pub.pmid}" if pub.pmid else (pub.doi or "")
    who = " ".join(str(x) for x in (pub.first_author, pub.year) if x)
    return f"{ident} {who}".strip()


def _label(result: CheckResult) -> str:
    ref = result.reference
    n = str(ref.n) if ref.n is not None else ""
    return n if ref.origin == "references" else f"{ref.origin}" + (f" [{n}]" if n else "")


def _cited_short(result: CheckResult) -> str:
    c = result.reference.cited
    if not result.reference.parsed:
        text = result.reference.text
        return text if len(text) <= 60 else text[:57] + "..."
    who = " ".join(str(x) for x in (c.first_author, c.year) if x)
    title = c.title or ""
    title = title if len(title) <= 50 else title[:47] + "..."
    return f"{who}. {title}" if who and title else (who or title)


def _differing(result: CheckResult) -> str:
    parts = []
    for d in result.differences:
        short = len(d.cited or "") <= 25 and len(d.matched or "") <= 25
        parts.append(f"{d.field} ({d.cited} ≠ {d.matched})" if short else d.field)
    return ", ".join(parts)


def render_table(results: Sequence[CheckResult]) -> Table:
    """A rich table: reference, verdict, what differs, matched record, note."""
    counts = summary(results)
    caption = ", ".join(f"{n} {v}" for v, n in counts.items() if n)
    table = Table(title=f"Reference check: {len(results)} references", caption=caption, show_lines=False)
    for column in ("#", "cited", "verdict", "differs", "matched", "note"):
        table.add_column(column, overflow="fold")
    for r in results:
        matched = _who(r.matched)
        if r.alternative is not None:
            matched += f"; cited article: {_who(r.alternative)}"
        table.add_row(
            _label(r),
            _cited_short(r),
            f"[{STYLES[r.verdict]}]{r.verdict.value}[/]",
            _differing(r),
            matched,
            r.note or "",
        )
    return table


def _md(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def render_markdown(results: Sequence[CheckResult], *, source: str | None = None) -> str:
    """A Markdown report: summary counts, one table row per reference, then the problems in detail."""
    lines = ["# Reference check", ""]
    if source:
        lines += [f"Source: `{source}`", ""]
    counts = summary(results)
    lines += ["| verdict | references |", "| --- | ---: |"]
    lines += [f"| {v} | {n} |" for v, n in counts.items()]
    lines += ["", "| # | cited | verdict | fields differing | matched |", "| --- | --- | --- | --- | --- |"]
    for r in results:
        lines.append(
            f"| {_md(_label(r))} | {_md(_cited_short(r))} | {r.verdict.value} | "
            f"{_md(', '.join(r.fields_differing))} | {_md(_who(r.matched))} |"
        )
    problems = [r for r in results if r.verdict is not Verdict.VERIFIED]
    if problems:
        lines += ["", "## Details", ""]
        for r in problems:
            lines.append(f"### {_md(_label(r))}: {r.verdict.value}")
            lines += ["", f"> {_md(r.reference.text)}", ""]
            if r.note:
                lines += [f"- {_md(r.note)}"]
            for d in r.differences:
                lines.append(f"- {d.field} ({d.severity.value}): cited `{_md(d.cited)}`, found `{_md(d.matched)}`")
            if r.matched is not None:
                lines.append(
                    f"- matched: {_md(r.matched.citation())}" + (f" PMID {r.matched.pmid}" if r.matched.pmid else "")
                )
            if r.alternative is not None:
                lines.append(f"- cited article: {_md(r.alternative.citation())}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"

"""Self-contained HTML and Markdown renderings of the report.

The HTML page has its figures inlined as SVG and no external ``src``/``href``: it can be mailed,
archived or opened offline as one file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

import jinja2

from caseseries import __version__
from caseseries.report.content import ReportContent
from caseseries.report.tables import markdown_pieces

_EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?!#|data:)""", re.I)
_EXTERNAL_REACH = 256
"""Characters kept from the previous piece when checking the next (a reference split between pieces)."""
_CHUNK = 4096


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("caseseries.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=False,
        undefined=jinja2.StrictUndefined,
    )


def html_pieces(content: ReportContent) -> Iterator[str]:
    """The HTML page as it is rendered, piece by piece (for writing it without holding it whole).

    Raises
    ------
    ValueError
        If the page would reference an external resource (a bug, never bad input).
    """
    template = _environment().get_template("report.html.j2")
    return checked_pieces(template.generate(content=content, version=__version__))


def checked_pieces(pieces: Iterable[str]) -> Iterator[str]:
    """Pass ``pieces`` of a page through, raising once they reference an external resource.

    A reference split between pieces is found as in the whole page (the end of each piece is
    kept to check with the next).

    Raises
    ------
    ValueError
        At the first reference to an external ``src`` or ``href``.
    """
    tail = ""
    for piece in pieces:
        window = tail + piece
        found = _EXTERNAL.search(window)
        if found and found.end() + len("data:") <= len(window):  # else decided with the next piece
            raise ValueError("the HTML report references an external resource")
        tail = window[-_EXTERNAL_REACH:]
        yield piece
    if _EXTERNAL.search(tail):
        raise ValueError("the HTML report references an external resource")


def render_html(content: ReportContent) -> str:
    """The report as one self-contained HTML page.

    Raises
    ------
    ValueError
        If the page would reference an external resource (a bug, never bad input).
    """
    return "".join(html_pieces(content))


def write_pieces(pieces: Iterable[str], path: Path) -> Path:
    """Write text ``pieces`` to ``path`` (UTF-8) as they come, a few thousand at a time."""
    with path.open("w", encoding="utf-8", newline="") as out:
        chunk: list[str] = []
        for piece in pieces:
            chunk.append(piece)
            if len(chunk) >= _CHUNK:
                out.write("".join(chunk))
                chunk.clear()
        out.write("".join(chunk))
    return path


def write_html(content: ReportContent, path: Path) -> Path:
    """Write the HTML page to ``path`` as it is rendered (the page is never held whole in memory).

    Raises
    ------
    ValueError
        If the page would reference an external resource (a bug, never bad input).
    """
    return write_pieces(html_pieces(content), path)


def _markdown_items(content: ReportContent, figure_dir: str) -> Iterator[str | Iterator[str]]:
    yield from [f"# {content.title}", "", f"> {content.statement}", "", "## Summary", ""]
    yield from (f"{p}\n" for p in content.summary)
    yield from ["## Methods", ""]
    yield from (f"{p}\n" for p in content.methods)
    for section in content.sections:
        yield from [f"## {section.title}", ""]
        yield from (f"{p}\n" for p in section.paragraphs)
        yield from (markdown_pieces(t) for t in section.tables)
        yield from (f"![{f.title}]({figure_dir}/{f.key}.png)\n\n*{f.title}.* {f.caption}\n" for f in section.figures)


def report_markdown_pieces(content: ReportContent, *, figure_dir: str = "figures") -> Iterator[str]:
    """The report as Markdown, piece by piece: text, every table and links to the figure files (PNG)."""
    for i, item in enumerate(_markdown_items(content, figure_dir)):
        if i:
            yield "\n"
        if isinstance(item, str):
            yield item
        else:
            yield from item


def render_markdown(content: ReportContent, *, figure_dir: str = "figures") -> str:
    """The report as Markdown: text, every table and links to the figure files (PNG)."""
    return "".join(report_markdown_pieces(content, figure_dir=figure_dir))


def write_markdown(content: ReportContent, path: Path) -> Path:
    """Write the Markdown report to ``path`` as it is rendered (never held whole in memory)."""
    return write_pieces(report_markdown_pieces(content), path)

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
from caseseries.report.tables import to_markdown

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


def write_html(content: ReportContent, path: Path) -> Path:
    """Write the HTML page to ``path`` as it is rendered (the page is never held whole in memory).

    Raises
    ------
    ValueError
        If the page would reference an external resource (a bug, never bad input).
    """
    with path.open("w", encoding="utf-8", newline="") as out:
        chunk: list[str] = []
        for piece in html_pieces(content):
            chunk.append(piece)
            if len(chunk) >= _CHUNK:
                out.write("".join(chunk))
                chunk.clear()
        out.write("".join(chunk))
    return path


def render_markdown(content: ReportContent, *, figure_dir: str = "figures") -> str:
    """The report as Markdown: text, every table and links to the figure files (PNG)."""
    out = [f"# {content.title}", "", f"> {content.statement}", "", "## Summary", ""]
    out.extend(f"{p}\n" for p in content.summary)
    out.extend(["## Methods", ""])
    out.extend(f"{p}\n" for p in content.methods)
    for section in content.sections:
        out.extend([f"## {section.title}", ""])
        out.extend(f"{p}\n" for p in section.paragraphs)
        out.extend(to_markdown(t) for t in section.tables)
        out.extend(f"![{f.title}]({figure_dir}/{f.key}.png)\n\n*{f.title}.* {f.caption}\n" for f in section.figures)
    return "\n".join(out)

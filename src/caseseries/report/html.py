"""Self-contained HTML and Markdown renderings of the report.

The HTML page has its figures inlined as SVG and no external ``src``/``href``: it can be mailed,
archived or opened offline as one file.
"""

from __future__ import annotations

import re
from functools import cache

import jinja2

from caseseries import __version__
from caseseries.report.content import ReportContent
from caseseries.report.tables import to_markdown

_EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?!#|data:)""", re.I)


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("caseseries.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=False,
        undefined=jinja2.StrictUndefined,
    )


def render_html(content: ReportContent) -> str:
    """The report as one self-contained HTML page.

    Raises
    ------
    ValueError
        If the page would reference an external resource (a bug, never bad input).
    """
    page = _environment().get_template("report.html.j2").render(content=content, version=__version__)
    if _EXTERNAL.search(page):
        raise ValueError("the HTML report references an external resource")
    return page


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

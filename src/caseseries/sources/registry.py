"""The importers: plug-ins of the entry-point group ``caseseries.importers`` (see :mod:`caseseries.plugins`).

Built-in importers register exactly like third-party plug-ins (``pyproject.toml``)::

    [project.entry-points."caseseries.importers"]
    pubmed-xml = "caseseries.sources.pubmed_xml:PubmedXmlImporter"

``--format auto`` asks every importer how strongly the first 64 KiB of the file look like its
format (:meth:`Importer.sniff`) and takes the most certain.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from caseseries.errors import FormatError, InputError
from caseseries.plugins import IMPORTERS, plugin_class, plugin_names
from caseseries.sources.importer import READ_ERRORS, Importer, ImportItem, open_source, read_head

AUTO = IMPORTERS.extra[0]


def importer_names() -> list[str]:
    """Names of every registered importer (the ``--format`` values besides ``auto``), sorted."""
    return plugin_names(IMPORTERS)


def importer_class(name: str) -> type[Importer]:
    """The importer class registered under ``name``.

    Raises
    ------
    InputError
        If no importer has that name (the message lists the available ones), or the plug-in
        cannot be loaded or is not an :class:`Importer`.
    """
    return plugin_class(IMPORTERS, name, Importer)


def get_importer(name: str) -> Importer:
    """A new importer instance for ``name`` (see :func:`importer_names`)."""
    return importer_class(name)()


def sniff_scores(head: bytes) -> dict[str, int]:
    """Every loadable importer's certainty that ``head`` is in its format."""
    scores = {}
    for name in importer_names():
        try:
            cls = importer_class(name)
        except InputError:
            continue
        try:
            scores[name] = cls.sniff(head)
        except Exception:  # a plug-in's sniff that fails on odd bytes does not recognise them
            scores[name] = 0
    return scores


CERTAIN = 90
"""A sniff score from which a file is taken to be in that format, whatever ``--format`` says."""


def detect_format(path: str | Path) -> str | None:
    """The format the content of ``path`` looks like most, or None when none recognises it."""
    scores = sniff_scores(read_head(path))
    best = max(scores, key=lambda n: scores[n], default=None)
    return best if best is not None and scores[best] > 0 else None


def resolve_importer(path: str | Path, fmt: str = AUTO) -> Importer:
    """The importer to read ``path`` with: ``fmt``, or the detected format when ``fmt`` is ``auto``.

    Raises
    ------
    FormatError
        If the file is wholly of another format than ``fmt`` (the message names the detected
        one), or ``auto`` recognises no format.
    InputError
        If ``fmt`` is not a registered format, or the file cannot be read.
    """
    source = str(path)
    if fmt != AUTO:
        importer_class(fmt)  # unknown names fail before the file is opened
    try:
        head = read_head(path)
    except OSError as err:
        raise InputError(f"cannot read the file ({err.strerror or err}); check the path", source=source) from None
    scores = sniff_scores(head)
    best = max(scores, key=lambda n: scores[n], default=None)
    detected = best if best is not None and scores[best] > 0 else None
    if not head.strip():
        _refuse_damaged(path, source)
    if fmt == AUTO:
        if detected is None:
            what = "it is empty" if not head.strip() else "it is in none of the formats caseseries reads"
            raise FormatError(
                f"cannot tell the format of this file ({what}); convert it to one of: {', '.join(importer_names())}",
                source=source,
            )
        return get_importer(detected)
    score = scores.get(fmt, 0)
    if score == 0 or (detected is not None and detected != fmt and scores[detected] >= CERTAIN > score):
        if detected is None:
            raise FormatError(f"not a {fmt} file: its format is not recognised; check the file", source=source)
        raise FormatError(
            f"not a {fmt} file: it looks like {detected}; use --format {detected} or --format auto", source=source
        )
    return get_importer(fmt)


def _refuse_damaged(path: str | Path, source: str) -> None:
    """Raise when ``path`` is a compressed file that cannot be decompressed from its start."""
    with open_source(path) as stream:
        try:
            stream.read(1)
        except READ_ERRORS as err:
            raise InputError(
                f"the compressed file is damaged ({err}); download it again (gzip -t FILE checks a copy)",
                source=source,
            ) from None


def read_file(path: str | Path, fmt: str = AUTO) -> Iterator[ImportItem]:
    """Yield the records, skips and deletions of one file (see :func:`resolve_importer`)."""
    return resolve_importer(path, fmt).read(path)

"""The importer registry: every importer is an entry point of the group ``caseseries.importers``.

Built-in importers register exactly like third-party plug-ins (``pyproject.toml``)::

    [project.entry-points."caseseries.importers"]
    pubmed-xml = "caseseries.sources.pubmed_xml:PubmedXmlImporter"

``--format auto`` asks every importer how strongly the first 64 KiB of the file look like its
format (:meth:`Importer.sniff`) and takes the most certain.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

from caseseries.errors import FormatError, InputError
from caseseries.sources.importer import READ_ERRORS, Importer, ImportItem, open_source, read_head

GROUP = "caseseries.importers"
AUTO = "auto"


@cache
def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def importer_names() -> list[str]:
    """Names of every registered importer (the ``--format`` values besides ``auto``), sorted."""
    return sorted(_entry_points())


def _unknown(name: str) -> InputError:
    return InputError(
        f"unknown format {name!r}; use one of: {', '.join([AUTO, *importer_names()])}", location="--format"
    )


@cache
def importer_class(name: str) -> type[Importer]:
    """The importer class registered under ``name``.

    Raises
    ------
    InputError
        If no importer has that name (the message lists the available ones), or the plug-in
        cannot be loaded or is not an :class:`Importer`.
    """
    ep = _entry_points().get(name)
    if ep is None:
        raise _unknown(name)
    try:
        cls = ep.load()
    except Exception as err:  # a broken third-party plug-in must not take the others down
        raise InputError(
            f"the importer plug-in {name!r} ({ep.value}) cannot be loaded: {err.__class__.__name__}: {err}; "
            "reinstall the package that provides it",
            location="--format",
        ) from None
    if not (isinstance(cls, type) and issubclass(cls, Importer)):
        raise InputError(
            f"the importer plug-in {name!r} ({ep.value}) is not a caseseries.sources.importer.Importer subclass",
            location="--format",
        )
    return cls


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

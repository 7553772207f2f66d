"""The plug-in registry: extractors, importers and exporters are entry points.

Built-in plug-ins are declared in ``pyproject.toml`` exactly like third-party ones::

    [project.entry-points."caseseries.importers"]
    pubmed-xml = "caseseries.sources.pubmed_xml:PubmedXmlImporter"

The entry points of a group are scanned once per process and each plug-in is loaded once
(:func:`functools.cache`). An unknown name, a plug-in that cannot be loaded or one of the wrong
type raise :class:`~caseseries.errors.InputError` in one style, an unknown name listing the known
ones: ``--extractor: unknown extractor 'x'; use one of: openai, rules``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from caseseries.errors import InputError


@dataclass(frozen=True)
class PluginGroup:
    """One plug-in point.

    Attributes
    ----------
    name : str
        The entry-point group, e.g. ``caseseries.importers``.
    kind : str
        What a plug-in of the group is, in messages (``importer``).
    noun : str
        What the user names on the command line, in messages (``format``).
    location : str
        The option that names a plug-in (``--format``), the location of the errors.
    extra : tuple of str
        Names the option accepts besides the plug-ins (``auto``), listed first.
    """

    name: str
    kind: str
    noun: str
    location: str
    extra: tuple[str, ...] = ()


EXTRACTORS = PluginGroup("caseseries.extractors", "extractor", "extractor", "--extractor")
IMPORTERS = PluginGroup("caseseries.importers", "importer", "format", "--format", extra=("auto",))
EXPORTERS = PluginGroup("caseseries.exporters", "exporter", "format", "--format")


@cache
def _entry_points(group: str) -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=group)}


def entry_point_map(group: PluginGroup) -> dict[str, EntryPoint]:
    """The entry points of ``group`` by name (scanned once per process)."""
    return _entry_points(group.name)


def plugin_names(group: PluginGroup) -> list[str]:
    """Names of the plug-ins registered in ``group``, sorted."""
    return sorted(entry_point_map(group))


def unknown(group: PluginGroup, name: str) -> InputError:
    """The error for a name no plug-in of ``group`` has, listing the known ones."""
    known = ", ".join([*group.extra, *plugin_names(group)])
    return InputError(f"unknown {group.noun} {name!r}; use one of: {known}", location=group.location)


def invalid(group: PluginGroup, name: str, problem: str) -> InputError:
    """The error for a plug-in of ``group`` that is registered but unusable (``problem`` says why)."""
    ep = entry_point_map(group).get(name)
    target = f" ({ep.value})" if ep is not None else ""
    return InputError(f"the {group.kind} plug-in {name!r}{target} {problem}", location=group.location)


@cache
def _load(group: PluginGroup, name: str) -> object:
    ep = entry_point_map(group).get(name)
    if ep is None:
        raise unknown(group, name)
    try:
        return ep.load()
    except Exception as err:  # a broken third-party plug-in must not take the others down
        raise invalid(
            group,
            name,
            f"cannot be loaded: {err.__class__.__name__}: {err}; reinstall the package that provides it",
        ) from None


def load_plugin(group: PluginGroup, name: str) -> object:
    """The object the entry point ``name`` of ``group`` names (loaded once per process).

    Raises
    ------
    InputError
        If no plug-in of the group has that name (the message lists the known ones), or the
        plug-in cannot be loaded.
    """
    return _load(group, name)


def plugin_class(group: PluginGroup, name: str, base: type[Any]) -> type[Any]:
    """The class registered as ``name`` in ``group``, checked to be a subclass of ``base``.

    Raises
    ------
    InputError
        As :func:`load_plugin`, and when the object is not a subclass of ``base``.

    Notes
    -----
    ``base`` is typically abstract, which ``type[T]`` does not accept: callers annotate the class
    they get back.
    """
    cls = load_plugin(group, name)
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise invalid(group, name, f"is not a {base.__module__}.{base.__qualname__} subclass; fix the plug-in")
    return cls


def clear_cache() -> None:
    """Forget the scanned entry points and the loaded plug-ins (after installing a plug-in)."""
    _entry_points.cache_clear()
    _load.cache_clear()

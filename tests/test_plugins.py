"""The plug-in registry: one style for every plug-in point, entry points scanned once per process."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from caseseries import plugins
from caseseries.errors import InputError
from caseseries.extraction import get_extractor
from caseseries.report.export import JsonExporter, exporter_names, get_exporter
from caseseries.sources.registry import get_importer

UNKNOWN = [
    (lambda: get_extractor("nope"), "--extractor: unknown extractor 'nope'; use one of: openai, rules"),
    (
        lambda: get_importer("nope"),
        "--format: unknown format 'nope'; use one of: auto, csv, ids, jats, medline, pubmed-xml, ris, text, wos",
    ),
    (lambda: get_exporter("nope"), "--format: unknown format 'nope'; use one of: csv, json, phenopacket"),
]


@pytest.mark.parametrize(("call", "message"), UNKNOWN)
def test_an_unknown_name_lists_the_known_ones(call: object, message: str) -> None:
    with pytest.raises(InputError) as err:
        call()  # type: ignore[operator]
    assert str(err.value) == message


def test_built_in_exporters_register_as_entry_points() -> None:
    assert exporter_names() == ["csv", "json", "phenopacket"]
    assert isinstance(get_exporter("json"), JsonExporter)
    assert get_exporter("phenopacket").writes_folder and not get_exporter("csv").writes_folder


def test_entry_points_are_scanned_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = plugins.entry_points

    def counting(group: str) -> object:
        calls.append(group)
        return real(group=group)

    monkeypatch.setattr(plugins, "entry_points", counting)
    plugins.clear_cache()
    try:
        for _ in range(3):
            get_extractor("rules")
            get_importer("ris")
        assert calls == [plugins.EXTRACTORS.name, plugins.IMPORTERS.name]
    finally:
        plugins.clear_cache()


def test_a_plug_in_that_is_no_extractor_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    points = {"rules": EntryPoint("rules", "pathlib:PurePath", plugins.EXTRACTORS.name)}
    monkeypatch.setattr(plugins, "entry_point_map", lambda group: points)
    plugins.clear_cache()
    try:
        with pytest.raises(InputError) as err:
            get_extractor("rules")
        assert str(err.value) == (
            "--extractor: the extractor plug-in 'rules' (pathlib:PurePath) has no extract() method; fix the plug-in"
        )
    finally:
        plugins.clear_cache()

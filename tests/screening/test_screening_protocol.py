"""Protocol files: the shipped examples, the JSON Schema, and errors naming line, key and allowed values."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from caseseries.cli import main
from caseseries.errors import InputError
from caseseries.screening import load_protocol, parse_protocol, protocol_json_schema, shipped_protocols
from caseseries.screening.protocol import shipped_json_schema
from caseseries.screening.records import protocol_records

HEAD = """name: p
question: q
searches:
  - name: s1
    query: '"a" AND "b"'
criteria:
"""


def test_shipped_protocols_load_and_match_the_seeds() -> None:
    assert shipped_protocols() == ["alk-imt-alectinib-first-line", "imt-two-or-more-lines"]
    first = load_protocol("alk-imt-alectinib-first-line")
    assert first.searches[0].query == '"inflammatory myofibroblastic tumor" AND "alectinib"'
    line_rule = first.rule("alectinib-first-line")
    assert (line_rule.type, line_rule.min, line_rule.max, line_rule.drugs) == ("line-of-therapy", 1, 1, ["alectinib"])
    second = load_protocol("imt-two-or-more-lines")
    assert second.rule("two-or-more-lines").min == 2


def test_shipped_json_schema_is_current() -> None:
    assert shipped_json_schema() == protocol_json_schema(), (
        'regenerate: python -c "from caseseries.screening.protocol import write_json_schema; '
        "write_json_schema('src/caseseries/screening/data/protocol.schema.json')\""
    )


@pytest.mark.parametrize("name", ["alk-imt-alectinib-first-line", "imt-two-or-more-lines"])
def test_shipped_protocols_validate_against_the_json_schema(name: str) -> None:
    from importlib import resources

    text = resources.files("caseseries.screening").joinpath("data", "protocols", f"{name}.yaml").read_text("utf-8")
    jsonschema.validate(yaml.safe_load(text), protocol_json_schema())


def test_json_schema_rejects_an_unknown_rule_type() -> None:
    data = {
        "name": "p",
        "question": "q",
        "imports": ["a.ris"],
        "criteria": [{"id": "x", "type": "colour", "action": "include", "reason": "r"}],
    }
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, protocol_json_schema())


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (
            "  - id: r1\n    type: langauge\n    action: include\n    reason: r\n",
            "p.yaml: line 8: criteria[0].type: unknown rule type 'langauge'; allowed: disease, drug, humans, "
            "individual-patient, language, line-of-therapy, publication-type, term, year",
        ),
        (
            "  - id: r1\n    type: term\n    pattern: '(abc'\n    action: include\n    reason: r\n",
            "p.yaml: line 9: criteria[0].pattern: regular expression does not compile (missing ), unterminated "
            "subpattern at position 0); fix the pattern",
        ),
        (
            "  - id: r1\n    type: year\n    min: 2000\n    searches: [s1, s2]\n    action: include\n    reason: r\n",
            "p.yaml: line 10: criteria[0].searches[1]: no search named 's2' in this protocol; allowed: s1",
        ),
        (
            "  - id: r1\n    type: humans\n    action: inclde\n    reason: r\n",
            "p.yaml: line 9: criteria[0].action: unknown value 'inclde'; allowed: include, exclude, maybe",
        ),
        (
            "  - id: r1\n    type: year\n    min: 2000\n    colour: red\n    action: include\n    reason: r\n",
            "p.yaml: line 10: criteria[0].colour: unknown key 'colour'; allowed keys: action, id, max, min, negate, "
            "reason, searches, stages, type",
        ),
        (
            "  - id: r1\n    type: publication-type\n    types: [case-report, cohort]\n    action: include\n"
            "    reason: r\n",
            "p.yaml: line 9: criteria[0].types[1]: unknown value 'cohort'; allowed: case-report, case-series, "
            "review, trial, observational, letter, editorial, comment",
        ),
        (
            "  - id: r1\n    type: drug\n    drugs: [alectnib]\n    action: include\n    reason: r\n",
            "p.yaml: line 9: criteria[0].drugs: unknown drug 'alectnib'; did you mean 'alectinib', 'larotrectinib', "
            "'entrectinib'?",
        ),
        (
            "  - id: r1\n    type: disease\n    disease: lymphoma\n    action: include\n    reason: r\n",
            "p.yaml: line 9: criteria[0].disease: unknown disease 'lymphoma'; allowed: ALK-positive histiocytosis, "
            "ALK-positive large B-cell lymphoma, NTRK-rearranged spindle cell neoplasm, "
            "anaplastic large cell lymphoma, anaplastic thyroid carcinoma, diffuse large B-cell lymphoma, "
            "infantile fibrosarcoma, "
            "inflammatory myofibroblastic tumour, neuroblastoma, non-small cell lung cancer, "
            "papillary thyroid carcinoma, renal cell carcinoma",
        ),
        (
            "  - id: r1\n    type: language\n    languages: [klingon]\n    action: include\n    reason: r\n",
            "p.yaml: line 9: criteria[0].languages: unknown language 'klingon'; use an ISO 639-2 code (eng, fre, ...) "
            "or one of: chinese, dutch, english, french, german, italian, japanese, korean, polish, portuguese, "
            "russian, spanish, turkish",
        ),
        (
            "  - id: r1\n    type: humans\n    action: include\n    reason: r\n"
            "  - id: r1\n    type: humans\n    action: exclude\n    reason: r\n",
            "p.yaml: line 11: criteria[1].id: rule id 'r1' is used twice; ids must be unique",
        ),
        (
            "  - id: r1\n    type: stages\n    stages: [screening]\n    action: include\n    reason: r\n",
            "p.yaml: line 8: criteria[0].type: unknown rule type 'stages'; allowed: disease, drug, humans, "
            "individual-patient, language, line-of-therapy, publication-type, term, year",
        ),
        (
            "  - id: r1\n    action: include\n    reason: r\n",
            "p.yaml: line 7: criteria[0].type: rule has no type; add 'type:' with one of: disease, drug, humans, "
            "individual-patient, language, line-of-therapy, publication-type, term, year",
        ),
    ],
)
def test_protocol_errors_name_line_key_and_allowed_values(rules: str, message: str) -> None:
    with pytest.raises(InputError) as err:
        parse_protocol(HEAD + rules, source="p.yaml")
    assert str(err.value) == message


def test_top_level_errors() -> None:
    with pytest.raises(InputError) as err:
        parse_protocol("name: p\nquestion: q\nsearch: []\n", source="p.yaml")
    assert str(err.value) == (
        "p.yaml: line 3: search: unknown key 'search'; allowed keys: criteria, imports, name, question, records, "
        "searches, version"
    )
    with pytest.raises(InputError) as err:
        parse_protocol("name: p\nquestion: q\n", source="p.yaml")
    assert str(err.value) == "p.yaml: searches: the protocol has no searches and no imports; add one of them"
    with pytest.raises(InputError) as err:
        parse_protocol("name: p\n  question: [q\n", source="p.yaml")
    assert str(err.value).startswith("p.yaml: line 2: not valid YAML (")


def test_missing_stored_search_names_the_protocol_line(sqlite_url: str, tmp_path: Path) -> None:
    from caseseries.store import Store

    path = tmp_path / "p.yaml"
    path.write_text(HEAD + "  - id: r1\n    type: humans\n    action: include\n    reason: r\n", "utf-8")
    protocol = load_protocol(path)
    with pytest.raises(InputError) as err:
        protocol_records(Store.open(sqlite_url), protocol)
    assert str(err.value) == (
        f"{path}: line 4: searches[0].name: no stored search named 's1' or with the query '\"a\" AND \"b\"'; "
        'run: caseseries search \'"a" AND "b"\' first, or screen the imported records with \'records: all\' in '
        "the protocol"
    )


def test_cli_bad_protocol_exits_2_naming_the_line(
    tmp_path: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(HEAD + "  - id: r1\n    type: term\n    pattern: '[z-a]'\n    action: include\n    reason: r\n")
    code = main(["--db", sqlite_url, "screen", "--protocol", str(path)])
    assert code == 2
    assert capsys.readouterr().err == (
        f"Error: {path}: line 9: criteria[0].pattern: regular expression does not compile (bad character range z-a "
        "at position 1); fix the pattern\n"
    )


def test_cli_unreadable_protocol_lists_the_shipped_ones(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", sqlite_url, "screen", "--protocol", "nope.yaml"]) == 2
    assert capsys.readouterr().err == (
        "Error: nope.yaml: cannot read the protocol (FileNotFoundError); give a YAML file or a shipped protocol: "
        "alk-imt-alectinib-first-line, imt-two-or-more-lines\n"
    )


def test_schema_file_is_json() -> None:
    text = (Path(__file__).resolve().parents[2] / "src/caseseries/screening/data/protocol.schema.json").read_text()
    assert json.loads(text)["title"] == "Protocol"

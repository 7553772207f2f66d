"""The ``refs check`` use case: the result owns its JSON, Markdown and table; offline or over E-utilities."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import DATA

from caseseries.app.references import check_manuscript
from caseseries.errors import InputError, NetworkError
from fake_eutils import FakeEutils, fake_eutils  # noqa: F401

REFS = DATA / "refs"
STYLES_MANUSCRIPT = REFS / "styles_manuscript.md"
STYLES_RECORDS = REFS / "styles_records.ris"


def test_an_offline_check_owns_its_json_markdown_and_table(tmp_path: Path) -> None:
    unreadable = tmp_path / "broken.xml"
    unreadable.write_text("<PubmedArticleSet><PubmedArticle>", encoding="utf-8")
    checked = check_manuscript(STYLES_MANUSCRIPT, [str(STYLES_RECORDS), str(unreadable)], offline=True)
    assert not checked.has_problems
    data = checked.to_json()
    assert [r["verdict"] for r in data["references"]] == ["verified"] * 8
    assert data["summary"]["verified"] == 8
    assert checked.markdown().startswith(f"# Reference check\n\nSource: `{STYLES_MANUSCRIPT}`\n")
    assert checked.table().title == "Reference check: 8 references"
    assert checked.warnings() and all(w.startswith("record skipped: ") for w in checked.warnings())


def test_a_reference_no_record_matches_is_a_problem(tmp_path: Path) -> None:
    manuscript = tmp_path / "m.md"
    text = STYLES_MANUSCRIPT.read_text(encoding="utf-8") + "9. Personal communication.\n"
    manuscript.write_text(text, encoding="utf-8")
    checked = check_manuscript(manuscript, [str(STYLES_RECORDS)], offline=True)
    assert checked.has_problems and checked.to_json()["summary"]["unparsed"] == 1


def test_offline_without_records_says_what_to_add() -> None:
    with pytest.raises(InputError, match="--offline needs local records") as caught:
        check_manuscript(STYLES_MANUSCRIPT, offline=True)
    assert caught.value.location == "--offline"


def test_an_online_check_asks_the_given_e_utilities_server(fake_eutils: FakeEutils) -> None:  # noqa: F811
    fake_eutils.fail("*", "500", times=10_000)
    with pytest.raises(NetworkError, match="PubMed could not be reached"):
        check_manuscript(STYLES_MANUSCRIPT, base_url=fake_eutils.url, email="t@example.org")
    assert fake_eutils.requests and all(r.params.get("email") == "t@example.org" for r in fake_eutils.requests)

"""One reader of closed choices: the member, or one error line naming the option and the allowed values."""

from __future__ import annotations

import pytest

from caseseries.app.accounts import parse_role
from caseseries.app.choice import parse_choice
from caseseries.app.screen import parse_stage
from caseseries.errors import InputError
from caseseries.screening import Stage
from caseseries.screening.ranking import Order
from caseseries.store.accounts import UserRole


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        (Stage, "full-text", Stage.FULL_TEXT),
        (Stage, Stage.TITLE_ABSTRACT, Stage.TITLE_ABSTRACT),
        (Order, "model", Order.MODEL),
        (UserRole, "viewer", UserRole.VIEWER),
    ],
)
def test_a_known_value_gives_its_member(kind: type, value: object, expected: object) -> None:
    assert parse_choice(kind, value, "--x", "thing") is expected


@pytest.mark.parametrize(
    ("call", "message", "location"),
    [
        (lambda: parse_stage("fulltext"), "unknown stage 'fulltext'; allowed: title-abstract, full-text", "--stage"),
        (lambda: parse_role("boss"), "unknown role 'boss'; allowed: admin, reviewer, viewer", "--role"),
        (lambda: parse_role("boss", location="ROLE"), "unknown role 'boss'", "ROLE"),
        (
            lambda: parse_choice(Order, "random", "--order", "order"),
            "unknown order 'random'; allowed: rules, model",
            "--order",
        ),
    ],
)
def test_an_unknown_value_is_one_error_naming_the_choices(call, message: str, location: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as err:
        call()
    assert str(err.value).startswith(f"{location}: {message}")
    assert err.value.location == location


def test_roles_ignore_case_and_spaces() -> None:
    assert parse_role("  Reviewer ") is UserRole.REVIEWER

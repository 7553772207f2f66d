"""Reading a closed choice (an Enum value) given on the command line or in a form."""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

from caseseries.errors import InputError

E = TypeVar("E", bound=Enum)


def parse_choice(kind: type[E], value: str | E, location: str, what: str) -> E:
    """The member of ``kind`` whose value is ``value`` (a member is returned as it is).

    Parameters
    ----------
    kind : type of Enum
        The closed vocabulary.
    value : str or Enum
        What the user wrote, or a member already chosen.
    location : str
        The option or argument it came from (``--stage``), named in the error.
    what : str
        What the choice is (``stage``), named in the error.

    Raises
    ------
    InputError
        ``unknown WHAT 'VALUE'; allowed: a, b, c`` for a value that is not one of the members'.
    """
    if isinstance(value, kind):
        return value
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in kind)
        raise InputError(f"unknown {what} {value!r}; allowed: {allowed}", location=location) from None

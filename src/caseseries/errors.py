"""One exception hierarchy for the whole library.

Adapters translate these: the command line prints ``Error: <message>`` and exits with 2
for :class:`InputError` and its subclasses. Every message names the problem, the bad value
(file, field path or position) and the fix.
"""

from __future__ import annotations


class CaseseriesError(Exception):
    """Base class of every error raised on purpose by caseseries."""


class InputError(CaseseriesError):
    """Bad input from a user: a file, a field, an option. Exit code 2 at the command line.

    Parameters
    ----------
    message : str
        What is wrong and how to fix it.
    source : str or None
        The file (or other origin) the bad input came from.
    location : str or None
        The field path, line or position inside ``source``.
    """

    def __init__(self, message: str, *, source: str | None = None, location: str | None = None):
        self.message = message
        self.source = source
        self.location = location
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ": ".join(p for p in (self.source, self.location) if p)
        return f"{where}: {self.message}" if where else self.message


class ValidationError(InputError):
    """A record that parsed but breaks a rule of the model (impossible or unknown values)."""


class VocabularyError(InputError):
    """A vocabulary file or term is invalid or unknown."""


class FormatError(InputError):
    """A file is not in the format that was declared or detected."""


class StoreError(CaseseriesError):
    """The database could not be opened, migrated or written."""


class NetworkError(CaseseriesError):
    """A remote service could not be reached or kept failing after retries."""


class NotFoundError(InputError):
    """A requested record (case, publication, search) does not exist."""

"""Reading a reference-list or record file as text."""

from __future__ import annotations

from pathlib import Path

from caseseries.errors import FormatError, InputError


def read_text_file(path: str | Path) -> str:
    """The UTF-8 text of ``path``; :class:`InputError` naming the file when it cannot be read."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found; check the path", source=str(path)) from None
    except IsADirectoryError:
        raise InputError("is a directory; give a reference list file", source=str(path)) from None
    except OSError as err:
        raise InputError(f"cannot be read ({err.strerror}); check its permissions", source=str(path)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise FormatError(
            f"byte {err.start + 1} is not UTF-8 text; re-save the file as UTF-8", source=str(path)
        ) from None

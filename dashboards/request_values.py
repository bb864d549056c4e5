"""Checks of the values a callback request carries: the browser's values are not trusted.

A forged request can put any JSON in any input: a list where a name belongs, a number
where a choice belongs, a control value no page offers. Callbacks pass what they use
through these checks; a value that fails raises ``BadRequestValueError``, which pages
show as a message like a bad result folder, never as an HTTP 500.
"""

from __future__ import annotations

from collections.abc import Collection

MAX_NAME_CHARS = 1_000
"""Longest result id or scenario name a request may carry."""
MAX_COMPARED = 20
"""Most result sets the Compare page draws at once."""


class BadRequestValueError(ValueError):
    """A request carried a value no control of the page can send."""


def one_of(value: object, allowed: Collection[str], what: str) -> str:
    """``value`` when it is one of ``allowed``.

    Raises:
        BadRequestValueError: For anything else (other text, a number, a list...).
    """
    if isinstance(value, str) and value in allowed:
        return value
    raise BadRequestValueError(f"{what}: {str(value)[:80]!r} is not one of "
                               f"{', '.join(sorted(allowed))}")


def usable_name(value: object, what: str) -> str:
    """``value`` when it is text that can name a file: no NUL, at most ``MAX_NAME_CHARS``.

    Raises:
        BadRequestValueError: When it is not text, holds a NUL or is too long.
    """
    if not isinstance(value, str):
        raise BadRequestValueError(f"{what}: expected a name, got {type(value).__name__}")
    if "\x00" in value or len(value) > MAX_NAME_CHARS:
        raise BadRequestValueError(f"{what}: not a usable name (a NUL character or more "
                                   f"than {MAX_NAME_CHARS:,} characters)")
    return value


def usable_names(value: object, what: str) -> list[str]:
    """A list of names (``usable_name`` each), duplicates dropped, at most ``MAX_COMPARED``.

    ``None`` is an empty list.

    Raises:
        BadRequestValueError: When it is not a list of names or has too many.
    """
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadRequestValueError(f"{what}: expected a list, got {type(value).__name__}")
    unique = list(dict.fromkeys(usable_name(item, what) for item in value))
    if len(unique) > MAX_COMPARED:
        raise BadRequestValueError(f"{what}: {len(unique)} chosen (allowed: up to "
                                   f"{MAX_COMPARED})")
    return unique


def whole_number(value: object, what: str, low: int, high: int) -> int:
    """``value`` when it is a whole number in ``[low, high]`` (``5.0`` counts, ``True`` not).

    Raises:
        BadRequestValueError: For text, booleans, fractions and numbers out of range.
    """
    integral = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if isinstance(value, bool) or not integral:
        raise BadRequestValueError(f"{what}: enter a whole number (got {str(value)[:40]})")
    if not low <= value <= high:
        raise BadRequestValueError(f"{what}: {int(value)} (allowed: {low:,} to {high:,})")
    return int(value)

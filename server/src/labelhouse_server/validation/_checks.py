"""Primitive checks shared by the sample and label validators.

Every check takes the value and its path (``attributes.annotations[3].points``) and raises ``Invalid`` with that
path as ``field`` on the first problem. The checks only read their input. Paths are strings built while descending;
JSON types are named the way a user of the HTTP API sees them (object, array, string, number, boolean, null).

Error texts must never contain "not found", "does not exist" or "already exists": the official SDK classifies
errors by those substrings (contract §1.5).
"""

from __future__ import annotations

import re
from typing import Any, NoReturn

from ..errors import Invalid

# Integers outside the signed 64-bit range cannot be written back by orjson, nor read by most consumers.
INT_MIN = -(2**63)
INT_MAX = 2**63 - 1


def describe(value: Any) -> str:
    """``a string ('abc')``-style description of a JSON value for error messages."""
    if value is None:
        return "null"
    if value is True or value is False:
        return f"a boolean ({'true' if value else 'false'})"
    if isinstance(value, int):
        return f"an integer ({value})" if INT_MIN <= value <= INT_MAX else "an integer outside the 64-bit range"
    if isinstance(value, float):
        return f"a number ({value!r})"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"a string ({shown!r})"
    if isinstance(value, list):
        return f"an array of {len(value)} item{'' if len(value) == 1 else 's'}"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


# Phrases the official SDK classifies error bodies by (contract §1.5). Our own texts never contain them, but paths
# and echoed values come from the user's document; a key named "not found" must not turn a 400 into NotFoundError.
_SDK_TRIGGERS = re.compile(
    r"not found|does not exist|already exists|already have|cannot be added as collaborator|is already a collaborator"
    r"|authentication credentials were not provided|cannot leave the organization|need to be an administrator"
    r"|do not have permission|free trial ended|exceeded user limit|time-out|invalid page",
    re.IGNORECASE,
)


def _defuse(text: str) -> str:
    """Break trigger phrases with look-alike characters (no-break space, non-breaking hyphen)."""
    if not _SDK_TRIGGERS.search(text):
        return text
    return _SDK_TRIGGERS.sub(lambda m: m.group(0).replace(" ", "\u00a0").replace("-", "\u2011"), text)


def fail(path: str, message: str) -> NoReturn:
    raise Invalid(_defuse(f"{path}: {message}"), field=_defuse(path))


def expected(path: str, what: str, value: Any) -> NoReturn:
    fail(path, f"expected {what}, got {describe(value)}")


def missing(path: str) -> NoReturn:
    fail(path, "this key is required")


# ---- scalars ---------------------------------------------------------------------------------------------------


def is_number(value: Any) -> bool:
    """A finite JSON number (int or float, never a boolean)."""
    t = type(value)
    if t is float:
        return value - value == 0.0  # false for inf and nan
    return t is int and INT_MIN <= value <= INT_MAX


def check_int(value: Any, path: str) -> int:
    if type(value) is not int or not INT_MIN <= value <= INT_MAX:
        expected(path, "an integer", value)
    return value


def check_number(value: Any, path: str) -> None:
    if not is_number(value):
        expected(path, "a finite number", value)


def check_str(value: Any, path: str) -> None:
    if type(value) is not str:
        expected(path, "a string", value)


def check_bool(value: Any, path: str) -> None:
    if value is not True and value is not False:
        expected(path, "a boolean", value)


def check_enum(value: Any, allowed: tuple[str, ...], path: str) -> None:
    if type(value) is not str or value not in allowed:
        expected(path, "one of " + ", ".join(repr(a) for a in allowed), value)


# ---- containers ------------------------------------------------------------------------------------------------

def check_object(value: Any, path: str) -> dict:
    if type(value) is not dict:
        expected(path, "an object", value)
    return value


def check_list(value: Any, path: str) -> list:
    if type(value) is not list:
        expected(path, "an array", value)
    return value


def required(obj: dict, key: str, path: str) -> Any:
    """The value under a required key; ``obj`` is already known to be a dict."""
    try:
        return obj[key]
    except KeyError:
        missing(f"{path}.{key}")


# ---- required keys checked in place: the path is built only on failure (hot in annotation loops) -----------------

_MISSING = object()


def int_at(obj: dict, key: str, path: str) -> int:
    value = obj.get(key, _MISSING)
    if type(value) is int and INT_MIN <= value <= INT_MAX:
        return value
    if value is _MISSING:
        missing(f"{path}.{key}")
    expected(f"{path}.{key}", "an integer", value)


def number_at(obj: dict, key: str, path: str) -> None:
    value = obj.get(key, _MISSING)
    t = type(value)
    if t is float:
        if value - value == 0.0:
            return
    elif t is int and INT_MIN <= value <= INT_MAX:
        return
    if value is _MISSING:
        missing(f"{path}.{key}")
    expected(f"{path}.{key}", "a finite number", value)


def enum_at(obj: dict, key: str, allowed: tuple[str, ...], path: str) -> str:
    value = obj.get(key, _MISSING)
    if type(value) is str and value in allowed:
        return value
    if value is _MISSING:
        missing(f"{path}.{key}")
    expected(f"{path}.{key}", "one of " + ", ".join(repr(a) for a in allowed), value)


def rows_of_numbers(value: list, width: tuple[int, ...]) -> bool:
    """Fast yes/no: every item is a list of ``width`` finite numbers (callers report the precise error)."""
    for row in value:
        if type(row) is not list or len(row) not in width:
            return False
        for cell in row:
            t = type(cell)
            if t is float:
                if cell - cell != 0.0:
                    return False
            elif t is not int or not INT_MIN <= cell <= INT_MAX:
                return False
    return True


# ---- optional keys: absent or null is fine ---------------------------------------------------------------------

def opt_int(obj: dict, key: str, path: str) -> None:
    value = obj.get(key)
    if value is not None:
        check_int(value, f"{path}.{key}")


def opt_number(obj: dict, key: str, path: str) -> None:
    value = obj.get(key)
    if value is not None and not is_number(value):
        expected(f"{path}.{key}", "a finite number or null", value)


def opt_str(obj: dict, key: str, path: str) -> None:
    value = obj.get(key)
    if value is not None and type(value) is not str:
        expected(f"{path}.{key}", "a string or null", value)


def opt_timestamp(obj: dict, key: str, path: str) -> None:
    """``Timestamp = str | int | float``, nullable."""
    value = obj.get(key)
    if value is not None and type(value) is not str and not is_number(value):
        expected(f"{path}.{key}", "a string, a finite number or null", value)


def opt_format_version(obj: dict, key: str, path: str) -> None:
    """``FormatVersion = float | str``, nullable."""
    value = obj.get(key)
    if value is not None and type(value) is not str and not is_number(value):
        expected(f"{path}.{key}", "a string, a number or null", value)


def opt_attribute_values(obj: dict, key: str, path: str) -> None:
    """``ObjectAttributes``/``ImageAttributes``/``LinkAttributes``: nullable
    ``Dict[str, str | bool | int | float | List[str] | None]``."""
    value = obj.get(key)
    if value is not None:
        check_attribute_values(value, f"{path}.{key}")


def check_attribute_values(value: Any, path: str) -> None:
    if type(value) is not dict:
        expected(path, "an object of attribute values", value)
    for name, item in value.items():
        t = type(item)
        if item is None or t is str or t is bool:
            continue
        if t is int or t is float:
            if not is_number(item):
                expected(f"{path}.{name}", "a finite number", item)
            continue
        if t is list:
            for j, entry in enumerate(item):
                if type(entry) is not str:
                    expected(f"{path}.{name}[{j}]", "a string", entry)
            continue
        expected(f"{path}.{name}", "a string, number, boolean, array of strings or null", item)


def check_number_rows(value: Any, path: str, what: str = "an array of arrays of numbers",
                      row_what: str = "an array of numbers") -> list:
    """``List[List[float]]``. Hot in point lists and matrices: the path is built only on failure."""
    if type(value) is not list:
        expected(path, what, value)
    for r, row in enumerate(value):
        if type(row) is not list:
            expected(f"{path}[{r}]", row_what, row)
        for c, cell in enumerate(row):
            t = type(cell)
            if t is float:
                if cell - cell == 0.0:
                    continue
            elif t is int and INT_MIN <= cell <= INT_MAX:
                continue
            expected(f"{path}[{r}][{c}]", "a finite number", cell)
    return value


# ---- small shared models ---------------------------------------------------------------------------------------

def check_url(value: Any, path: str) -> None:
    """``URL = {url?: str | null, signed_url?: str | null}``."""
    if type(value) is not dict:
        expected(path, 'an object like {"url": "https://..."}', value)
    url = value.get("url")
    if url is not None and type(url) is not str:
        expected(f"{path}.url", "a string or null", url)
    signed = value.get("signed_url")
    if signed is not None and type(signed) is not str:
        expected(f"{path}.signed_url", "a string or null", signed)


def _check_number_keys(value: Any, keys: tuple[str, ...], path: str, what: str) -> None:
    if type(value) is not dict:
        expected(path, what, value)
    for key in keys:
        number_at(value, key, path)


XYZ_KEYS = ("x", "y", "z")
XYZW_KEYS = ("qx", "qy", "qz", "qw")


def _numbers_in(value: dict, keys: tuple[str, ...]) -> bool:
    for key in keys:
        number: Any = value.get(key)
        t = type(number)
        if t is float:
            if number - number != 0.0:
                return False
        elif t is not int or not INT_MIN <= number <= INT_MAX:
            return False
    return True


def xyz_at(obj: dict, key: str, path: str) -> None:
    """A required ``XYZ`` under ``obj[key]``."""
    value = obj.get(key, _MISSING)
    if type(value) is dict and _numbers_in(value, XYZ_KEYS):
        return
    if value is _MISSING:
        missing(f"{path}.{key}")
    check_xyz(value, f"{path}.{key}")


def check_xyz(value: Any, path: str) -> None:
    _check_number_keys(value, XYZ_KEYS, path, 'an object {"x", "y", "z"}')


def check_xyzw(value: Any, path: str) -> None:
    _check_number_keys(value, XYZW_KEYS, path, 'an object {"qx", "qy", "qz", "qw"}')

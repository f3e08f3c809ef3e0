"""Links of one route for every row of a long list, without a `url_for` per row."""

from collections.abc import Callable
from urllib.parse import quote

from flask import url_for

# What werkzeug's default (string) converter leaves unquoted in a path segment.
_SEGMENT_SAFE = "!$&'()*+,/:;=@"
_MARKERS = {str: "puls-url-marker", int: 918273645}


def url_maker(endpoint: str, field: str, kind: type = str, **values) -> Callable[[object], str]:
    """A function giving `url_for(endpoint, **values, field=value)` for any `value`.

    Built once with `url_for` (so prefixes and the script root are right);
    each call only quotes the value as werkzeug's `string`/`int` converters do.
    """
    marker = _MARKERS[kind]
    prefix, found, suffix = url_for(endpoint, **values, **{field: marker}).partition(str(marker))
    if not found:
        raise ValueError(f"{endpoint}: {field} is not a path segment")
    if kind is int:
        return lambda value: f"{prefix}{int(value)}{suffix}"
    return lambda value: f"{prefix}{quote(str(value), safe=_SEGMENT_SAFE)}{suffix}"

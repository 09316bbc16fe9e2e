"""A campaign's rows: a list of dicts, a pandas DataFrame or a CSV path, each with a stable key.

The key is what a rerun maps a row by: the ``id`` column when the rows have one, else a hash of the row's
values (so the same CSV read again gives the same keys, and an edited row is a new row).
"""
from __future__ import annotations

import csv
import hashlib
import json
import math
import os
from pathlib import Path
from typing import Any

from .._exceptions import InvalidParameterError

ROWS_MAX = 1_000_000
KEY_MAX_CHARS = 200


def _plain(value: Any) -> Any:
    """A DataFrame cell as a plain Python value (numpy scalars, NaN as None)."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (TypeError, ValueError):
            pass
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def load_rows(rows: Any) -> list[dict[str, Any]]:
    """The rows as a list of dicts (checked: a list of dicts, a DataFrame, or the path of a CSV file)."""
    if isinstance(rows, (str, os.PathLike)):
        path = Path(rows).expanduser()
        try:
            found = len(str(rows)) <= 4096 and "\x00" not in str(rows) and path.is_file()
        except OSError:
            found = False
        if not found:
            raise InvalidParameterError("rows", "names no CSV file; pass a list of dicts, a DataFrame "
                                                "or the path of a CSV file with a header line", value=str(rows))
        try:
            with open(path, newline="", encoding="utf-8-sig") as fh:
                out = [dict(r) for r in csv.DictReader(fh)]
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InvalidParameterError("rows", f"is not a readable UTF-8 CSV file ({exc}); save it as CSV UTF-8",
                                        value=str(path)) from None
        for i, row in enumerate(out):
            if None in row:  # csv puts values beyond the header's columns under None
                raise InvalidParameterError(f"rows[{i}]", f"(line {i + 2} of the CSV) has more values than the header "
                                                          "has columns; quote values that contain commas",
                                            value=str(path))
    elif hasattr(rows, "to_dict") and hasattr(rows, "columns"):  # a pandas DataFrame
        out = [{str(k): _plain(v) for k, v in r.items()} for r in rows.to_dict(orient="records")]
    elif isinstance(rows, (list, tuple)):
        out = list(rows)
        for i, row in enumerate(out):
            if not isinstance(row, dict) or not all(isinstance(k, str) for k in row):
                raise InvalidParameterError(f"rows[{i}]", "must be a dict of column name -> value, e.g. "
                                                          "{'id': 'ana', 'text': 'Hello Ana'}", value=row)
    else:
        raise InvalidParameterError("rows", "must be a list of dicts, a pandas DataFrame or a CSV path",
                                    value=rows)
    if not out:
        raise InvalidParameterError("rows", "has no rows; a campaign needs at least one", value=rows)
    if len(out) > ROWS_MAX:
        raise InvalidParameterError("rows", f"has {len(out):,} rows; at most {ROWS_MAX:,} per campaign",
                                    value=f"<{len(out)} rows>")
    return out


def row_key(row: dict[str, Any]) -> str:
    """The row's ``id`` (as text) when it has one, else 12 hex digits of a hash of its values."""
    value = row.get("id")
    if value is not None and value != "":
        return str(_plain(value))
    text = json.dumps({k: _plain(v) for k, v in row.items()}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def keyed(rows: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """(key, row) pairs; duplicate keys are refused (two rows would share one set of jobs)."""
    seen: dict[str, int] = {}
    out = []
    for i, row in enumerate(rows):
        key = row_key(row)
        if len(key) > KEY_MAX_CHARS:
            raise InvalidParameterError(f"rows[{i}].id", f"is {len(key)} characters; at most {KEY_MAX_CHARS}",
                                        value=key)
        if key in seen:
            what = "id" if row.get("id") not in (None, "") else "values (no id column)"
            raise InvalidParameterError(f"rows[{i}]", f"has the same {what} as rows[{seen[key]}] (key {key!r}); "
                                                      "give each row a unique 'id' column", value=row)
        seen[key] = i
        out.append((key, row))
    return out

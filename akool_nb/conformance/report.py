"""Compare the recordings of the two services and write the report (and the saved shapes)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .runner import Recording
from .shapes import Difference, diff


@dataclass
class Comparison:
    name: str
    request: str
    differences: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not self.differences


def compare(real: Recording, offline: Recording | None) -> Comparison:
    out = Comparison(real.name, real.request)
    if offline is None:
        out.differences.append("no offline counterpart was recorded")
        return out
    for side, rec in (("real", real), ("offline", offline)):
        if rec.error:
            out.differences.append(f"{side}: {rec.error}")
    if real.error or offline.error:
        return out
    if real.code != offline.code:
        out.differences.append(f"code: real {real.code}, offline {offline.code}")
    if real.http_status != offline.http_status:
        out.differences.append(f"HTTP status: real {real.http_status}, offline {offline.http_status}")
    out.differences += [str(d) for d in diff(real.shape, offline.shape)]
    out.differences += [f"real: {n}" for n in real.notes] + [f"offline: {n}" for n in offline.notes]
    return out


def render(comparisons: list[Comparison], *, real_label: str, secrets: tuple[str, ...] = ()) -> str:
    lines = [f"Akool conformance: {real_label} compared with the offline Akool", ""]
    for c in comparisons:
        lines.append(f"{'same' if c.same else 'DIFFERENT'}  {c.name}  ({c.request})")
        lines += [f"    - {d}" for d in c.differences]
    different = sum(1 for c in comparisons if not c.same)
    lines += ["", f"{len(comparisons)} calls, {different} with differences.",
              "Legend: 'missing offline' = the real answer has a field the offline one lacks; 'only offline' = the "
              "reverse; 'type' = a field's JSON type differs (null matches any type, integer matches number).",
              "Send this report (it holds field names and types only, no values) with issue reports."]
    return _redact("\n".join(lines), secrets)


def _redact(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def save(recordings: list[Recording], folder: Path, *, source: str, secrets: tuple[str, ...] = ()) -> list[Path]:
    """One JSON file per call: its request line, code and answer shape (no values)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for rec in recordings:
        if rec.error:
            continue
        path = folder / f"{rec.name}.json"
        path.write_text(_redact(json.dumps(rec.as_json(source), indent=1, sort_keys=True), secrets) + "\n",
                        encoding="utf-8")
        written.append(path)
    return written


__all__ = ["Comparison", "Difference", "compare", "render", "save"]

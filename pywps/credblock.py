"""One `cred={...}` block of the configuration file (an Interworking / Hotspot 2.0 credential) and the events of
the credential commands. pywps stores credentials and never uses them; the field codecs are pywps/credfields.py.

wpa_supplicant numbers the file's cred blocks 0..n-1 in file order; ADD_CRED gives the highest id + 1; it
writes them after the global keys and before the networks, each after a blank line, and leaves a temporary
one (`temporary=1`) out of the file. Its events (wpa_msg MSG_INFO, observed): `CRED-ADDED <id>`,
`CRED-MODIFIED <id> <field>` on every SET_CRED that succeeds, `CRED-REMOVED <id>` for each one removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import credfields as cf
from .configline import file_value


@dataclass
class Cred:
    """One credential: its parsed values by field, its original lines while unchanged, its id."""

    values: dict[str, Any] = field(default_factory=lambda: {
        name: spec.default for name, spec in cf.FIELDS.items() if spec.default is not None})
    lines: list[str] | None = None  # the file's text, None once edited (or made by ADD_CRED)
    extra: list[tuple[str, str]] = field(default_factory=list)  # fields pywps does not know, kept as written
    id: int = -1

    def __repr__(self) -> str:  # not the values: they hold passwords
        return f"Cred(id={self.id})"

    def set(self, name: str, value: str) -> None:
        """SET_CRED: KeyError for a field wpa_supplicant does not know, ValueError for a value it refuses or
        one whose file line its reader would not read back (too long); a refused value changes nothing."""
        spec = cf.FIELDS[name]
        new = spec.parse(value, self.values.get(name))
        for line in spec.lines(name, new):
            if len(line.encode("utf-8", "surrogateescape")) > cf.LINE_MAX:
                raise ValueError(f"the {name} line would be longer than wpa_supplicant reads")
        self.values[name] = new
        self.lines = None

    def get(self, name: str) -> str | None:
        """GET_CRED's answer (passwords as `*`); None where wpa_supplicant answers FAIL."""
        spec = cf.FIELDS.get(name)
        if spec is None or spec.get is None:
            return None
        value = self.values.get(name)
        return None if value is None else spec.get(value)

    def string(self, name: str) -> bytes | None:
        value = self.values.get(name)
        if name == "domain":
            return value[0] if value else None
        return value

    def list_row(self) -> str:
        """LIST_CREDS's row: id, realm, username, the first domain, imsi."""
        cols = (self.string(n) for n in ("realm", "username", "domain", "imsi"))
        return "\t".join([str(self.id), *(cf.text(c) if c is not None else "" for c in cols)]) + "\n"

    def saved(self) -> bool:
        """Whether SAVE_CONFIG writes it: not a temporary one (wpa_supplicant leaves those out), but for a block
        read from the file and never edited, which is written back as it was (as pywps does with networks)."""
        return self.lines is not None or not self.values.get("temporary")

    def render(self) -> list[str]:
        if self.lines is not None:
            return self.lines
        out = ["cred={"]
        for name, spec in cf.FIELDS.items():
            value = self.values.get(name)
            if value is not None:
                out += [f"\t{line}" for line in spec.lines(name, value)]
        out += [f"\t{k}={v}" for k, v in self.extra]
        return [*out, "}"]


def check_cred_field(key: str, value: str) -> None:
    """A file line of a cred block, checked as wpa_supplicant reads it (ValueError); unknown keys are kept."""
    if key in cf.FIELDS:
        Cred().set(key, file_value(value))


def cred_from_lines(lines: list[str], fields: list[tuple[str, str]]) -> Cred:
    """A block read from the file: its text kept, its values parsed (fields checked already)."""
    cred = Cred()
    for key, value in fields:
        if key in cf.FIELDS:
            cred.set(key, file_value(value))
        else:
            cred.extra.append((key, value))
    cred.lines = lines
    return cred

"""The README's reference of control commands and events, made from the command table and the event texts
themselves so it cannot drift from the code (tests/test_reference.py checks the README holds it).

    python -m pywps.ctrl.reference              # prints the two tables
    python -m pywps.ctrl.reference README.md    # writes them between the README's markers
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import sys

from ..wps.credential import Credential
from ..wps.defs import AuthType, EncrType
from . import events as texts
from .commands import command_table

_PLACEHOLDER = {"bytes": bytes(6), "int": 0, "str": "", "bool": False, "float": 0.0}
_BY_NAME = {"ssid": b"ssid", "uuid": bytes(16), "primary_device_type": bytes(8)}
# fields whose every value has words of its own: a row for each
_EACH = {"refusal": tuple(texts.REFUSALS), "notice": tuple(texts.NOTICES)}
NO_DOC = "as Debian wpa_supplicant 2.10 answers (tests/test_diff_survey.py)"


def _first_line(doc: str | None) -> str:
    return (inspect.cleandoc(doc).split("\n\n")[0].replace("\n", " ") if doc else "").replace("|", "\\|")


def commands_markdown() -> str:
    rows = ["| command | backend | what pywps does |", "|---|---|---|"]
    for name, handler in sorted(command_table().items()):
        backend = handler.__module__.rsplit(".", 1)[-1].removesuffix("_commands")
        rows.append(f"| `{name}` | {backend} | {_first_line(handler.__doc__) or NO_DOC} |")
    return "\n".join(rows) + "\n"


def _placeholder(event_type: type, name: str, annotation: str) -> object:
    """A stand-in value for a field, from its annotation: the first fitting kind of a union, the first member
    of an enum, an open credential, None for anything the texts do not print."""
    if name in _BY_NAME:
        return _BY_NAME[name]
    module = sys.modules[event_type.__module__]
    for kind in (part.strip() for part in annotation.split("|")):
        if kind in _PLACEHOLDER:
            return _PLACEHOLDER[kind]
        candidate = getattr(module, kind, None)
        if candidate is Credential:
            return Credential(b"ssid", AuthType.OPEN, EncrType.NONE)
        if isinstance(candidate, type) and issubclass(candidate, enum.Enum):
            return next(iter(candidate))
    return None


def _samples(event_type: type) -> list[object]:
    if not dataclasses.is_dataclass(event_type):
        return [event_type()]
    values = {f.name: _placeholder(event_type, f.name, str(f.type)) for f in dataclasses.fields(event_type)
              if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
    each = next((name for name in _EACH if name in values), None)
    if each is None:
        return [event_type(**values)]
    return [event_type(**{**values, each: value}) for value in _EACH[each]]


def events_markdown() -> str:
    """Every event text pywps sends, each as it looks with placeholder values (one row per datagram)."""
    from ..er import events as er_events  # a documentation tool: the daemon itself never loads it for texts

    rows = ["| event, as sent (placeholders: 0, 00:00:00:00:00:00, empty) | level | typed event |", "|---|---|---|"]
    types = [*texts.text_table(), *(getattr(er_events, name) for name in texts.ER_TEXT)]
    for event_type in types:
        for sample in _samples(event_type):
            for text in texts.event_texts(sample):
                shown = text.replace("|", "\\|")
                level = texts.event_level(sample)
                rows.append(f"| `{shown}` | {level} | `{event_type.__module__}.{event_type.__name__}` |")
    return "\n".join(rows) + "\n"


def write_into(path: str) -> None:
    text = open(path, encoding="utf-8").read()
    for name, table in (("commands", commands_markdown()), ("events", events_markdown())):
        begin, end = f"<!-- {name}: begin -->\n", f"<!-- {name}: end -->"
        start = text.index(begin) + len(begin)
        text = text[:start] + table + text[text.index(end):]
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    if len(sys.argv) > 1:
        write_into(sys.argv[1])
    else:
        print(commands_markdown())
        print(events_markdown())

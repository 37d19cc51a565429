"""The README's command and event tables are the ones pywps.ctrl.reference makes from the code: they cannot
drift. Regenerate with `python -m pywps.ctrl.reference` and paste between the markers."""

from __future__ import annotations

from pathlib import Path

from pywps.ctrl.reference import commands_markdown, events_markdown

README = Path(__file__).resolve().parent.parent / "README.md"


def section(name: str) -> str:
    text = README.read_text()
    start = text.index(f"<!-- {name}: begin -->\n") + len(f"<!-- {name}: begin -->\n")
    return text[start:text.index(f"<!-- {name}: end -->")]


def test_readme_command_table_is_the_command_table():
    assert section("commands") == commands_markdown()


def test_readme_event_table_is_the_event_texts():
    assert section("events") == events_markdown()


def test_every_command_and_event_is_in_the_tables():
    from pywps.ctrl.commands import command_table

    table = commands_markdown()
    assert all(f"| `{name}` |" in table for name in command_table())
    assert events_markdown().count("\n") > 40

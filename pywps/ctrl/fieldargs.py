"""The `<id> <field> [<value>]` arguments that SET_NETWORK / GET_NETWORK and SET_CRED / GET_CRED share, read as
wpa_supplicant reads them (ctrl_iface.c): the request is a C string (it ends at the first NUL), split at single
spaces (`SET_CRED 0  realm x` names the field ""), the id read with atoi(); a refusal is FAIL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from ..cnumbers import c_atoi
from .commands import CommandFailed

Block = TypeVar("Block")


class Settable(Protocol):
    def set(self, name: str, value: str) -> None: ...


def c_string(raw: str) -> str:
    """wpa_supplicant reads a command as a C string: it ends at the first NUL byte."""
    return raw.split("\0", 1)[0]


def field_args(raw: str, count: int, usage: str) -> list[str]:
    """`<id> <field>` (count 2) or `<id> <field> <value>` (count 3, the value runs to the end); FAIL when
    fewer parts came."""
    parts = c_string(raw).split(" ", count - 1)
    if len(parts) < count:
        raise CommandFailed(usage)
    return parts


def block_by_id(find: Callable[[int], Block], text: str, what: str) -> Block:
    """The network or credential an atoi()-read id names (`x` is 0, `5x` is 5); FAIL when there is none."""
    try:
        return find(c_atoi(text))
    except KeyError:
        raise CommandFailed(f"no {what} {text[:20]!r}") from None


def set_field(block: Settable, name: str, value: str, what: str) -> None:
    """block.set with its refusals as FAIL: KeyError an unknown field, ValueError a value wpa_supplicant refuses."""
    try:
        block.set(name, value)
    except KeyError:
        raise CommandFailed(f"unknown {what} field {name[:30]!r}") from None
    except ValueError as e:
        raise CommandFailed(f"{name}: {e}") from None

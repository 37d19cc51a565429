"""Coverage-guided fuzzing of pywps's parsers with atheris (libFuzzer).

    python3 fuzz/fuzz.py TARGET [libFuzzer options] [CORPUS_DIR ...]
    TARGET: tlv | eap | ctrl | config

Each target feeds the input to one parser and fails on any exception other than the error that parser is
documented to raise. scripts/fuzz.sh runs them all for longer; tests/test_fuzz.py runs a bounded slice in CI.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

with atheris.instrument_imports():
    from pywps import config
    from pywps.ctrl.commands import CommandFailed, CommandTable
    from pywps.wps.credential import parse_credentials
    from pywps.wps.device import DeviceInfo
    from pywps.wps.eap import IDENTITY_ENROLLEE, EapPeer, Reassembler, parse_wsc
    from pywps.wps.enrollee import Enrollee, EnrolleeConfig
    from pywps.wps.errors import ParseError, ProtocolError
    from pywps.wps.messages import read_message

STA = DeviceInfo(uuid=bytes(16), mac_address=bytes.fromhex("020000000200"))


def fuzz_tlv(data: bytes) -> None:
    try:
        read_message(data)
    except (ParseError, ProtocolError):
        pass
    try:
        parse_credentials(data)
    except (ParseError, ValueError):  # ValueError: an Auth/Encr Type no IntFlag value holds
        pass


def fuzz_eap(data: bytes) -> None:
    """The input is a sequence of frames, each prefixed by a 2-byte length: EapPeer must never raise."""
    peer = EapPeer(Enrollee(EnrolleeConfig(STA, b"12345670")), IDENTITY_ENROLLEE, fragment_size=50)
    peer.start()
    reassembler = Reassembler(max_message=2048, max_fragments=16)
    pos = 0
    while pos < len(data):
        n = int.from_bytes(data[pos : pos + 2], "big")
        frame = data[pos + 2 : pos + 2 + n]
        pos += 2 + n
        peer.receive(frame)
        try:
            reassembler.add(parse_wsc(frame))
        except ParseError:
            pass
    while peer.next_event() is not None:
        pass
    peer.frames_to_send()


class Backend:
    """Answers like the daemon does: values, or CommandFailed."""

    def status(self):
        return {"wpa_state": "DISCONNECTED"}

    def check_pin(self, pin):
        if not pin.isdigit():
            raise CommandFailed("digits")
        return pin

    def generate_pin(self):
        return "12345670"

    def wps_pin(self, bssid, pin):
        return pin or "12345670"

    def __getattr__(self, name):
        def refuse(*args, **kwargs):
            raise CommandFailed(name)
        return refuse


TABLE = CommandTable(Backend())


def fuzz_ctrl(data: bytes) -> None:
    reply = TABLE.dispatch(data.decode("utf-8", "replace"))
    if not isinstance(reply, str):
        reply = asyncio.run(reply)
    assert isinstance(reply, str)


def fuzz_config(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    try:
        parsed = config.parse(text)
    except config.ConfigError:
        return
    assert parsed.serialize() == text  # whatever parses is written back unchanged


TARGETS = {"tlv": fuzz_tlv, "eap": fuzz_eap, "ctrl": fuzz_ctrl, "config": fuzz_config}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        raise SystemExit(f"usage: fuzz.py {{{'|'.join(TARGETS)}}} [libFuzzer options] [corpus dirs]")
    target = TARGETS[sys.argv.pop(1)]
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

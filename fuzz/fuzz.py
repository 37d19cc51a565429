"""Coverage-guided fuzzing of pywps's parsers with atheris (libFuzzer).

    python3 fuzz/fuzz.py TARGET [libFuzzer options] [CORPUS_DIR ...]
    TARGET: tlv | eap | ctrl | config

Each target feeds the input to one parser and fails on any exception other than the error that parser is
documented to raise. scripts/fuzz.sh runs them all for longer; tests/test_fuzz.py runs a bounded slice in CI.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

with atheris.instrument_imports():
    from pywps import config
    from pywps.ctrl.commands import CommandTable, command_table

    COMMANDS = command_table()  # here, so every backend module it imports is instrumented
    COMMAND_NAMES = sorted(COMMANDS)
    from pywps.services import Options, Services
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


class _InternalErrors(logging.Handler):
    """Collects the dispatcher's "internal error" records while it is installed."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def __enter__(self) -> _InternalErrors:
        logging.getLogger("pywps.ctrl").addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger("pywps.ctrl").removeHandler(self)


class _CtrlTarget:
    """A real in-process daemon (pywps.services on tests/shellfakes' wired link with no peer) on one loop
    that stays open across inputs: every command runs its real handler against real services."""

    def __init__(self) -> None:
        import tempfile

        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        from shellfakes import FakeWiredDriver

        self.loop = asyncio.new_event_loop()
        conf = Path(tempfile.mkdtemp(prefix="pwfuzz-")) / "pywps.conf"
        conf.write_text("update_config=1\n")
        options = Options(ifname="fuzz0", driver="wired", config_path=str(conf))

        async def make() -> Services:
            return Services(options, config.load(str(conf)), FakeWiredDriver(), lambda event: None, lambda: None)

        self.table = CommandTable(self.loop.run_until_complete(make()), COMMANDS)

    def __call__(self, text: str) -> str:
        with _InternalErrors() as errors:
            reply = self.loop.run_until_complete(self._one(text))
        if errors.records:  # the dispatcher answered FAIL, but a handler crashed: that is a bug to fix
            raise AssertionError(f"internal error on {text!r}") from errors.records[0].exc_info[1]
        return reply

    async def _one(self, text: str) -> str:
        reply = self.table.dispatch(text)  # on the loop, as the control socket calls it
        return reply if isinstance(reply, str) else await reply


_ctrl: _CtrlTarget | None = None


def fuzz_ctrl(data: bytes) -> None:
    """The first byte names a command of the table (libFuzzer cannot guess names through a dict lookup), the
    rest is its argument text; an odd first byte sends the input as the whole request line instead."""
    global _ctrl
    if _ctrl is None:
        _ctrl = _CtrlTarget()
    if not data:
        return
    text = data[1:].decode("utf-8", "replace")
    if data[0] & 1:
        request = text
    else:
        request = f"{COMMAND_NAMES[(data[0] >> 1) % len(COMMAND_NAMES)]} {text}"
    assert isinstance(_ctrl(request), str)


def fuzz_config(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    try:
        parsed = config.parse(text)
    except config.ConfigFileError:
        return
    if all(network.saved() for network in parsed.networks):
        assert parsed.serialize() == text  # whatever parses is written back unchanged
    else:  # a key_mgmt=WPS block, which SAVE_CONFIG leaves out as wpa_supplicant does: the rest is kept
        again = config.parse(parsed.serialize())
        assert [n.lines for n in again.networks] == [n.lines for n in parsed.networks if n.saved()]


TARGETS = {"tlv": fuzz_tlv, "eap": fuzz_eap, "ctrl": fuzz_ctrl, "config": fuzz_config}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        raise SystemExit(f"usage: fuzz.py {{{'|'.join(TARGETS)}}} [libFuzzer options] [corpus dirs]")
    target = TARGETS[sys.argv.pop(1)]
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

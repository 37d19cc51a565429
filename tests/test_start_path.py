"""The start path stays short (issue 13): what a daemon loads before it answers its first PING, and what its
warm-up loads after that, checked by module name in a fresh interpreter, not by a timer.

The daemon runs as `python -m pywps` runs it (argument parsing, logging, `make_driver`, `Daemon.serve`) on the
real driver class with its sockets left out (no root, no link, no radio needed): at readiness `warm_up` is
replaced by a probe that lists the loaded modules, sends a PING, runs the real warm-up and lists them again.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

PROBE = r"""
import asyncio, json, os, socket, sys
from pywps import __main__ as cli
args = cli.parse_args(["-D", sys.argv[3], "-i", "probe0", "-c", sys.argv[1], "-C", sys.argv[2]])
cli.setup_logging(args)
from pywps import daemon
from pywps.driver import make_driver

class Unplugged(type(make_driver(args.driver, args.ifname))):
    # the real driver's modules and class, without its sockets (they need root and a link or a radio)
    own_addr = property(lambda self: bytes.fromhex("02000000aa01"))
    async def start(self): pass
    async def stop(self): pass
    async def scan(self, *args, **kwargs): await asyncio.Event().wait()  # a radio's first scan: no end here

real_warm_up, seen = daemon.warm_up, {}

def probe():
    seen["ready"] = sorted(sys.modules)
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as client:
        client.bind(f"{sys.argv[2]}/probe-{os.getpid()}")  # not tempfile: it imports shutil
        client.settimeout(5)
        client.sendto(b"PING", sys.argv[2] + "/probe0")
        seen["reply"] = client.recv(64).decode()
    seen["pong"] = sorted(sys.modules)
    real_warm_up()
    seen["warm"] = sorted(sys.modules)
    loop.call_soon_threadsafe(the_daemon._stopped.set)

async def main():
    global loop, the_daemon
    loop = asyncio.get_running_loop()
    options = daemon.Options(ifname=args.ifname, driver=args.driver, config_path=args.config, ctrl_dir=args.ctrl_dir)
    the_daemon = daemon.Daemon(options, driver=Unplugged(args.ifname))
    daemon.warm_up = probe
    await the_daemon.serve()

asyncio.run(main())
print(json.dumps(seen))
"""

# Loaded after readiness by the warm-up: what the first WPS_PIN needs (the command backends, the event
# vocabularies and their texts, the WPS service, the protocol core and its crypto).
WARMED = [
    "pywps.ctrl.wps_commands", "pywps.ctrl.status_commands", "pywps.ctrl.network_commands",
    "pywps.events", "pywps.runevents", "pywps.netevents", "pywps.wps.events", "pywps.wpsservice", "pywps.pinguard",
    "pywps.station.types", "pywps.wps.credential", "pywps.wps.device",
    "pywps.station.wpsrun", "pywps.wps.enrollee", "pywps.wps.registrar", "pywps.wps.crypto", "cryptography",
]
# Never loaded by a wired daemon until a command asks for it: the radio's station and WPA handshake, the
# External Registrar (UPnP), pyroute2, pcap recording.
UNUSED = ["pywps.station.station", "pywps.station.connector", "pywps.wpa.supplicant", "pywps.er.service",
          "pywps.driver.nl80211", "pyroute2", "pywps.pcap", "scapy"]
# Not for a start: argparse's help formatter would load shutil (with zlib, bz2, lzma); hashlib comes with the
# UUID derived from the MAC, or the crypto.
STDLIB_LATER = ["shutil", "hashlib"]
# What a radio needs at start that a wire does not: the station and the connector (with a stored network the
# radio's first scan goes out before the first PONG) and, with the station, the shell's events and a WPS run's
# request and device: a WPS_PIN at the first PONG needs them before its scan, so deferring them only moves their
# cost from the start to that run. pyroute2's own modules load tempfile (shutil) and random (hashlib). Not before
# that PONG: the WPA code a join uses (pywps.wpa: elements, keys, the handshake; station.security), which no WPS
# run needs before its credential, and which the warm-up loads after the WPS run's code (a cold start's first scan
# takes longer); the connector's choice of a BSS from the kernel's fresh cache at start loads it before the PONG.
RADIO_AT_START = ["pywps.station.station", "pywps.station.connector", "pywps.driver.nl80211", "pyroute2",
                  "pywps.events", "pywps.station.types", "pywps.wps.credential", "pywps.wps.device",
                  "shutil", "hashlib"]
# Not for a radio's start either: the parsers of its channel survey, station counters and wiphy, and the radio's
# types (a scan's results, SIGNAL_POLL and the capability commands use them; the command table does not). The
# warm-up loads them after the WPS run's code: a scan under way would otherwise load them with its results (a
# settled WPS run got slower that way once). A wired daemon never loads them unless asked.
RADIO_LATER = ["pywps.driver.nl80211_info", "pywps.driver.radio"]


def within(module: str, names: list[str]) -> bool:
    return any(module == name or module.startswith(name + ".") for name in names)


def probe(tmp_path: Path, driver: str) -> dict[str, list[str] | str]:
    conf = tmp_path / "pywps.conf"
    conf.write_text("update_config=0\n" + ("ap_scan=0\n" if driver == "wired" else ""))
    ctrl = tmp_path / "ctrl"
    done = subprocess.run([sys.executable, "-c", PROBE, str(conf), str(ctrl), driver], cwd=REPO, check=False,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.parametrize("driver", ["wired", "nl80211"])
def test_the_start_path_leaves_the_rest_to_the_warm_up(tmp_path, driver):
    seen = probe(tmp_path, driver)
    assert seen["reply"] == "PONG\n"
    ready, pong, warm = set(seen["ready"]), set(seen["pong"]), set(seen["warm"])
    assert f"pywps.driver.{driver}" in ready and "pywps.ctrl.server" in ready  # the probe saw a real start
    allowed = RADIO_AT_START if driver == "nl80211" else []
    early = sorted(m for m in ready if within(m, WARMED + UNUSED + STDLIB_LATER) and not within(m, allowed))
    assert early == [], "loaded before the first PONG; keep it off the start path or say why here"
    assert pong == ready, "answering PING loaded modules"
    assert set(WARMED) <= warm, f"the warm-up left these to the first WPS run: {set(WARMED) - warm}"
    assert "pywps.er.service" not in warm and "scapy" not in warm
    if driver == "wired":
        assert not {m for m in warm if within(m, ["pyroute2", "pywps.wpa"] + RADIO_LATER)}
    else:
        # pyroute2 bare (pywps.driver.load_pyroute2_bare): its netlink modules, not the package's whole library
        assert not {m for m in warm if m.startswith(("pyroute2.ndb", "pyroute2.ipdb", "pyroute2.iproute"))}
        assert "pywps.wpa.keys" in warm and "cryptography.hazmat.primitives.kdf.pbkdf2" in warm
        assert {"pywps.wpa.supplicant", "pywps.station.security", "pywps.events"} <= warm
        assert not ready & set(RADIO_LATER), "the radio's parsers loaded before the first PONG"
        assert not {m for m in ready if within(m, ["pywps.wpa", "pywps.station.security"])}, "WPA code before the PONG"
        assert set(RADIO_LATER) <= warm, "the warm-up left the radio's parsers to the first scan's results"

"""Rogue peers (tests/rogue/rogue.py, built with scapy) against the running daemon over the wired lab.

For every case: the expected WPS-FAIL or a clean ignore, no credential stored where none is safe, the config
file byte-identical where nothing may be stored, the daemon alive and answering PING, no traceback in its log.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from netlab import WiredLab, pywps_conf, requires_lab, wait_for

pytestmark = requires_lab
ROGUE = Path(__file__).parent / "rogue" / "rogue.py"

FAILS = {
    "wrong_auth_m2": r"^WPS-FAIL msg=5 ", "wrong_auth_m4": r"^WPS-FAIL msg=8 ", "wrong_auth_m6": r"^WPS-FAIL msg=10 ",
    "wrong_auth_m8": r"^WPS-FAIL msg=12 ", "wrong_kwa": r"^WPS-FAIL msg=8 config_error=0",
    "unknown_pin": r"^WPS-FAIL msg=8 config_error=18", "pk_0": r"^WPS-FAIL msg=5 ", "pk_1": r"^WPS-FAIL msg=5 ",
    "pk_p_minus_1": r"^WPS-FAIL msg=5 ", "replay_m4": r"^WPS-FAIL msg=8 ", "m6_before_m4": r"^WPS-FAIL msg=10 ",
    "duplicate_attr": r"^WPS-FAIL msg=5 ", "missing_attr": r"^WPS-FAIL msg=5 ",
    "ssid_33": r"^WPS-FAIL msg=12 ", "key_7": r"^WPS-FAIL msg=12 ", "key_65": r"^WPS-FAIL msg=12 ",
}
# How each hostile SSID is written, as Debian wpa_supplicant 2.10 writes it (tests/test_diff_config.py): a control
# byte makes the whole SSID hex; a quote or backslash stays inside the quotes (wpa_supplicant reads up to the
# last quote on the line, so neither can end the value).
HOSTILE_SSIDS = {"ssid_newline": (b'evil\nnetwork={\n\tssid="x"\n}', None), "ssid_quote": (b'a"b', '"a"b"'),
                 "ssid_backslash": (b"a\\b", '"a\\b"'), "ssid_nul": (b"a\x00b", None)}
IGNORED = ["fragments_never_end", "message_length_60k", "fragment_flood", "length_past_end"]


@contextlib.contextmanager
def run_case(case: str, seconds: float = 8.0):
    with WiredLab() as lab:
        pywps = lab.pywps(pywps_conf(), ["--walk-time", "30"])
        before = pywps.conf.read_bytes()
        mon = pywps.monitor()
        rogue = subprocess.Popen(["ip", "netns", "exec", lab.ns_ap, sys.executable, str(ROGUE), "vap", case, str(seconds)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert rogue.stdout.readline().strip() == "ready", rogue.stderr.read()
            if case != "noise":
                assert pywps.cli("wps_pin", "any", "12345670") == "12345670"
            # read on through the same text stream: readline() may have buffered the result line too (the noise
            # case prints it at once), which communicate(), reading the pipe itself, would never see
            rogue.wait(timeout=seconds + 60)
            out, err = rogue.stdout.read(), rogue.stderr.read()
        finally:
            rogue.kill()
        result = json.loads(out.strip().splitlines()[-1]) if out.strip() else {"stderr": err}
        yield pywps, mon, before, result
        assert pywps.cli("ping").strip() == "PONG"
        assert "Traceback" not in pywps.log_text()


@pytest.mark.parametrize("case", sorted(FAILS))
def test_rogue_registrar_fails_the_run(case):
    with run_case(case) as (pywps, mon, before, result):
        mon.wait(FAILS[case])
        assert not any(e.startswith(("WPS-SUCCESS", "WPS-CRED-RECEIVED")) for e in mon.events)
        assert pywps.conf.read_bytes() == before
        if case == "unknown_pin":
            assert "M5" not in result["received"], result  # a registrar without the PIN learned nothing


@pytest.mark.parametrize("case", sorted(HOSTILE_SSIDS))
def test_hostile_ssid_is_stored_safely(case):
    from pywps import config

    with run_case(case) as (pywps, mon, before, result):
        mon.wait("^WPS-SUCCESS")
        text = pywps.conf.read_text()
        ssid, quoted = HOSTILE_SSIDS[case]
        assert f"\tssid={quoted or ssid.hex()}\n" in text and text.count("network={") == 1
        assert [n.ssid for n in config.load(str(pywps.conf)).networks] == [ssid]


@pytest.mark.parametrize("case", IGNORED)
def test_malformed_frames_are_ignored(case):
    with run_case(case, seconds=6.0) as (pywps, mon, before, result):
        assert "M1" in result["received"], result
        assert not any(e.startswith(("WPS-SUCCESS", "WPS-CRED-RECEIVED")) for e in mon.events)
        assert pywps.conf.read_bytes() == before
        assert "dropped" in pywps.log_text() or "reassembly" in pywps.log_text()


def test_noise_frames():
    with run_case("noise", seconds=2.0) as (pywps, mon, before, result):
        assert result.get("sent") == 8, result  # the rogue's stderr when it printed no result


def test_identity_request_loop_is_answered_without_harm():
    with run_case("identity_loop", seconds=2.0) as (pywps, mon, before, result):
        assert result.get("sent") == 1000 and result["answers"] >= 990, result  # each request gets its Identity response


def test_the_rogue_itself_works_when_honest():
    with run_case("good") as (pywps, mon, before, result):
        mon.wait("^WPS-SUCCESS")
        assert result["received"][-1] == "WSC_DONE"


def test_repeated_pin_failures_from_one_registrar_trigger_back_off():
    with WiredLab() as lab:
        pywps = lab.pywps(pywps_conf(), ["--walk-time", "30"])
        mon = pywps.monitor()
        for attempt in range(3):  # a registrar guessing our label PIN, one run per guess
            rogue = subprocess.Popen(["ip", "netns", "exec", lab.ns_ap, sys.executable, str(ROGUE), "vap", "unknown_pin", "5"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                assert rogue.stdout.readline().strip() == "ready"
                assert pywps.cli("wps_pin", "any", "12345670") == "12345670"
                out, _ = rogue.communicate(timeout=60)
            finally:
                rogue.kill()
            assert "M5" not in json.loads(out.strip().splitlines()[-1])["received"]
            mon.wait(r"^WPS-FAIL msg=8 config_error=18")
            mon.events.clear()
        wait_for(lambda: "possible brute force" in pywps.log_text(), 5, "the back-off warning")
        # The fourth attempt from the same registrar is not served at all.
        rogue = subprocess.Popen(["ip", "netns", "exec", lab.ns_ap, sys.executable, str(ROGUE), "vap", "unknown_pin", "3"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert rogue.stdout.readline().strip() == "ready"
            pywps.cli("wps_pin", "any", "12345670")
            out, _ = rogue.communicate(timeout=60)
        finally:
            rogue.kill()
        assert json.loads(out.strip().splitlines()[-1])["received"] == []  # not even an M1
        assert pywps.cli("ping").strip() == "PONG"

"""The radio's STATUS, SCAN and MIB in-process on the fake radio (tests/shellfakes.py): the states and values
Debian wpa_supplicant 2.10 showed on mac80211_hwsim (tests/vm/guest/test_hwsim_ctrl_diff.py compares them live)."""

from __future__ import annotations

from shellfakes import PASSPHRASE, SSID, FakeAp, FakeRadioDriver
from shellrig import Rig, run

STORED = f'update_config=1\nnetwork={{\n\tssid="{SSID.decode()}"\n\tpsk="{PASSPHRASE.decode()}"\n}}\n'


def fields(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def test_idle_radio_scans_busy_then_inactive():
    async def main():
        async with Rig(FakeRadioDriver(FakeAp())) as rig:
            assert fields(await rig.cmd("STATUS"))["wpa_state"] == "DISCONNECTED"  # no scan yet
            assert await rig.cmd("SCAN") == "OK\n"
            assert await rig.cmd("SCAN") == "FAIL-BUSY\n"  # at once: the first one's task has not run yet
            assert fields(await rig.cmd("STATUS"))["wpa_state"] == "SCANNING"
            await rig.wait_event("^CTRL-EVENT-SCAN-RESULTS ")
            assert fields(await rig.cmd("STATUS"))["wpa_state"] == "INACTIVE"  # no network to join
            assert await rig.cmd("ABORT_SCAN") == "FAIL\n"  # none running
            assert await rig.cmd("SIGNAL_POLL") == "FAIL\n"  # not associated

    run(main())


def test_mib_while_connected_and_after_disconnect():
    async def main():
        async with Rig(FakeRadioDriver(FakeAp()), STORED) as rig:
            await rig.wait_event("^CTRL-EVENT-CONNECTED ")
            mib = fields(await rig.cmd("MIB"))
            assert (mib["dot1xSuppPaeState"], mib["dot1xSuppBackendPaeState"]) == ("5", "2")
            assert mib["dot1xSuppSuppControlledPortStatus"] == "Authorized"
            assert await rig.cmd("DISCONNECT") == "OK\n"
            await rig.wait_event("^CTRL-EVENT-DISCONNECTED ")
            mib = fields(await rig.cmd("MIB"))
            # wpa_supplicant keeps the last association's RSN suites after DISCONNECT
            assert mib["dot11RSNAEnabled"] == "TRUE" and mib["dot11RSNAConfigGroupCipherSize"] == "128"
            assert mib["dot11RSNAPairwiseCipherSelected"] == "00-0f-ac-4"
            assert (mib["dot1xSuppPaeState"], mib["dot1xSuppBackendPaeState"]) == ("1", "1")
            assert fields(await rig.cmd("STATUS"))["wpa_state"] == "DISCONNECTED"

    run(main())


def test_a_driver_that_reports_no_flags_or_modes():
    """DRIVER_FLAGS2 is FAIL when the driver cannot read its flags; BSS still answers, its est_throughput from
    the legacy rates alone (the HT/VHT/HE part needs the radio's modes, which this driver cannot tell)."""
    async def main():
        async with Rig(FakeRadioDriver(FakeAp())) as rig:
            assert await rig.cmd("DRIVER_FLAGS2") == "FAIL\n"
            assert await rig.cmd("SCAN") == "OK\n"
            await rig.wait_event("^CTRL-EVENT-SCAN-RESULTS ")
            bss = fields(await rig.cmd("BSS 0"))
            assert bss["est_throughput"] == "0"  # the fake AP names no rates
            assert fields(await rig.cmd("BSS 0")) == bss  # the second request, with the modes known (none)

    run(main())

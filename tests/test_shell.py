"""The asyncio shell in-process: a whole daemon on a fake driver (tests/shellfakes.py), its control commands,
events and config file, and the defects of the shell redesign issue, each with the test that failed before."""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import re
import threading
from collections.abc import Awaitable, Callable

import pytest

from pywps.config import ConfigFileError, parse
from pywps.driver.base import DriverError, InterfaceToggled, LinkDisconnected, ScanResults
from pywps.station.bss import SCAN_RES_VALID_FOR_CONNECT
from pywps.station.connection import LOST_LINK_RESCAN, SCAN_FAILED_RETRY
from pywps.station.station import WpsSearch
from pywps.station.types import RunKind, RunRequest
from pywps.wps.eap import EapolType
from pywps.wps.enrollee import EnrolleeConfig
from shellfakes import (
    AP, CRED, PASSPHRASE, PIN, SSID, FakeAp, FakeRadioDriver, FakeWiredDriver, WscAp, beacon, is_logoff, wps_ie,
)
from shellrig import Rig, run


def others() -> list[asyncio.Task]:
    return [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]


# -- the wired link ----------------------------------------------------------------------------------------


def test_wps_pin_on_a_wire_stores_the_network_and_says_so_at_level_3(tmp_path):
    async def main():
        async with Rig(FakeWiredDriver(WscAp())) as rig:
            assert await rig.cmd(f"WPS_PIN any {PIN}") == PIN
            await rig.wait_event("^WPS-SUCCESS ")
            texts = rig.texts()
            # the run's own network, then as wpa_supplicant -Dwired: "associated" with the PAE group address
            assert texts[:5] == ["CTRL-EVENT-NETWORK-ADDED 0", "WPS-PIN-ACTIVE ", "Associated with 01:80:c2:00:00:03",
                                 "CTRL-EVENT-SUBNET-STATUS-UPDATE status=0",
                                 "CTRL-EVENT-EAP-STARTED EAP authentication started"]
            assert {level for level, _ in rig.events} == {3}  # MSG_INFO, as wpa_supplicant 2.10 sends them
            assert "network={" in rig.conf.read_text() and SSID.decode() in rig.conf.read_text()
            assert (await rig.cmd("LIST_NETWORKS")).splitlines()[1] == f"0\t{SSID.decode()}\tany\t[CURRENT]"
            await rig.wait_event("^CTRL-EVENT-DISCONNECTED bssid=01:80:c2:00:00:03 reason=3 locally_generated=1")
            status = await rig.cmd("STATUS")  # then joined to the network stored under the run's id
            assert "wps_last_result=success" in status and "wpa_state=ASSOCIATED" in status
            assert f"\nssid={SSID.decode()}\nid=0\n" in status and "key_mgmt=WPA2-PSK" in status

    run(main())


def test_wrong_pin_fails_at_m4_and_stores_nothing():
    async def main():
        async with Rig(FakeWiredDriver(WscAp(pin="87654325"))) as rig:
            await rig.cmd(f"WPS_PIN any {PIN}")
            await rig.wait_event("^WPS-FAIL msg=8 config_error=18")
            await asyncio.sleep(0.05)
            assert "network=" not in rig.conf.read_text() and "WPS-SUCCESS " not in rig.texts()

    run(main())


@pytest.mark.parametrize("eap_failure_delay", [0.0, 0.3])
def test_learning_the_aps_settings_on_a_wire_waits_for_the_eap_failure(eap_failure_delay):
    """WPS_REG with the AP PIN alone stores the AP's settings in the run's network and fails at M7 (WPS-FAIL msg=11);
    the AP's EAP-Failure then says the bare WPS-FAIL, and the station leaves and joins the stored network
    (wpas_wps_eapol_cb). wpa_supplicant's clear 0.1 s after WPS-FAIL finds no WPS network left to remove, so an
    EAP-Failure that comes later (a loaded machine: a CI run) changes nothing: the run waits for it."""

    async def main():
        driver = FakeWiredDriver(WscAp())
        driver.eap_failure_delay = eap_failure_delay
        async with Rig(driver) as rig:
            await rig.cmd(f"WPS_REG {AP.hex(':')} {PIN}")
            await rig.wait_event("^WPS-FAIL msg=11 ")
            failed = rig.texts().index("WPS-FAIL msg=11 config_error=0")
            await rig.wait_event("^CTRL-EVENT-SUBNET-STATUS-UPDATE ", after=failed)  # the stored network joined
            said = rig.texts()[failed:]
            assert said == ["WPS-FAIL msg=11 config_error=0",
                            "CTRL-EVENT-EAP-STATUS status='completion' parameter='failure'",
                            "CTRL-EVENT-EAP-FAILURE EAP authentication failed", "WPS-FAIL ",
                            "CTRL-EVENT-DISCONNECTED bssid=01:80:c2:00:00:03 reason=3 locally_generated=1",
                            "Associated with 01:80:c2:00:00:03", "CTRL-EVENT-SUBNET-STATUS-UPDATE status=0"], said
            assert "key_mgmt=WPA2-PSK" in await rig.cmd("STATUS")

    run(main())


def test_defect1_close_sends_the_eapol_logoff_before_the_driver_stops():
    async def main():
        ap = WscAp()
        driver = FakeWiredDriver(ap)
        async with Rig(driver) as rig:
            ap.mute_after_identity_request = True  # then nothing: the run stays in the middle of EAP
            await rig.cmd(f"WPS_PIN any {PIN}")
            await rig.wait_event("^CTRL-EVENT-EAP-STARTED ")
            await rig.daemon.close()
            assert driver.stopped and is_logoff(driver.sent[-1][1])
            assert others() == [], "tasks left running after close"
            assert rig.texts()[-1] == "CTRL-EVENT-TERMINATING "  # defect 10: the last word monitors hear

    run(main())  # run() also fails on "Task exception was never retrieved"


def test_defect10_a_credential_that_cannot_be_saved_is_not_a_success(monkeypatch):
    import pywps.config as configfile

    def refuse(path, text):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(configfile, "write_atomically", refuse)

    async def main():
        async with Rig(FakeWiredDriver(WscAp())) as rig:
            await rig.cmd(f"WPS_PIN any {PIN}")
            await rig.wait_event("^WPS-FAIL msg=12 config_error=0")  # msg=M8
            await asyncio.sleep(0.1)
            assert "WPS-SUCCESS " not in rig.texts()

    run(main())


def test_defect7_the_config_is_fsynced_off_the_event_loop(monkeypatch):
    threads = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (threads.append(threading.current_thread()), real_fsync(fd)))

    async def main():
        async with Rig(FakeWiredDriver(WscAp())) as rig:
            await rig.cmd(f"WPS_PIN any {PIN}")
            await rig.wait_event("^WPS-SUCCESS ")
            assert await rig.cmd("SAVE_CONFIG") == "OK\n"

    run(main())
    assert len(threads) == 4 and threading.main_thread() not in threads  # file + directory, twice


def test_defect7_pcap_frames_are_written_off_the_event_loop(monkeypatch, tmp_path):
    pytest.importorskip("scapy")
    from scapy.utils import PcapWriter, rdpcap

    threads = []
    real_write = PcapWriter.write
    monkeypatch.setattr(PcapWriter, "write", lambda self, pkt: (threads.append(threading.current_thread()),
                                                                  real_write(self, pkt)))
    pcap = tmp_path / "run.pcap"

    async def main():
        async with Rig(FakeWiredDriver(WscAp()), pcap_path=str(pcap)) as rig:
            await rig.cmd(f"WPS_PIN any {PIN}")
            await rig.wait_event("^WPS-SUCCESS ")

    run(main())
    assert threads and threading.main_thread() not in threads
    frames = [bytes(f) for f in rdpcap(str(pcap))]
    sources = {f[6:12] for f in frames}
    assert len(frames) >= 10 and len(sources) == 2  # EAPOL-Start .. EAP-Failure, both directions, one file


def test_defect8_pidfile_is_written_atomically_and_stale_temp_files_go(monkeypatch):
    import pywps.daemon as daemon_module

    written = []
    real = daemon_module.configfile.write_atomically
    monkeypatch.setattr(daemon_module.configfile, "write_atomically", lambda p, t: (written.append(p), real(p, t)))

    async def main():
        driver = FakeWiredDriver()
        rig = Rig(driver, pidfile=True)
        stale = rig.dir / ".pywps.conf.pywps-abc123"
        foreign = rig.dir / ".other.conf.pywps-abc123"  # another daemon's file: not ours to remove
        stale.write_text("half a file")
        foreign.write_text("half a file")
        rig.daemon = type(rig.daemon)(rig.options, driver=driver)  # start-up is where the cleaning happens
        async with rig:
            assert not stale.exists() and foreign.exists()
            assert rig.options.pidfile in written
            assert (rig.dir / "pywps.pid").read_text() == f"{os.getpid()}\n"

    run(main())


def test_defect9_secrets_stay_out_of_logs_and_reprs(caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ConfigFileError) as error:
        parse('network={\n\tssid="x"\n\tpsk "my secret passphrase"\n}\n')
    assert "my secret" not in str(error.value)
    with pytest.raises(ConfigFileError) as error:
        parse('network={\n\tssid="x"\n\tpsk=zz"my secret passphrase"\n}\n')
    assert "my secret" not in str(error.value)
    assert PASSPHRASE.decode() not in repr(CRED)
    assert PIN not in repr(RunRequest(RunKind.PIN, None, PIN))
    from shellfakes import AP_DEVICE
    assert PIN not in repr(EnrolleeConfig(AP_DEVICE, PIN.encode()))

    async def main():
        async with Rig(FakeWiredDriver(WscAp()), "update_config=1\nwps_cred_processing=2\n") as rig:
            await rig.cmd(f"WPS_PIN any {PIN}")
            await rig.wait_event("^WPS-SUCCESS ")
            assert any(t.startswith("WPS-CRED-RECEIVED 100e") for t in rig.texts())  # monitors get it

    run(main())
    logged = caplog.text
    assert "WPS-CRED-RECEIVED <credential hidden" in logged
    assert PASSPHRASE.decode() not in logged and PASSPHRASE.hex() not in logged and f" {PIN}" not in logged


# -- the radio ---------------------------------------------------------------------------------------------


STORED = f'update_config=1\nnetwork={{\n\tssid="{SSID.decode()}"\n\tpsk="{PASSPHRASE.decode()}"\n}}\n'


def test_stored_network_is_joined_at_start():
    async def main():
        driver = FakeRadioDriver(FakeAp())
        async with Rig(driver, STORED) as rig:
            m = await rig.wait_event("^CTRL-EVENT-CONNECTED ")
            assert m.string == f"CTRL-EVENT-CONNECTED - Connection to {AP.hex(':')} completed [id=0 id_str=]"
            assert driver.keys == ["ptk", "gtk1", "port"]
            assert "wpa_state=COMPLETED" in await rig.cmd("STATUS")

    run(main())


def test_a_group_rekey_is_said_once_its_key_is_in_and_a_refused_key_ends_the_link_unsaid():
    """wpa_supplicant_process_1_of_2: the GTK installed, message 2 sent, then "WPA: Group rekeying completed"
    (pywps said it before the key reached the kernel: a test that deauthenticated at the word met the old IGTK);
    a GTK the kernel refuses: no such word, no message 2, the link left with reason 1 (was 3)."""
    keys_when_said: list[list[str]] = []

    class Refusing(FakeRadioDriver):
        refuse = False

        async def install_group_key(self, index, key, cipher, rsc):
            if self.refuse:
                raise DriverError("install of the GTK refused: No link")
            await super().install_group_key(index, key, cipher, rsc)

    async def main():
        ap = FakeAp()
        driver = Refusing(ap)
        async with Rig(driver, STORED) as rig:
            await rig.wait_event("^CTRL-EVENT-CONNECTED ")
            publish = rig.daemon.ctrl.publish

            def watching(level: int, text: str) -> None:
                if text.startswith("WPA: Group rekeying completed"):
                    keys_when_said.append(list(driver.keys))
                publish(level, text)

            rig.daemon.ctrl.publish = watching
            driver._deliver(AP, ap.wpa.group1(bytes([0x62]) * 16, 2))
            await rig.wait_event("^WPA: Group rekeying completed ")
            assert keys_when_said == [["ptk", "gtk1", "port", "gtk2"]]
            sent = len(driver.sent)
            driver.refuse = True
            after = len(rig.texts())
            driver._deliver(AP, ap.wpa.group1(bytes([0x63]) * 16, 1))
            m = await rig.wait_event("^CTRL-EVENT-DISCONNECTED ", after=after)
            assert m.string == f"CTRL-EVENT-DISCONNECTED bssid={AP.hex(':')} reason=1 locally_generated=1"
            assert not any(t.startswith("WPA: Group rekeying") for t in rig.texts()[after:])
            assert len(driver.sent) == sent  # no message 2 of 2 for a key that is not in

    run(main())


def when_connector_made(monkeypatch, then: Callable[[], None]) -> None:
    """Call `then` once the shell has made its connector (Services.start makes it after asking for the first scan)."""
    from pywps.station import connector

    make = connector.Connector.__init__

    def made(self, *args, **kwargs):
        make(self, *args, **kwargs)
        then()

    monkeypatch.setattr(connector.Connector, "__init__", made)


def test_first_scan_is_asked_for_before_the_connector_loads(monkeypatch):
    """A stored network the kernel's cache has not seen: the station's first scan goes out before the connector
    (the WPA machinery, most of a radio's start) is made, and the connector joins from that scan, not another."""
    order: list[str] = []

    class Recording(FakeRadioDriver):
        async def scan(self, params):
            order.append("scan")
            return await super().scan(params)

    when_connector_made(monkeypatch, lambda: order.append("connector made"))

    async def main():
        driver = Recording(FakeAp())
        async with Rig(driver, STORED) as rig:
            await rig.wait_event("^CTRL-EVENT-CONNECTED ")
            assert order == ["scan", "connector made"]
            assert [e for e in driver.log if not e.startswith("associate")] == ["scan"]

    run(main())


def test_a_first_scan_refused_while_the_connector_waits_for_it_is_tried_again_a_second_later(monkeypatch):
    """The first scan, asked for before the connector loads, is refused while the connector waits for it: that is
    the connector's scan failing (CTRL-EVENT-SCAN-FAILED ret=-22 retry=1, tried again SCAN_FAILED_RETRY later, as
    wpa_supplicant's wpas_trigger_scan_cb), not a scan that found nothing (the next one 5 s later: the CI run on
    fafbc48 caught that race in the VM)."""
    from pywps.driver.base import ScanRefused

    made = asyncio.Event()

    class RefusesFirst(FakeRadioDriver):
        async def scan(self, params):
            if not self.scans:
                self.scans.append(params)
                await made.wait()
                await asyncio.sleep(0.05)  # the connector's first action is waiting for this scan by now
                raise ScanRefused("the kernel refused the scan: (22, 'Invalid argument')", errno.EINVAL)
            return await super().scan(params)

    when_connector_made(monkeypatch, made.set)

    async def main():
        driver = RefusesFirst(FakeAp())
        async with Rig(driver, STORED) as rig:
            await rig.wait_event("^CTRL-EVENT-SCAN-FAILED ")
            failed = [t for t in rig.texts() if t.startswith("CTRL-EVENT-SCAN-FAILED")]
            await rig.wait_event("^CTRL-EVENT-CONNECTED ", timeout=SCAN_FAILED_RETRY + 2)
            assert failed == ["CTRL-EVENT-SCAN-FAILED ret=-22 retry=1"]
            assert len(driver.scans) == 2 and "CTRL-EVENT-NETWORK-NOT-FOUND " not in rig.texts()

    run(main())


@pytest.mark.parametrize("kernel_takes_it", [False, True])
def test_a_scan_command_waits_for_the_kernels_answer_to_a_trigger_under_way(kernel_takes_it):
    """SCAN while the kernel has not yet answered the trigger of a scan of ours: once refused, that is no scan,
    so SCAN starts one (OK), as wpa_supplicant, whose trigger is synchronous, never shows a scan the kernel is
    about to refuse; once taken, FAIL-BUSY. The VM test of a refused scan (test_hwsim_events_diff) met the first
    case now and then: a SCAN in the moment the retry's trigger awaited its refusal was FAIL-BUSY."""
    from pywps.driver.base import ScanRefused, ScanStarted

    pending, answer = asyncio.Event(), asyncio.Event()

    class SlowTrigger(FakeRadioDriver):
        async def scan(self, params):
            if len(self.scans) == 1:  # the second: held until the test has sent SCAN
                self.scans.append(params)
                pending.set()
                await answer.wait()
                if not kernel_takes_it:
                    raise ScanRefused("the kernel refused the scan: (22, 'Invalid argument')", errno.EINVAL)
                self._emit(ScanStarted())
                await asyncio.sleep(0.05)
                return ScanResults([])
            return await super().scan(params)

    async def main():
        driver = SlowTrigger(FakeAp())
        async with Rig(driver) as rig:
            assert await rig.cmd("SCAN") == "OK\n"
            await rig.wait_event("^CTRL-EVENT-SCAN-RESULTS ")
            assert await rig.cmd("SCAN") == "OK\n"
            await pending.wait()
            command = asyncio.ensure_future(rig.cmd("SCAN"))
            await asyncio.sleep(0.05)
            assert not command.done()  # it waits for the kernel
            answer.set()
            if kernel_takes_it:
                assert await command == "FAIL-BUSY\n"
                assert len(driver.scans) == 2
            else:
                assert await command == "OK\n"
                await rig.wait_event("^CTRL-EVENT-SCAN-RESULTS ", after=len(rig.events) - 1)
                assert len(driver.scans) == 3
                assert "CTRL-EVENT-SCAN-FAILED ret=-22" in rig.texts()

    run(main())


def test_a_disabled_interface_scans_and_joins_nothing_until_it_is_enabled_again():
    """wpa_supplicant's INTERFACE_DISABLED (the interface taken down, an rfkill block): STATUS says so and shows
    no link, SCAN, RECONNECT, REASSOCIATE and REATTACH are FAIL, and nothing is scanned or joined (the connector's
    rejoin waits), and the BSS table is forgotten once too old to connect from; once enabled, a scan and the
    network joined again (tests/vm/guest/test_hwsim_connect.py
    compares both programs on a radio taken down and blocked)."""
    async def main():
        driver = FakeRadioDriver(FakeAp())
        async with Rig(driver, STORED) as rig:
            await rig.wait_event("^CTRL-EVENT-CONNECTED ")
            driver.enabled, driver.bssid = False, None
            driver._emit(LinkDisconnected(AP, 3, locally_generated=True))  # the kernel's, as the link goes down
            driver._emit(InterfaceToggled(False))
            scans = len(driver.scans)
            status = dict(line.split("=", 1) for line in (await rig.cmd("STATUS")).splitlines())
            assert status["wpa_state"] == "INTERFACE_DISABLED" and "bssid" not in status and "ssid" not in status
            for request in ("SCAN", "RECONNECT", "REASSOCIATE", "REATTACH"):
                assert await rig.cmd(request) == "FAIL\n", request
            after = len(rig.events)
            await asyncio.sleep(LOST_LINK_RESCAN + 1.0)  # the connector has asked to rejoin by now
            assert len(driver.scans) == scans and driver.bssid is None and rig.texts()[after:] == []
            # the table is forgotten once its last results are too old to connect from (wpa_supplicant's
            # wpas_clear_disabled_interface), and the next scan drops the kernel's cache too
            await rig.wait_event("^CTRL-EVENT-BSS-REMOVED 0 ", timeout=SCAN_RES_VALID_FOR_CONNECT)
            assert await rig.cmd("SCAN_RESULTS") == "bssid / frequency / signal level / flags / ssid\n"
            driver.enabled = True
            driver._emit(InterfaceToggled(True))
            await rig.wait_event("^CTRL-EVENT-CONNECTED ", after=after)
            assert "wpa_state=COMPLETED" in await rig.cmd("STATUS")
            assert len(driver.scans) == scans + 1 and driver.scans[-1].flush  # a scan first: nothing to join from

    run(main())


def test_the_country_is_asked_of_the_kernel_at_start_before_the_first_scan_and_when_set():
    """As wpa_supplicant: `country=` at start (before the first scan; refused, the start fails), SET country with
    a new value and a reload ask again, SET with the same value does not (tests/vm/guest/test_hwsim_connect.py
    reads the kernel's domain)."""
    async def main():
        driver = FakeRadioDriver(FakeAp())
        async with Rig(driver, "country=DE\n" + STORED) as rig:
            await rig.wait_event("^CTRL-EVENT-CONNECTED ")
            assert driver.log[:2] == ["country DE", "scan"]
            assert await rig.cmd("SET country DE") == "OK\n" and await rig.cmd("SET country USA") == "OK\n"
            assert await rig.cmd("GET country") == "US"
            rig.conf.write_text("country=FR\n" + STORED)
            await rig.services.reload()
            await asyncio.sleep(0.05)
            assert [e for e in driver.log if e.startswith("country")] == ["country DE", "country US", "country FR"]
        with pytest.raises(DriverError, match="country 1X"):
            async with Rig(FakeRadioDriver(FakeAp()), "country=1X\n"):
                pass

    run(main())


def test_the_bss_tables_ageing_follows_the_bss_expiration_globals():
    """bss_expiration_age / _scan_count from the file, SET, BSS_EXPIRE_AGE / BSS_EXPIRE_COUNT (which set the same
    globals, as in wpa_supplicant: tests/test_diff_survey.py) and a reload."""
    async def main():
        async with Rig(FakeRadioDriver(FakeAp()), "bss_expiration_age=60\n") as rig:
            table = rig.services.station.table
            assert (table.expiration_age, table.expiration_scans) == (60.0, 2)
            assert await rig.cmd("SET bss_expiration_scan_count 4") == "OK\n" and table.expiration_scans == 4
            assert await rig.cmd("BSS_EXPIRE_AGE 30") == "OK\n" and table.expiration_age == 30.0
            assert await rig.cmd("GET bss_expiration_age") == "30"
            rig.conf.write_text("bss_expiration_age=90\n")
            await rig.services.reload()
            assert (table.expiration_age, table.expiration_scans) == (90.0, 2)

    run(main())


def test_the_bss_tables_changes_and_the_end_are_told_as_wpa_supplicant_tells_them():
    """CTRL-EVENT-BSS-ADDED <id> <bssid> for each BSS a scan adds, before CTRL-EVENT-SCAN-RESULTS; -REMOVED for
    each BSS_FLUSH drops (never the one we are on); ids are not reused. At the end, after the disconnect and the
    networks, every BSS left goes (tests/vm/guest/test_hwsim_events_diff.py compares with wpa_supplicant)."""
    other = bytes.fromhex("020000000700")

    async def main():
        async with Rig(FakeRadioDriver(FakeAp(), FakeAp(bssid=other, freq=2437)), STORED) as rig:
            await rig.wait_event("^CTRL-EVENT-CONNECTED ")
            texts = rig.texts()
            added = [f"CTRL-EVENT-BSS-ADDED 0 {AP.hex(':')}", f"CTRL-EVENT-BSS-ADDED 1 {other.hex(':')}"]
            assert [t for t in texts if t.startswith("CTRL-EVENT-BSS-")] == added
            assert texts.index(added[1]) < texts.index("CTRL-EVENT-SCAN-RESULTS ")
            before = len(rig.events)
            assert await rig.cmd("BSS_FLUSH 0") == "OK\n"
            assert rig.texts()[before:] == [f"CTRL-EVENT-BSS-REMOVED 1 {other.hex(':')}"]
            before = len(rig.events)
            assert await rig.cmd("SCAN") == "OK\n"
            await rig.wait_event("^CTRL-EVENT-SCAN-RESULTS", after=before)
            assert [t for t in rig.texts()[before:] if t.startswith("CTRL-EVENT-BSS-")] == [
                f"CTRL-EVENT-BSS-ADDED 2 {other.hex(':')}"]
            before = len(rig.events)
            await rig.daemon.close()
            assert rig.texts()[before:] == [
                f"CTRL-EVENT-DISCONNECTED bssid={AP.hex(':')} reason=3 locally_generated=1",
                "CTRL-EVENT-NETWORK-REMOVED 0", f"CTRL-EVENT-BSS-REMOVED 0 {AP.hex(':')}",
                f"CTRL-EVENT-BSS-REMOVED 2 {other.hex(':')}", "CTRL-EVENT-TERMINATING "]

    run(main())


def test_scan_freq_scans_the_radios_channels_in_those_ranges():
    """SCAN freq=<MHz or MIN-MAX, ...> as wpa_supplicant reads it (freq_range_list_parse, then the radio's
    enabled channels in the ranges): only those channels are scanned; none of them is FAIL, and no scan; the
    text may go on after the list. A BSS on a channel the scan did not cover has missed no scan."""
    from pywps.driver.radio import Channel, HwMode

    class Channels(FakeRadioDriver):
        async def hw_modes(self):
            return [HwMode("G", [Channel(2407 + 5 * n, n) for n in range(1, 14)] + [Channel(2484, 14, disabled=True)])]

    async def main():
        driver = Channels(FakeAp())
        async with Rig(driver) as rig:
            for request, scanned in (("SCAN freq=2437", "scan 2437"), ("SCAN freq=2437", "scan 2437"),
                                     ("SCAN freq=2412-2422,2472 passive=1",
                                                                      "scan 2412 2417 2422 2472"),
                                     ("SCAN freq=2480-2490", None), ("SCAN freq=", None), ("SCAN freq=x", None)):
                before = len(rig.events)
                reply = await rig.cmd(request)
                if scanned is None:
                    assert reply == "FAIL\n", request
                    continue
                assert reply == "OK\n", request
                await rig.wait_event("^CTRL-EVENT-SCAN-RESULTS", after=before)
                assert driver.log[-1] == scanned
            assert "scan" not in driver.log and len(rig.services.station.table) == 1  # two misses would drop it

    run(main())


def test_scan_arguments_as_wpa_supplicant_reads_them():
    """SCAN's other arguments (wpas_ctrl_scan): use_id=1 answers the scan's id, which its two events carry;
    passive=1 probes for nothing; `ssid <hex>` probes for those SSIDs; scan_id= for the hidden ones
    (scan_ssid=1) of those networks, with the wildcard; bssid= probes that BSS; only_new=1, and the first scan
    after BSS_FLUSH 0, have the kernel drop its cache. What wpa_supplicant refuses is FAIL and no scan. The same
    requests beside wpa_supplicant: tests/test_diff_survey.py (the replies) and
    tests/vm/guest/test_hwsim_events_diff.py (on a radio)."""
    hidden = 'network={\n\tssid="hidden"\n\tscan_ssid=1\n\tdisabled=1\n}\n'
    async def main():
        driver = FakeRadioDriver(FakeAp())
        async with Rig(driver, "update_config=1\n" + hidden + 'network={\n\tssid="shown"\n\tdisabled=1\n}\n') as rig:
            async def scan(request: str, reply: str = "OK\n"):
                texts = await rig.scan(request, reply)
                return driver.scans[-1], texts

            params, texts = await scan("SCAN use_id=1", "1\n")
            assert texts[0] == "CTRL-EVENT-SCAN-STARTED id=1" and texts[-3:] == [
                "CTRL-EVENT-SCAN-RESULTS id=1", "WPS-AP-AVAILABLE-PIN ", "CTRL-EVENT-NETWORK-NOT-FOUND "]
            assert (params.ssids, params.bssid, params.flush) == ((b"",), None, False)
            params, texts = await scan("SCAN passive=1 use_id=7", "2\n")
            assert params.ssids == () and texts[-3] == "CTRL-EVENT-SCAN-RESULTS id=2"
            params, texts = await scan("SCAN ssid 68696464656e ssid 6e6574")
            assert params.ssids == (b"hidden", b"net") and texts[0] == "CTRL-EVENT-SCAN-STARTED "
            assert (await scan("SCAN scan_id=1,0,5"))[0].ssids == (b"hidden", b"")  # 1 is not hidden, 5 is none
            assert (await scan("SCAN scan_id=1"))[0].ssids == (b"",)  # no hidden one: a plain scan
            assert (await scan("SCAN bssid=02:00:00:00:01:00 x"))[0].bssid == bytes.fromhex("020000000100")
            assert [(await scan(request))[0].flush for request in ("SCAN only_new=1", "SCAN")] == [True, False]
            assert await rig.cmd("BSS_FLUSH 10") == "OK\n"
            assert (await scan("SCAN"))[0].flush is False
            assert await rig.cmd("BSS_FLUSH 0") == "OK\n"
            assert [(await scan("SCAN"))[0].flush for _ in range(2)] == [True, False]
            params, texts = await scan("SCAN TYPE=ONLY use_id=1", "3\n")  # results, but no selection after them
            assert texts[-2:] == ["CTRL-EVENT-SCAN-RESULTS id=3", "WPS-AP-AVAILABLE-PIN "]
            params, texts = await scan("SCAN type=only")  # in any case, but only first (strncasecmp)
            assert texts[-1] == "WPS-AP-AVAILABLE-PIN "
            params, texts = await scan("SCAN use_id=0 TYPE=ONLY")
            assert texts[-1] == "CTRL-EVENT-NETWORK-NOT-FOUND "
            scans = len(driver.scans)
            for refused in ("SCAN ssid 6", "SCAN ssid zz", "SCAN ssid " + "61" * 33, "SCAN bssid=02:00:00:00:01",
                            "SCAN scan_id=" + ",".join(["0"] * 17)):
                assert await rig.cmd(refused) == "FAIL\n", refused
            assert len(driver.scans) == scans

    run(main())


def test_another_programs_scan_fills_the_table_as_wpa_supplicants_own():
    """`iw scan` on our interface: its results go into the table with their BSS events, CTRL-EVENT-SCAN-RESULTS
    and WPS-AP-AVAILABLE*, misses counted on the channels and SSIDs it covered; an aborted scan counts none,
    ours neither (wpa_bss_update_end)."""
    from pywps.driver.base import OthersScanEnded, ScanResults

    other = bytes.fromhex("020000000700")

    class Kernel(FakeRadioDriver):
        cache: list = []
        aborted = False

        async def scan_results(self):
            return self.cache

        async def scan(self, params):
            return ScanResults((await super().scan(params)).entries, aborted=self.aborted)

    async def main():
        driver = Kernel(FakeAp(), FakeAp(bssid=other, freq=2437))
        async with Rig(driver) as rig:
            async def others_scan(freqs, ssids=(b"",), aborted=False):
                before = len(rig.events)
                driver._emit(OthersScanEnded(freqs, ssids, aborted))
                await rig.wait_event("^CTRL-EVENT-SCAN-RESULTS $", after=before)
                return rig.texts()[before:]

            driver.cache = [beacon(AP, wps=wps_ie()), beacon(other, freq=2437)]
            assert await others_scan((2412, 2437)) == [f"CTRL-EVENT-BSS-ADDED 0 {AP.hex(':')}",
                                                       f"CTRL-EVENT-BSS-ADDED 1 {other.hex(':')}",
                                                       "CTRL-EVENT-SCAN-RESULTS ", "WPS-AP-AVAILABLE-PIN "]
            driver.cache = [beacon(AP)]
            for freqs, ssids, aborted in (((2412,), (b"",), False), ((2437,), (b"elsewhere",), False),
                                          ((2437,), (), True)):
                await others_scan(freqs, ssids, aborted)  # none of them covered the other BSS
            assert await others_scan((2412, 2437), ()) == ["CTRL-EVENT-SCAN-RESULTS "]
            assert await others_scan((2437,), (SSID,)) == [
                f"CTRL-EVENT-BSS-REMOVED 1 {other.hex(':')}", "CTRL-EVENT-SCAN-RESULTS "]  # its second miss
            driver.aps.clear()
            driver.aborted = True
            for _ in range(3):
                await rig.cmd("SCAN")
                await rig.services.station.finish_scan_under_way()
            assert [bss.bssid for bss in rig.services.station.table] == [AP]

    run(main())


def test_during_a_wps_run_every_scan_is_in_the_wps_search_order(monkeypatch):
    """wpa_supplicant orders every scan's results for the WPS search while a run is on (wpas_wps_searching in
    wpa_supplicant_get_scan_results), another program's and a SCAN command's too; the order numbers new BSSes.
    An AP whose registrar is active comes before a plain one the kernel lists first; outside a run, the tie
    keeps the kernel's order."""
    from pywps.driver.base import OthersScanEnded

    monkeypatch.setattr("pywps.station.station.SCAN_INTERVAL", 30.0)  # the run's own scans stay out of the way
    plain, late = bytes.fromhex("020000000700"), bytes.fromhex("020000000800")

    class Kernel(FakeRadioDriver):
        cache: list = []

        async def scan_results(self):
            return self.cache

    async def main():
        driver = Kernel()
        async with Rig(driver) as rig:
            async def others_scan() -> list[str]:
                before = len(rig.events)
                driver._emit(OthersScanEnded((2412,), (b"",), False))
                await rig.wait_event("^CTRL-EVENT-SCAN-RESULTS $", after=before)
                return [t for t in rig.texts()[before:] if t.startswith("CTRL-EVENT-BSS-ADDED")]

            assert await rig.cmd(f"WPS_PIN {bytes(range(6)).hex(':')} {PIN}") == PIN  # an AP not there
            await rig.wait_event("^CTRL-EVENT-SCAN-RESULTS $")  # the run's first scan: nothing on the air
            driver.cache = [beacon(plain), beacon(AP, wps=wps_ie())]
            assert await others_scan() == [f"CTRL-EVENT-BSS-ADDED 0 {AP.hex(':')}",
                                           f"CTRL-EVENT-BSS-ADDED 1 {plain.hex(':')}"]
            driver.aps = {late: FakeAp(bssid=late), OTHER_AP: FakeAp(bssid=OTHER_AP)}
            driver.wps_ies = {OTHER_AP: wps_ie()}
            assert [t for t in await rig.scan() if t.startswith("CTRL-EVENT-BSS-ADDED")] == [
                f"CTRL-EVENT-BSS-ADDED 2 {OTHER_AP.hex(':')}", f"CTRL-EVENT-BSS-ADDED 3 {late.hex(':')}"]
            assert await rig.cmd("WPS_CANCEL") == "OK\n"
            assert await rig.cmd("BSS_FLUSH 0") == "OK\n"
            assert await others_scan() == [f"CTRL-EVENT-BSS-ADDED 4 {plain.hex(':')}",
                                           f"CTRL-EVENT-BSS-ADDED 5 {AP.hex(':')}"]

    run(main())


def test_a_hidden_network_is_probed_for_and_joined():
    """A stored network with scan_ssid=1: the station's scans probe for its SSID, then the wildcard
    (wpa_supplicant_scan); the AP's answer is an entry of its own beside its SSID-less beacon, and that one is
    joined. A disabled one is not probed for; a WPS run's scans probe for the wildcard only. (Joined over the
    air with Debian hostapd: tests/vm/guest/test_hwsim_connect.py.)"""

    class HiddenAp(FakeRadioDriver):
        async def scan(self, params):
            results = await super().scan(params)
            return ScanResults([beacon(AP, ssid=b"")] + (results.entries if SSID in params.ssids else []))

    hidden = STORED.replace("\n}", "\n\tscan_ssid=1\n}")
    async def main():
        driver = HiddenAp(FakeAp())
        async with Rig(driver, hidden + 'network={\n\tssid="off"\n\tscan_ssid=1\n\tdisabled=1\n}\n') as rig:
            await rig.wait_event(f"^CTRL-EVENT-CONNECTED - Connection to {AP.hex(':')} completed")
            assert driver.scans[0].ssids == (SSID, b"")
            assert sorted(b.ssid for b in rig.services.station.table) == [b"", SSID]
            scans = len(driver.scans)
            assert await rig.cmd("WPS_PIN any 12345670") == "12345670"
            await rig.wait_event("^CTRL-EVENT-SCAN-RESULTS", after=len(rig.events))
            assert await rig.cmd("WPS_CANCEL") == "OK\n"
            assert driver.scans[scans].ssids == (b"",)

    run(main())


def test_a_fresh_cached_sighting_is_joined_without_a_scan():
    """The kernel saw the stored network's AP a moment ago (its cache, read at start): no scan at all."""

    class Cached(FakeRadioDriver):
        async def scan_results(self):
            return [beacon(b, wps=self.wps_ies.get(b, b"")) for b in self.aps]

    async def main():
        driver = Cached(FakeAp())
        async with Rig(driver, STORED) as rig:
            await rig.wait_event("^CTRL-EVENT-CONNECTED ")
            assert driver.log == [f"associate {AP.hex(':')} crypto"]

    run(main())


def test_the_connector_joins_the_first_scan_when_the_cache_holds_only_old_sightings():
    """The kernel's cache holds the AP, but seen a minute ago: the first scan goes out at start, and the connector
    (whose table is not empty, so it asks for a scan rather than the cache) takes that scan's results instead of
    failing on a busy radio and waiting for its next scan."""
    from dataclasses import replace

    class Stale(FakeRadioDriver):
        async def scan_results(self):
            return [replace(beacon(b, wps=self.wps_ies.get(b, b"")), age_ms=60_000) for b in self.aps]

    async def main():
        driver = Stale(FakeAp())
        async with Rig(driver, STORED) as rig:
            await rig.wait_event("^CTRL-EVENT-CONNECTED ", timeout=3.0)
            assert [e for e in driver.log if not e.startswith("associate")] == ["scan"]

    run(main())


def test_a_link_event_while_the_radio_starts_leaves_the_wps_service_its_connector():
    """A link event while Services.start() awaits (here: while it reads the kernel's cached results) is not
    routed to services that are not whole yet: the WPS service, made later, holds the connector."""
    from pywps.driver.base import LinkDisconnected

    class EarlyEvent(FakeRadioDriver):
        async def scan_results(self):
            self._emit(LinkDisconnected(bssid=AP, reason=3, locally_generated=True))
            return []

    async def main():
        async with Rig(EarlyEvent(FakeAp()), STORED) as rig:
            await rig.wait_event("^CTRL-EVENT-CONNECTED ")
            assert rig.services.wps.connector is rig.services.connector is not None

    run(main())


def test_a_device_name_with_a_byte_not_utf8_reaches_scans_runs_and_the_file():
    """The control server hands a request's bytes that are not UTF-8 on as surrogates (wpa_supplicant keeps a
    request's raw bytes): the probe requests of a scan, a WPS run's M1, SAVE_CONFIG and the next load take them."""
    from pywps import config

    async def main():
        async with Rig(FakeRadioDriver(FakeAp())) as rig:
            assert await rig.cmd("SET device_name dev\udcffname") == "OK\n"
            assert await rig.cmd("SCAN") == "OK\n"
            await rig.wait_event("^CTRL-EVENT-SCAN-RESULTS ")
            await rig.cmd(f"WPS_PIN any {PIN}")
            await rig.wait_event("^WPS-SUCCESS ")
            assert await rig.cmd("SAVE_CONFIG") == "OK\n"
            assert b"device_name=dev\xffname\n" in rig.conf.read_bytes()
            assert config.load(str(rig.conf)).device.device_name == b"dev\xffname"

    run(main())


def test_disconnect_quiets_wps_ap_available_until_reconnect_or_a_wps_run():
    """wpa_supplicant after DISCONNECT: its scans say no WPS-AP-AVAILABLE* (wpas_wps_notify_scan_results) until
    RECONNECT; a WPS run lifts DISCONNECT (wpas_wps_reassoc), so the credential it brings is joined
    (tests/vm/guest/test_hwsim_events_diff.py compares the scan with wpa_supplicant's)."""
    async def main():
        async with Rig(FakeRadioDriver(FakeAp())) as rig:
            async def scan() -> list[str]:
                return [t for t in await rig.scan() if t.startswith("WPS-AP-AVAILABLE")]

            assert await rig.cmd("DISCONNECT") == "OK\n"
            assert await scan() == []
            assert await rig.cmd("RECONNECT") == "OK\n"
            assert await scan() == ["WPS-AP-AVAILABLE-PIN "]
            assert await rig.cmd("DISCONNECT") == "OK\n"
            await rig.cmd(f"WPS_PIN any {PIN}")
            await rig.wait_event("^CTRL-EVENT-CONNECTED ")

    run(main())


def test_a_scan_of_ours_without_a_network_to_join_says_network_not_found():
    """wpa_supplicant's selection after each scan of its own: none of the enabled networks heard is
    CTRL-EVENT-NETWORK-NOT-FOUND (after the results and WPS-AP-AVAILABLE*), with no network at all too; none
    after DISCONNECT, after another program's scan, or for the scans of a WPS run; the network heard: none
    (tests/vm/guest/test_hwsim_events_diff.py compares the first two with wpa_supplicant)."""
    from pywps.driver.base import OthersScanEnded

    async def main():
        async with Rig(FakeRadioDriver(FakeAp())) as rig:
            assert (await rig.scan())[-3:] == ["CTRL-EVENT-SCAN-RESULTS ", "WPS-AP-AVAILABLE-PIN ",
                                           "CTRL-EVENT-NETWORK-NOT-FOUND "]
            before = len(rig.events)
            rig.driver._emit(OthersScanEnded((2412,), (b"",), aborted=False))
            await rig.wait_event("^CTRL-EVENT-SCAN-RESULTS", after=before)
            await asyncio.sleep(0.05)
            assert "CTRL-EVENT-NETWORK-NOT-FOUND " not in rig.texts()[before:]
            assert await rig.cmd("DISCONNECT") == "OK\n"
            assert "CTRL-EVENT-NETWORK-NOT-FOUND " not in await rig.scan()
            assert await rig.cmd("RECONNECT") == "OK\n"
            assert "CTRL-EVENT-NETWORK-NOT-FOUND " in await rig.scan()
            network = (await rig.cmd("ADD_NETWORK")).strip()
            for field, value in (("ssid", f'"{SSID.decode()}"'), ("psk", f'"{PASSPHRASE.decode()}"')):
                assert await rig.cmd(f"SET_NETWORK {network} {field} {value}") == "OK\n"
            assert await rig.cmd(f"ENABLE_NETWORK {network}") == "OK\n"
            await rig.wait_event("^CTRL-EVENT-CONNECTED ")
            assert "CTRL-EVENT-NETWORK-NOT-FOUND " not in await rig.scan()
            before = len(rig.events)
            await rig.cmd(f"WPS_PIN any {PIN}")
            await rig.wait_event("^WPS-SUCCESS ", after=before)
            assert "CTRL-EVENT-NETWORK-NOT-FOUND " not in rig.texts()[before:]

    run(main())


def test_wrong_key_disables_the_ssid_for_a_while():
    async def main():
        ap = FakeAp()
        ap.wrong_key = True
        async with Rig(FakeRadioDriver(ap), STORED) as rig:
            await rig.wait_event(r'^CTRL-EVENT-SSID-TEMP-DISABLED id=0 ssid="pywps-test" auth_failures=1 '
                                 r"duration=10 reason=WRONG_KEY")
            texts = rig.texts()
            said = [t for t in texts if t.startswith(("CTRL-EVENT-DISCONNECTED", "WPA: 4-Way", "CTRL-EVENT-SSID-TEMP"))]
            # wpas_event_disconnect's order (Debian wpa_supplicant's in the VM: test_hwsim_bad_m3.py)
            assert [t.split(" ")[0] for t in said[:3]] == ["CTRL-EVENT-DISCONNECTED", "WPA:",
                                                          "CTRL-EVENT-SSID-TEMP-DISABLED"], said
            assert said[1] == "WPA: 4-Way Handshake failed - pre-shared key may be incorrect"

    run(main())


def test_wps_over_the_radio_then_connected():
    async def main():
        ap = FakeAp()
        driver = FakeRadioDriver(ap)
        async with Rig(driver) as rig:
            await rig.cmd(f"WPS_PIN any {PIN}")
            await rig.wait_event("^WPS-SUCCESS ")
            await rig.wait_event("^CTRL-EVENT-CONNECTED ")
            assert driver.log[-1] == f"associate {AP.hex(':')} crypto"
            # the AP began EAP on the association, as hostapd does: no EAPOL-Start from us (wpa_supplicant's way)
            assert [pdu[1] for pdu in ap.wsc.received if pdu[1] != 0] == []

    run(main())


# -- which channels a WPS run scans first (pywps.station.station.first_scan_freqs) ------------------------------

OTHER_AP = bytes.fromhex("02000000bb02")


def what_a_run_did(driver: FakeRadioDriver, command: str, scan_first: bool = True,
                   between: Callable[[], None] = lambda: None) -> list[str]:
    """The driver's log of a WPS run (`command`) up to WPS-SUCCESS: after a SCAN of every channel, so the table
    knows the APs (unless `scan_first` is False); `between` changes the air after that scan."""
    done: list[str] = []

    async def main():
        async with Rig(driver) as rig:
            if scan_first:
                assert await rig.cmd("SCAN") == "OK\n"
                await rig.wait_event("^CTRL-EVENT-SCAN-RESULTS ")
                driver.log.clear()
            between()
            await rig.cmd(command)
            await rig.wait_event("^WPS-SUCCESS ")
            done.extend(driver.log)

    run(main())
    return done


class ModesLogged(FakeRadioDriver):
    """Logs each read of the radio's modes (a wiphy dump on nl80211)."""

    async def hw_modes(self):
        self.log.append("hw_modes")
        return []


def test_a_first_run_with_no_cached_results_scans_without_reading_the_radios_modes_first():
    """The kernel's cache is empty: its 0 results need no order, so the run's scan is not held back by a read
    of the radio's modes (in the hwsim VM ~0.15 s between WPS_PIN and the scan); its 1 result neither."""
    log = what_a_run_did(ModesLogged(FakeAp(freq=2437)), f"WPS_PIN any {PIN}", scan_first=False)
    assert log[:2] == ["scan", f"associate {AP.hex(':')}"]


def test_the_radios_modes_are_read_after_the_warm_up_not_by_the_first_scan():
    """The daemon reads the radio's modes once its warm-up's imports are done (idle), so a first scan with two
    results orders them without waiting for that read; they are read once."""
    driver = ModesLogged(FakeAp(freq=2437), FakeAp(bssid=OTHER_AP, freq=2412))

    async def main():
        async with Rig(driver) as rig:
            rig.daemon._warm_up_radio()
            while rig.services.station.radio_modes is None:
                await asyncio.sleep(0.01)
            assert await rig.cmd("SCAN") == "OK\n"
            await rig.wait_event("^CTRL-EVENT-SCAN-RESULTS ")
            assert driver.log == ["hw_modes", "scan"]

    run(main())


def test_a_pin_run_takes_an_ap_without_an_active_registrar_after_three_scans_and_five_seconds():
    """wpa_supplicant's WPS_PIN_SCAN_IGNORE_SEL_REG and WPS_PIN_TIME_IGNORE_SEL_REG: both must have passed, counted
    from the run's start across its associations (scan_runs, wps_pin_start_time)."""
    search = WpsSearch(100.0)
    search.scans = 2
    assert not search.any_wps_ap(200.0)
    search.scans = 3
    assert not search.any_wps_ap(104.9) and search.any_wps_ap(105.0)


def test_a_pin_run_scans_first_the_channels_where_wps_aps_were_seen():
    """Beyond wpa_supplicant (which scans every channel for `WPS_PIN any`): the table knows a WPS AP on 2437 MHz,
    so the run scans that channel alone and joins it; no scan of every channel."""
    log = what_a_run_did(FakeRadioDriver(FakeAp(freq=2437)), f"WPS_PIN any {PIN}")
    assert log[:2] == ["scan 2437", f"associate {AP.hex(':')}"]


def test_a_pin_run_with_an_empty_table_takes_its_first_channels_from_the_kernels_cache():
    """Nothing scanned since the start, but the kernel's cache holds a WPS AP heard on 2437 MHz a minute ago (by
    another program, or before a restart): the run reads the cache as the connector does at start, and scans
    that channel first."""
    from dataclasses import replace

    class Cached(FakeRadioDriver):
        async def scan_results(self):
            return [replace(beacon(b, wps=wps_ie(selected=False), freq=2437), age_ms=60_000) for b in self.aps]

    log = what_a_run_did(Cached(FakeAp(freq=2437)), f"WPS_PIN any {PIN}", scan_first=False)
    assert log[:2] == ["scan 2437", f"associate {AP.hex(':')}"]


def test_a_pin_run_scans_every_channel_when_its_first_channels_hold_no_active_registrar(monkeypatch):
    """The AP moved from 2437 to 2462 MHz since the table saw it: the first scan (2437) finds nothing, the next
    one scans every channel at once and finds it (a pause of SCAN_INTERVAL between them would outlast the
    5 s wait for WPS-SUCCESS)."""
    monkeypatch.setattr("pywps.station.station.SCAN_INTERVAL", 30.0)
    ap = FakeAp(freq=2437)

    def moved() -> None:
        ap.freq = 2462

    assert what_a_run_did(FakeRadioDriver(ap), f"WPS_PIN any {PIN}", between=moved)[:3] == [
        "scan 2437", "scan", f"associate {AP.hex(':')}"]


def test_an_ap_the_first_scan_did_not_hear_is_not_chosen_from_older_results():
    """The table holds two WPS APs with active registrars; by the run both are gone from 2412 and 2437 but the
    one on 2412 came back on 2462. The first scan (2412, 2437) hears neither: the table's older entries, though
    they still say 'registrar active', are not chosen from that scan; the scan of every channel finds the AP."""
    ap = FakeAp(freq=2412)
    driver = FakeRadioDriver(ap, FakeAp(bssid=OTHER_AP, freq=2437))

    def changed() -> None:
        del driver.aps[OTHER_AP]
        ap.freq = 2462

    assert what_a_run_did(driver, f"WPS_PIN any {PIN}", between=changed)[:3] == [
        "scan 2412 2437", "scan", f"associate {AP.hex(':')}"]


def test_a_run_for_a_known_bssid_scans_its_channel_first_as_wpa_supplicant_does():
    """wpa_supplicant's known_wps_freq: WPS_PIN <bssid> for a BSS it knows scans that BSS's channel first,
    whatever other WPS APs the table holds."""
    driver = FakeRadioDriver(FakeAp(freq=2437), FakeAp(bssid=OTHER_AP, freq=2412))
    assert what_a_run_did(driver, f"WPS_PIN {AP.hex(':')} {PIN}")[:2] == ["scan 2437", f"associate {AP.hex(':')}"]


def test_a_push_button_run_for_any_ap_scans_every_channel():
    """A session overlap on a channel a first scan skipped would go unseen: WPS_PBC scans them all, as
    wpa_supplicant does, even when the table knows the AP's channel."""
    driver = FakeRadioDriver(FakeAp(WscAp(pbc=True), freq=2437), wps_ies={AP: wps_ie(password_id=4)})
    assert what_a_run_did(driver, "WPS_PBC")[:2] == ["scan", f"associate {AP.hex(':')}"]


class LateDeauthRadio(FakeRadioDriver):
    """hostapd deauthenticates a WPS enrollee (reason 23) ~10 ms after its EAP-Failure. Seen in the hwsim VM:
    that deauth beat our own leave (the kernel had no link left to drop) and its event reached pywps only after
    it had asked for the next association."""

    def __init__(self, *aps: FakeAp) -> None:
        super().__init__(*aps)
        self.late: bytes | None = None
        self.dropped_once = False

    async def disconnect(self, reason: int = 3) -> None:
        if self.bssid is not None and not self.dropped_once:
            self.dropped_once = True
            self.late, self.bssid = self.bssid, None
            self.log.append("dropped by AP (reported late)")
            return
        await super().disconnect(reason)

    async def associate(self, bssid, ssid, freq, extra_ies=b"", crypto=None, privacy=False, prev_bssid=None,
                        on_authenticated=None) -> None:
        if self.late is not None:
            old, self.late = self.late, None
            self._emit(LinkDisconnected(old, 23, locally_generated=False))
        await super().associate(bssid, ssid, freq, extra_ies, crypto, privacy, prev_bssid)


def test_hostapds_late_deauth_after_wps_does_not_delay_the_join():
    async def main():
        driver = LateDeauthRadio(FakeAp())
        async with Rig(driver) as rig:
            await rig.cmd(f"WPS_PIN any {PIN}")
            await rig.wait_event("^WPS-SUCCESS ")
            await rig.wait_event("^CTRL-EVENT-CONNECTED ")
            assert "dropped by AP (reported late)" in driver.log  # and no second association after it:
            assert [e for e in driver.log if e.startswith("associate")] == [f"associate {AP.hex(':')}",
                                                                             f"associate {AP.hex(':')} crypto"]

    run(main())


def test_defect11_a_run_started_while_connected_leaves_first():
    async def main():
        driver = FakeRadioDriver(FakeAp())
        async with Rig(driver, STORED) as rig:
            await rig.wait_event("^CTRL-EVENT-CONNECTED ")
            mark = len(rig.events)
            await rig.cmd(f"WPS_REG {AP.hex(':')} {PIN}")  # learn-only: ends WPS-FAIL msg=11, as wpa_supplicant
            await rig.wait_event("^WPS-FAIL msg=11 config_error=0", after=mark)
            assert "disconnect 3" in driver.log
            assert not any("refused by the kernel" in t for t in rig.texts())

    run(main())


def test_a_new_run_starts_after_the_replaced_runs_logoff():
    """A WPS command during a run replaces it: the old run's EAPOL-Logoff must reach the link before the new
    run's EAPOL-Start (the other way round, hostapd aborts the new conversation on the Logoff: seen in
    bench/soak.py, 89 of 1000 runs)."""
    async def main():
        ap = WscAp()
        driver = FakeWiredDriver(ap)
        async with Rig(driver) as rig:
            ap.mute_after_identity_request = True
            await rig.cmd(f"WPS_PIN any {PIN}")
            await rig.wait_event("^CTRL-EVENT-EAP-STARTED ")
            mark = len(driver.sent)
            await rig.cmd(f"WPS_PIN any {PIN}")
            await asyncio.sleep(0.1)
            kinds = [pdu[1] for _, pdu in driver.sent[mark:]]
            assert kinds[:2] == [EapolType.LOGOFF, EapolType.START], kinds

    run(main())


def test_defect3_wps_cancel_rejoins_the_stored_network():
    async def main():
        driver = FakeRadioDriver(FakeAp(WscAp(pin=None)))  # the AP's registrar has no PIN for us: M2D
        async with Rig(driver, STORED) as rig:
            await rig.wait_event("^CTRL-EVENT-CONNECTED ")
            mark = len(rig.events)
            await rig.cmd(f"WPS_PIN any {PIN}")
            await rig.wait_event("^WPS-M2D ", after=mark)
            assert await rig.cmd("WPS_CANCEL") == "OK\n"
            assert await rig.cmd("WPS_CANCEL") == "OK\n"  # idempotent, as in wpa_supplicant
            await rig.wait_event("^WPS-CANCEL ", after=mark)
            await rig.wait_event("^CTRL-EVENT-CONNECTED ", after=mark)

    run(main())


def test_wps_cancel_with_no_run_leaves_the_link_and_joins_again_as_wpa_supplicant():
    """wpas_wps_cancel on a completed link with no run deauthenticates (reason 3); WPS-CANCEL comes after the
    disconnection, then a scan and the join (tests/vm/guest/test_hwsim_wps_cancel.py compares it)."""
    async def main():
        driver = FakeRadioDriver(FakeAp())
        async with Rig(driver, STORED) as rig:
            await rig.wait_event("^CTRL-EVENT-CONNECTED ")
            mark = len(rig.events)
            assert await rig.cmd("WPS_CANCEL") == "OK\n"
            await rig.wait_event("^CTRL-EVENT-CONNECTED ", after=mark)
            texts = [t.split(" ", 1)[0] for t in rig.texts()[mark:] if not t.startswith("CTRL-EVENT-BSS-")]
            assert texts[:4] == ["CTRL-EVENT-DISCONNECTED", "WPS-CANCEL", "CTRL-EVENT-SCAN-STARTED",
                                 "CTRL-EVENT-SCAN-RESULTS"], texts
            assert [t for t in rig.texts()[mark:] if t.startswith("CTRL-EVENT-DISCONNECTED")][0].endswith(
                " reason=3 locally_generated=1")

    run(main())


MID_RUN_END = re.compile(r"^(WPS-(CANCEL|TIMEOUT)|CTRL-EVENT-(DISCONNECTED|NETWORK-REMOVED))")


async def end_in_the_middle(rig: Rig, end: Callable[[], Awaitable[object]]) -> list[str]:
    """A PIN run whose AP stops answering after its Identity request, ended by `end`: the lines MID_RUN_END
    matches from there on."""
    await rig.cmd(f"WPS_PIN any {PIN}")
    await rig.wait_event("^CTRL-EVENT-EAP-STARTED ")
    mark = len(rig.events)
    await end()
    await rig.wait_event("^CTRL-EVENT-NETWORK-REMOVED ", after=mark, timeout=10)
    await asyncio.sleep(0.1)
    return [t for t in rig.texts()[mark:] if MID_RUN_END.match(t)]


def test_a_radio_runs_cancel_in_the_middle_leaves_then_removes_then_says_so_as_wpa_supplicant():
    """wpas_wps_cancel on an association: deauthenticates (reason 3), removes the run's network (wpas_clear_wps),
    then says WPS-CANCEL (tests/vm/guest/test_hwsim_wps_cancel.py compares it); a second WPS_CANCEL right after
    finds no run and says WPS-CANCEL again, after the first one's. pywps's EAPOL-Logoff goes out before the
    deauthentication (beyond wpa_supplicant: test_policies)."""
    async def main():
        ap = WscAp()
        ap.mute_after_identity_request = True
        driver = FakeRadioDriver(FakeAp(ap))
        async with Rig(driver) as rig:
            async def cancel_twice() -> None:
                assert [await rig.cmd("WPS_CANCEL"), await rig.cmd("WPS_CANCEL")] == ["OK\n"] * 2

            said = await end_in_the_middle(rig, cancel_twice)
            assert said == [f"CTRL-EVENT-DISCONNECTED bssid={AP.hex(':')} reason=3 locally_generated=1",
                            "CTRL-EVENT-NETWORK-REMOVED 0", "WPS-CANCEL ", "WPS-CANCEL "], said
            logoff = max(i for i, (_, pdu) in enumerate(driver.sent) if is_logoff(pdu))
            assert logoff == len(driver.sent) - 1 and driver.log[-1] == "disconnect 3", driver.log

    run(main())


def test_a_radio_runs_walk_time_ending_in_the_middle_says_so_then_leaves_then_removes_as_wpa_supplicant():
    """wpas_wps_timeout: WPS-TIMEOUT, then wpas_clear_wps deauthenticates and removes the run's network."""
    async def main():
        ap = WscAp()
        ap.mute_after_identity_request = True
        driver = FakeRadioDriver(FakeAp(ap))
        async with Rig(driver, walk_time=1.5) as rig:
            said = await end_in_the_middle(rig, lambda: rig.wait_event("^WPS-TIMEOUT "))
            assert said == ["WPS-TIMEOUT ", f"CTRL-EVENT-DISCONNECTED bssid={AP.hex(':')} reason=3 locally_generated=1",
                            "CTRL-EVENT-NETWORK-REMOVED 0"], said

    run(main())


def test_defect4_link_loss_during_a_run_starts_a_new_attempt_before_walk_time():
    async def main():
        driver = FakeRadioDriver(FakeAp(WscAp(pin=None)))
        async with Rig(driver) as rig:
            await rig.cmd(f"WPS_PIN any {PIN}")
            await rig.wait_event("CTRL-EVENT-EAP-STARTED")
            associations = driver.log.count(f"associate {AP.hex(':')}")
            driver.ap_drops_us()
            deadline = asyncio.get_running_loop().time() + 10
            while driver.log.count(f"associate {AP.hex(':')}") == associations:
                assert asyncio.get_running_loop().time() < deadline, driver.log
                await asyncio.sleep(0.1)

    run(main())


def test_a_wps_run_takes_the_ap_the_ignore_list_holds_when_no_other_fits(caplog):
    """wpa_supplicant_pick_network: a WPS run skips every AP in the ignore list, and when that leaves none it
    clears the list and chooses again ("No APs found - clear BSSID ignore list and try again"): the AP that
    BSSID_IGNORE put there (count 2, ten seconds) is joined after the run's first scan, not after its entry
    expires (the hwsim VM test test_hwsim_wps_ignore compares it with wpa_supplicant)."""
    caplog.set_level(logging.DEBUG, logger="pywps.station")

    async def main():
        driver = FakeRadioDriver(FakeAp())
        async with Rig(driver) as rig:
            assert await rig.cmd(f"BSSID_IGNORE {AP.hex(':')}") == "OK\n"
            assert await rig.cmd("BSSID_IGNORE") == f"{AP.hex(':')}\n"
            await rig.cmd(f"WPS_PIN any {PIN}")
            await rig.wait_event("^WPS-SUCCESS ")
            assert driver.log.count("scan") == 1 and driver.log.index("scan") < driver.log.index(
                f"associate {AP.hex(':')}"), driver.log
            assert await rig.cmd("BSSID_IGNORE") == ""

    run(main())
    assert "No APs found - clear BSSID ignore list and try again" in caplog.text


def test_a_wps_runs_refused_association_puts_the_ap_in_the_ignore_list_until_the_next_choice(caplog):
    """wpas_connection_failed in a WPS run: the refusing AP goes in the ignore list, the next scan comes 0.1 s
    later, its choice finds no other AP, clears the list and tries the same AP again."""
    caplog.set_level(logging.DEBUG, logger="pywps.station")

    async def main():
        driver = FakeRadioDriver(FakeAp())
        refusals = iter([DriverError("association refused: status 17")])
        driver.fail_associate = lambda bssid: next(refusals, None)
        async with Rig(driver) as rig:
            await rig.cmd(f"WPS_PIN any {PIN}")
            await rig.wait_event("^WPS-SUCCESS ")
            station = rig.services.station
            assert driver.log.count(f"associate {AP.hex(':')}") == 1 and not station.ignored

    run(main())
    assert "No APs found - clear BSSID ignore list and try again" in caplog.text


def test_an_m2d_on_a_radio_leaves_the_ap_ignored_once_and_scans_for_the_next_attempt(caplog):
    """wpas_wps_eapol_cb: a PIN run's attempt that ended without success (here the AP's registrar does not know
    the PIN: M2D) puts the AP in the ignore list and leaves the link; the next association follows a scan at
    once (of the AP's channel: beyond wpa_supplicant, whose scans after the run's first cover every channel),
    whose choice clears the list to take the same AP again."""
    caplog.set_level(logging.DEBUG, logger="pywps.station")

    async def main():
        driver = FakeRadioDriver(FakeAp(WscAp(pin=None)))
        async with Rig(driver) as rig:
            await rig.cmd(f"WPS_PIN {AP.hex(':')} {PIN}")
            await rig.wait_event("^WPS-M2D ")
            second = len(rig.events)
            await rig.wait_event("^WPS-M2D ", after=second)
            log = driver.log
            first_leave = log.index("disconnect 3")
            assert log[first_leave:first_leave + 3] == ["disconnect 3", "scan 2412", f"associate {AP.hex(':')}"], log

    run(main())
    assert "No APs found - clear BSSID ignore list and try again" in caplog.text


@pytest.mark.parametrize("trigger_time", [0.0, 0.25])
def test_a_wrong_pin_on_a_radio_scans_for_the_next_ap_and_the_run_ends_before_its_results(trigger_time):
    """As Debian wpa_supplicant does it (test_hwsim_wps_ignore compares the two): at the EAP-Failure after WPS-FAIL
    the AP goes in the ignore list, the link is left and a scan starts (wpas_wps_eapol_cb); the run's network is
    removed 0.1 s after WPS-FAIL (wpas_wps_clear_timeout); the scan's results, with no network left, clear the
    list and find nothing. A kernel slow to start the scan (`trigger_time`, as a loaded TCG VM was) does not put
    the removal first: wpa_supplicant's trigger is synchronous."""

    async def main():
        driver = FakeRadioDriver(FakeAp(WscAp(pin="87654325")))
        async with Rig(driver) as rig:
            driver.scan_time = 0.3  # longer than the run has left after WPS-FAIL, as a scan of every channel is
            driver.trigger_time = trigger_time
            await rig.cmd(f"WPS_PIN any {PIN}")
            await rig.wait_event("^CTRL-EVENT-NETWORK-NOT-FOUND")
            texts = rig.texts()
            said = [e.split(" ")[0] for e in texts[texts.index("WPS-FAIL msg=8 config_error=18"):] if "BSS-" not in e]
            assert said == ["WPS-FAIL", "CTRL-EVENT-EAP-STATUS", "CTRL-EVENT-EAP-FAILURE", "CTRL-EVENT-DISCONNECTED",
                            "CTRL-EVENT-SCAN-STARTED", "CTRL-EVENT-NETWORK-REMOVED", "CTRL-EVENT-SCAN-RESULTS",
                            "WPS-AP-AVAILABLE-PIN", "CTRL-EVENT-NETWORK-NOT-FOUND"], said
            assert not rig.services.station.ignored and await rig.cmd("BSSID_IGNORE") == ""
            assert "wpa_state=INACTIVE" in await rig.cmd("STATUS")

    run(main())


def test_a_slow_save_of_the_credential_holds_the_links_end_after_the_runs_events(monkeypatch):
    """wpa_supplicant writes the file before it goes on: WPS-SUCCESS and the EAP-Failure come before the
    disconnection of the run's link. pywps saves off the loop and holds the run's events until the save is done;
    the link is left after them (on a slow machine it overtook them: the hwsim VM under TCG)."""
    from pywps import config as configfile

    write = configfile.write_atomically

    def slow_write(path: str, text: str) -> None:
        threading.Event().wait(0.3)
        write(path, text)

    monkeypatch.setattr(configfile, "write_atomically", slow_write)

    async def main():
        driver = FakeRadioDriver(FakeAp())
        async with Rig(driver) as rig:
            await rig.cmd(f"WPS_PIN any {PIN}")
            await rig.wait_event("^CTRL-EVENT-CONNECTED ")
            said = [t for t in rig.texts() if re.match("WPS-SUCCESS|CTRL-EVENT-EAP-FAILURE|CTRL-EVENT-DISCONNECTED", t)]
            assert [t.split()[0] for t in said] == ["WPS-SUCCESS", "CTRL-EVENT-EAP-FAILURE", "CTRL-EVENT-DISCONNECTED"]

    run(main())


def hold_writes(monkeypatch) -> tuple[threading.Event, threading.Event]:
    """The config's writes wait (in their thread) until the first event is set; the second is set once one
    waits."""
    from pywps import config as configfile

    write, may_write, writing = configfile.write_atomically, threading.Event(), threading.Event()

    def held_write(path: str, text: str) -> None:
        writing.set()
        may_write.wait(5)
        write(path, text)

    monkeypatch.setattr(configfile, "write_atomically", held_write)
    return may_write, writing


async def reload_while_writing(rig: Rig, may_write: threading.Event, writing: threading.Event) -> None:
    """RECONFIGURE once a write waits: it is answered only after the write."""
    assert await asyncio.to_thread(writing.wait, 5)
    reconfigure = asyncio.ensure_future(rig.cmd("RECONFIGURE"))
    await asyncio.sleep(0.1)
    assert not reconfigure.done()
    may_write.set()
    assert await asyncio.wait_for(reconfigure, 5) == "OK\n"


def test_a_reload_during_the_credentials_save_reads_the_saved_file(monkeypatch):
    """RECONFIGURE (or SIGHUP) while the credential is being written: wpa_supplicant saves before it reads another
    request, so its reload reads the file with the new network in it, after WPS-SUCCESS. pywps writes off the
    loop: the reload waits for that write (it read the old file, so the network was gone from the list, the run's
    WPS-SUCCESS was never said, and the next SAVE_CONFIG would have dropped the network from the file too;
    tests/test_diff_reload.py compares with wpa_supplicant)."""
    may_write, writing = hold_writes(monkeypatch)

    async def main():
        async with Rig(FakeWiredDriver(WscAp())) as rig:
            await rig.cmd(f"WPS_PIN any {PIN}")
            await rig.wait_event("^WPS-CRED-RECEIVED")
            await reload_while_writing(rig, may_write, writing)
            assert "WPS-SUCCESS " in rig.texts()
            listed = (await rig.cmd("LIST_NETWORKS")).splitlines()[1:]
            assert [row.split("\t")[1] for row in listed] == [CRED.ssid.decode()], listed

    run(main())


def test_a_request_during_the_credentials_save_comes_after_the_runs_success(monkeypatch):
    """wpa_supplicant writes the credential and says WPS-SUCCESS before it reads the next request: a WPS_PBC sent
    at WPS-CRED-RECEIVED starts its run after them. pywps's control requests wait for the write (they dropped
    the run's held WPS-SUCCESS when they replaced the run; tests/test_diff_events.py compares)."""
    may_write, writing = hold_writes(monkeypatch)

    async def main():
        async with Rig(FakeWiredDriver(WscAp())) as rig:
            await rig.cmd(f"WPS_PIN any {PIN}")
            await rig.wait_event("^WPS-CRED-RECEIVED")
            assert await asyncio.to_thread(writing.wait, 5)
            pbc = asyncio.ensure_future(rig.daemon.ctrl.handler("WPS_PBC"))  # the control socket's way
            await asyncio.sleep(0.1)
            assert not pbc.done() and "WPS-PBC-ACTIVE " not in rig.texts()
            may_write.set()
            assert await asyncio.wait_for(pbc, 5) == "OK\n"
            texts = rig.texts()
            assert texts.index("WPS-SUCCESS ") < texts.index("CTRL-EVENT-NETWORK-ADDED 1") \
                < texts.index("WPS-PBC-ACTIVE ")

    run(main())


def test_a_reload_after_save_config_reads_what_it_wrote(monkeypatch):
    """SAVE_CONFIG, then RECONFIGURE before its reply (another client): wpa_supplicant answers one request at a
    time, so the reload reads the saved file; pywps's waits for the write."""
    may_write, writing = hold_writes(monkeypatch)

    async def main():
        async with Rig(FakeWiredDriver(WscAp())) as rig:
            for request, reply in (("ADD_NETWORK", "0\n"), ('SET_NETWORK 0 ssid "kept"', "OK\n"),
                                   ("SET_NETWORK 0 key_mgmt NONE", "OK\n")):  # a block SAVE_CONFIG writes
                assert await rig.cmd(request) == reply, request
            save = asyncio.ensure_future(rig.cmd("SAVE_CONFIG"))
            await reload_while_writing(rig, may_write, writing)
            assert save.done() and save.result() == "OK\n"
            assert (await rig.cmd("LIST_NETWORKS")).splitlines()[1:] == ["0\tkept\tany\t[DISABLED]"]

    run(main())


def test_a_run_cancelled_while_it_associates_leaves_the_kernels_attempt():
    """WPS_CANCEL in the middle of the run's association: the kernel is told to drop its attempt (wpa_supplicant
    deauthenticates its pending BSSID), else the next association meets it (seen in the hwsim VM: EALREADY, then
    the AP's deauthentication, a new run late past its registrar's PIN)."""

    class SlowToAssociate(FakeRadioDriver):
        async def associate(self, bssid, *args, **kwargs) -> None:
            self.log.append("associating")
            await asyncio.Event().wait()

        async def disconnect(self, reason: int = 3) -> None:
            self.log.append(f"drop {reason}")
            await super().disconnect(reason)

    async def main():
        driver = SlowToAssociate(FakeAp())
        async with Rig(driver) as rig:
            await rig.cmd(f"WPS_PIN any {PIN}")
            while "associating" not in driver.log:
                await asyncio.sleep(0.01)
            assert await rig.cmd("WPS_CANCEL") == "OK\n"
            for _ in range(100):
                if "drop 3" in driver.log:
                    break
                await asyncio.sleep(0.01)
            assert driver.log[-2:] == ["associating", "drop 3"], driver.log

    run(main())


def test_defect2_an_error_finding_an_ap_pauses_and_retries_instead_of_idling(caplog):
    async def main():
        driver = FakeRadioDriver(FakeAp())
        failures = iter([RuntimeError("a bug in the driver")])
        driver.fail_associate = lambda bssid: next(failures, None)
        async with Rig(driver) as rig:
            await rig.cmd(f"WPS_PIN any {PIN}")
            await rig.wait_event("^WPS-SUCCESS ", timeout=15)

    run(main())
    assert "finding an AP for the WPS run failed" in caplog.text


def test_defect5_pin_guard_blocks_wps_frames_but_not_the_4way_handshake():
    async def main():
        driver = FakeRadioDriver(FakeAp())
        async with Rig(driver, STORED) as rig:
            guard = rig.services.wps.pin_guard
            for _ in range(guard.threshold):
                guard.record_failure(AP, asyncio.get_running_loop().time())
            await rig.wait_event("^CTRL-EVENT-CONNECTED ")

    run(main())


def test_defect6_network_ids_stay_put_when_one_is_removed():
    conf = STORED + 'network={\n\tssid="other"\n\tpsk="12345678"\n}\nnetwork={\n\tssid="third"\n\tpsk="12345678"\n}\n'

    async def main():
        driver = FakeRadioDriver(FakeAp())
        async with Rig(driver, conf) as rig:
            await rig.wait_event("^CTRL-EVENT-CONNECTED ")
            assert await rig.cmd("REMOVE_NETWORK 1") == "OK\n"
            rows = (await rig.cmd("LIST_NETWORKS")).splitlines()[1:]
            assert [r.split("\t")[0] for r in rows] == ["0", "2"]
            assert "id=0" in await rig.cmd("STATUS")
            assert await rig.cmd("REMOVE_NETWORK 1") == "FAIL\n"
            assert await rig.cmd("REMOVE_NETWORK 0") == "OK\n"
            await rig.wait_event("^CTRL-EVENT-DISCONNECTED ")
            status = await rig.cmd("STATUS")
            assert not any(line.startswith("id=") for line in status.splitlines())
            assert "wpa_state=COMPLETED" not in status
            # A reload numbers the file's networks afresh: nothing may still hold an old id.
            rig.conf.write_text(STORED)
            assert await rig.cmd("RECONFIGURE") == "OK\n"
            await rig.wait_event(r"^CTRL-EVENT-CONNECTED .*\[id=0 ")

    run(main())


# -- a configured eap=WSC network (issue 15; the differential proof: test_scenarios_wps.py::test_ap_wps_eap_wsc) --


def eap_wsc_conf(key_mgmt: str, identity: str, phase1: str | None) -> str:
    body = f'\tkey_mgmt={key_mgmt}\n\teap=WSC\n\tidentity="{identity}"\n'
    body += f'\tphase1="{phase1}"\n' if phase1 is not None else ""
    return f"update_config=1\nnetwork={{\n{body}}}\n"


def test_a_configured_wps_network_runs_at_start_and_becomes_the_credential():
    async def main():
        conf = eap_wsc_conf("WPS", "WFA-SimpleConfig-Enrollee-1-0", f"pin={PIN}")
        async with Rig(FakeWiredDriver(WscAp()), conf) as rig:
            await rig.wait_event("^WPS-SUCCESS ")
            texts = rig.texts()
            # no network of its own and no WPS-PIN-ACTIVE: the block is the run's network, as wpa_supplicant's
            assert texts[:3] == ["Associated with 01:80:c2:00:00:03", "CTRL-EVENT-SUBNET-STATUS-UPDATE status=0",
                                 "CTRL-EVENT-EAP-STARTED EAP authentication started"]
            assert not [t for t in texts if t.startswith(("CTRL-EVENT-NETWORK-ADDED", "WPS-PIN-ACTIVE"))]
            await rig.wait_event("^CTRL-EVENT-DISCONNECTED ")
            await asyncio.sleep(0.05)
            saved = rig.conf.read_text()
            assert f'ssid="{SSID.decode()}"' in saved and "eap=WSC" not in saved  # replaced under id 0
            assert rig.services.wps.run is None

    run(main())


def test_a_registrar_block_without_new_auth_fails_and_goes_as_wpa_supplicants_does():
    async def main():
        conf = eap_wsc_conf("WPS", "WFA-SimpleConfig-Registrar-1-0", f"pin={PIN} new_ssid=aa")
        async with Rig(FakeWiredDriver(WscAp()), conf) as rig:
            await rig.wait_event("^CTRL-EVENT-NETWORK-REMOVED 0")
            texts = rig.texts()
            start = texts.index("EAP: Failed to initialize EAP method: vendor 14122 method 1 (WSC)")
            assert texts[start + 1:] == ["CTRL-EVENT-EAP-STATUS status='completion' parameter='failure'",
                                         "CTRL-EVENT-EAP-FAILURE EAP authentication failed", "WPS-FAIL ",
                                         "CTRL-EVENT-DISCONNECTED bssid=01:80:c2:00:00:03 reason=3 locally_generated=1",
                                         "CTRL-EVENT-NETWORK-REMOVED 0"]
            assert "eap=WSC" in rig.conf.read_text()  # removed in memory only: nothing was saved

    run(main())


def test_an_8021x_block_stays_joined_after_its_failure_and_a_disconnect_stops_its_run():
    async def main():
        conf = eap_wsc_conf("IEEE8021X", "WFA-SimpleConfig-Enrollee-1-0", None)
        async with Rig(FakeWiredDriver(WscAp()), conf) as rig:
            await rig.wait_event("^CTRL-EVENT-EAP-FAILURE ")
            await asyncio.sleep(0.05)
            assert "WPS-FAIL " not in rig.texts() and "CTRL-EVENT-DISCONNECTED" not in "".join(rig.texts())
            assert (await rig.cmd("LIST_NETWORKS")).splitlines()[1] == "0\t\tany\t[CURRENT]"
            assert "key_mgmt=IEEE 802.1X (no WPA)" in await rig.cmd("STATUS")
            assert rig.services.wps.run is not None  # EAPOL tries again after the held period
            assert await rig.cmd("DISCONNECT") == "OK\n"
            assert rig.services.wps.run is None and (await rig.cmd("GET_NETWORK 0 eap")) == "WSC"

    run(main())


class SmeRadio(FakeRadioDriver):
    """A radio whose kernel authenticates apart (mac80211), and an AP that refuses: the authentication (`refuse`
    "auth", status 1), or the association (status 17), or nothing."""

    refuse = ""

    @property
    def authenticates_apart(self) -> bool:
        return True

    async def associate(self, bssid, ssid, freq, extra_ies=b"", crypto=None, privacy=False, prev_bssid=None,
                        on_authenticated=None) -> None:
        from pywps.driver.base import AssociationRejected, AuthenticationRejected

        if self.refuse == "auth":
            raise AuthenticationRejected(bssid, 0, 2, 1)
        on_authenticated()
        if self.refuse == "assoc":
            raise AssociationRejected(bssid, 17)
        await super().associate(bssid, ssid, freq, extra_ies, crypto, privacy, prev_bssid)


@pytest.mark.parametrize("refuse,said", [
    ("", ["SME: Trying to authenticate with", "Trying to associate with", "Associated with"]),
    ("assoc", ["SME: Trying to authenticate with", "Trying to associate with",
               "CTRL-EVENT-ASSOC-REJECT bssid=02:00:00:00:01:00 status_code=17",
               "SME: Deauth request to the driver failed"]),
    ("auth", ["SME: Trying to authenticate with",
              "CTRL-EVENT-AUTH-REJECT 02:00:00:00:01:00 auth_type=0 auth_transaction=2 status_code=1"]),
])
def test_an_attempt_is_told_as_wpa_supplicants_sme_tells_it(refuse, said):
    """What Debian wpa_supplicant said on mac80211_hwsim, for a join, an AP that refuses the association (hostapd
    answering for the test) and one that refuses the authentication (macaddr_acl):
    tests/vm/guest/test_hwsim_rejects.py compares both programs there."""
    async def main():
        driver = SmeRadio(FakeAp())
        driver.refuse = refuse
        async with Rig(driver, STORED) as rig:
            await rig.wait_event(r"^(Associated with|CTRL-EVENT-(AUTH|ASSOC)-REJECT)")
            await asyncio.sleep(0.05)
            texts = [t for t in rig.texts() if re.match(r"(SME|Trying|Associated|CTRL-EVENT-(AUTH|ASSOC)-REJ)", t)]
            assert len(texts) >= len(said) and all(t.startswith(s) for t, s in zip(texts, said)), texts

    run(main())

"""The External Registrar against hostile UPnP "APs" (tests/er/rogue.py) on 127.0.0.1 in a network namespace
of its own: every bad input is dropped with a log line, never a traceback, and the ER goes on serving a
well-behaved AP in the same run (learn and config through it still work)."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil

import pytest

from pywps.ctrl import events as texts
from pywps.er import limits
from pywps.er.service import ErService
from pywps.wps.credential import Credential
from pywps.wps.defs import AuthType, EncrType
from pywps.wps.device import DeviceInfo
from pywps.wps.events import CredentialReceived, Success

from er.nsloop import LoopbackNetns
from er.rogue import AP_PIN, RogueAp, event_body, wlan_event

pytestmark = [
    pytest.mark.root,
    pytest.mark.skipif(os.geteuid() != 0 or shutil.which("ip") is None, reason="needs root and iproute2 for a network namespace"),
]

ER_DEVICE = DeviceInfo(uuid=bytes.fromhex("27ea801a9e5c4e73bd82f89cbcd10d7e"), mac_address=bytes.fromhex("02000000aa01"),
                       device_name=b"pywps ER")


class Harness:
    def __init__(self, svc: ErService, events: list) -> None:
        self.svc, self.events = svc, events

    def texts(self) -> list[str]:
        return [texts.event_texts(e)[0] for e in self.events]

    async def wait(self, predicate, timeout: float = 10.0, what: str = "") -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not predicate():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"timed out waiting for {what}; events: {self.texts()}")
            await asyncio.sleep(0.02)

    def added(self, ap: RogueAp) -> bool:
        return any(t.startswith(f"WPS-ER-AP-ADD {texts.uuid_text(ap.uuid)}") for t in self.texts())

    async def learn_works(self, ap: RogueAp) -> None:
        """The ER still does its job: learn the well-behaved AP's settings."""
        await self.wait(lambda: self.added(ap), what="the good AP's WPS-ER-AP-ADD")
        before = len(self.events)
        self.svc.learn(ap.uuid, None, AP_PIN)
        await self.wait(lambda: any(t.startswith("WPS-FAIL msg=11") for t in self.texts()[before:]), what="learn")
        assert f"WPS-ER-AP-SETTINGS uuid={texts.uuid_text(ap.uuid)} ssid=rogue-net auth_type=0x0020 encr_type=0x0008 key=roguepass" \
            in self.texts()[before:]


def run_er(body, *rogues: RogueAp, networks: dict | None = None):
    async def main():
        events: list = []
        svc = ErService(lambda: ER_DEVICE, events.append, (networks or {}).get, "lo")
        for r in rogues:
            await r.start()
        try:
            await svc.start()
            return await body(Harness(svc, events))
        finally:
            await svc.stop()
            for r in rogues:
                await r.stop()

    with LoopbackNetns() as ns:
        return ns.run(main, timeout=90)


@pytest.fixture
def log(caplog):
    caplog.set_level(logging.DEBUG)
    yield caplog
    bad = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not bad, [(r.name, r.getMessage()) for r in bad]


def lines(caplog, needle: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "pywps.er" and needle in r.getMessage()]


def test_good_ap_learn_config_and_callback_is_our_own_address(log):
    good = RogueAp()

    async def body(h: Harness):
        await h.learn_works(good)
        new = Credential(b"new-net", AuthType.WPA2PSK, EncrType.AES, b"newpassphrase")
        before = len(h.events)
        h.svc.config(good.uuid, None, AP_PIN, new)
        await h.wait(lambda: "WPS-SUCCESS " in h.texts()[before:], what="config")
        assert h.texts()[before:] == ["WPS-CRED-RECEIVED ", "WPS-SUCCESS "]
        # the AP (an in-process Enrollee) really received the new settings in M8
        got = []
        while (e := good._enrollee.next_event()) is not None:
            got.append(e)
        creds = [e.credential for e in got if isinstance(e, CredentialReceived)]
        assert creds and creds[0].ssid == b"new-net" and creds[0].network_key == b"newpassphrase"
        # no WSC_ACK follows the AP's WSC_Done over UPnP (wpa_supplicant sends none either; hostapd applies
        # the settings at M8), so the in-process AP never reaches its own Success
        assert not any(isinstance(e, Success) for e in got)
        return good.subscriptions

    subscriptions = run_er(body, good)
    # CallStranger (CVE-2020-12695) from the subscriber's side: the callback is our own address on the
    # ER interface with a random path, whatever the AP said
    assert len(subscriptions) == 1
    callback = subscriptions[0][0]
    assert callback.startswith("http://127.0.0.1:") and "/event/" in callback and len(callback.rsplit("/", 1)[1]) == 16


@pytest.mark.parametrize("description, reason", [
    ("bad_xml", "description"),
    ("bomb", "EntitiesForbidden"),
    ("xxe", "EntitiesForbidden"),
    ("huge", "over 65536"),
    ("huge_declared", "Content-Length 104857600"),
    ("redirect", "but 302"),  # not followed: a redirect could send us to any host
    ("foreign_urls", "has no urn:schemas-wifialliance-org:service:WFAWLANConfig:1"),  # its URLs are elsewhere
    ("no_service", "no urn:schemas-wifialliance-org:service:WFAWLANConfig:1"),
])
def test_hostile_description_is_dropped(log, description, reason):
    hostile, good = RogueAp(description=description), RogueAp()

    async def body(h: Harness):
        await h.learn_works(good)
        await h.wait(lambda: lines(log, "dropped"), what="the hostile AP's log line")
        assert not h.added(hostile)

    run_er(body, hostile, good)
    dropped = lines(log, f"AP 127.0.0.1 ({hostile.location}) dropped")
    assert len(dropped) == 1 and reason in dropped[0], dropped
    # the 100 MB description cost the ER at most the cap plus what the kernel buffers, not 100 MB
    assert hostile.description_bytes_sent <= 16 * 1024 * 1024


@pytest.mark.parametrize("kind, reason", [
    ("udn", "UDN"),
    ("m1_wrong_uuid", "UUID-E"),
    ("location_elsewhere", "is not on the sender"),
])
def test_wrong_uuid_or_location_is_dropped(log, kind, reason):
    hostile = {
        "udn": RogueAp(udn_uuid=os.urandom(16)),
        "m1_wrong_uuid": RogueAp(m1="wrong_uuid"),
        "location_elsewhere": RogueAp(location_host="127.0.0.2"),
    }[kind]
    good = RogueAp()

    async def body(h: Harness):
        await h.learn_works(good)
        await h.wait(lambda: lines(log, reason), what=f"log line with {reason!r}")
        assert not h.added(hostile)

    run_er(body, hostile, good)
    if kind == "location_elsewhere":
        assert hostile.requests == []  # nothing was fetched from the host a LAN peer named


@pytest.mark.parametrize("m1, reason", [
    ("garbage", "dropped"), ("not_base64", "not base64"), ("huge", "over 4096"), ("http500", "GetDeviceInfo"),
])
def test_hostile_device_info_is_dropped(log, m1, reason):
    hostile, good = RogueAp(m1=m1), RogueAp()

    async def body(h: Harness):
        await h.learn_works(good)
        await h.wait(lambda: lines(log, f"({hostile.location}) dropped"), what="the hostile AP's log line")
        assert not h.added(hostile)

    run_er(body, hostile, good)
    assert reason in lines(log, f"({hostile.location}) dropped")[0]


@pytest.mark.parametrize("put_message, expect_log, expect_event", [
    ("garbage", "its message was not usable", None),
    ("not_base64", "not base64", None),
    ("empty", "answered M2 with no message", None),
    ("bad_authenticator", "Authenticator mismatch", "WPS-FAIL msg=7 config_error=0"),
    ("slow", "timed out", None),
])
def test_hostile_put_message_ends_the_run_only(log, monkeypatch, put_message, expect_log, expect_event):
    monkeypatch.setattr(limits, "RUN_TIMEOUT", 1.5)
    ap = RogueAp(put_message=put_message)

    async def body(h: Harness):
        await h.wait(lambda: h.added(ap), what="AP-ADD")
        h.svc.learn(ap.uuid, None, AP_PIN)
        await h.wait(lambda: lines(log, expect_log), what=f"log line {expect_log!r}")
        await h.wait(lambda: not any(a.busy for a in h.svc.aps.values()), what="the run to end")
        if expect_event:
            assert expect_event in h.texts()
        assert not any(t.startswith("WPS-ER-AP-SETTINGS") for t in h.texts())
        ap.put_message = "good"  # the same AP behaves now: the ER learns from it
        await h.learn_works(ap)

    run_er(body, ap)


def test_endless_and_hostile_events(log):
    ap, good = RogueAp(), RogueAp()

    async def body(h: Harness):
        await h.wait(lambda: h.added(ap) and h.added(good), what="both APs")
        callback, sid = ap.subscriptions[-1]
        junk = [
            event_body(b"\x07" + b"x" * 40),                                  # unknown WLANEventType
            event_body(b"\x02not-a-mac-address" + b"\x10\x4a\x00\x01\x10"),  # bad MAC text
            event_body(b"\x02"),                                              # too short
            event_body("!!!not base64!!!"),
            event_body(wlan_event(2, b"\x02" * 6, os.urandom(64))),          # TLV garbage
            event_body(wlan_event(2, b"\x02" * 6, b"\x10\x22\x00\x01\x05")),  # an M2 from nowhere: no entry made
            event_body(wlan_event(1, b"\x02" * 6, b"\x10\x4a\xff\xff")),      # probe request TLVs running past the end
            "<not xml",
            "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]><x>&a;</x>",
            "<e:propertyset xmlns:e='urn:schemas-upnp-org:event-1-0'>" + "x" * (64 * 1024) + "</e:propertyset>",
        ]
        statuses: dict[int, int] = {}
        learning = None
        for i in range(1500):
            if i == 200:
                learning = asyncio.create_task(h.learn_works(good))  # the ER keeps working during the flood
            which = i % (len(junk) + 2)
            if which == len(junk):
                status = await ap.notify(junk[0], sid=f"uuid:{os.urandom(16).hex()}")  # a SID we never got
            elif which == len(junk) + 1:
                status = await ap.notify(junk[4], callback=callback.rsplit("/", 1)[0] + "/guess")
            else:
                status = await ap.notify(junk[which])
            statuses[status] = statuses.get(status, 0) + 1
        await learning
        host, port = callback.split("/")[2].split(":")
        for raw in (b"GARBAGE\r\n\r\n", b"NOTIFY / HTTP/1.1\r\n" + b"X: " + b"y" * 100000 + b"\r\n\r\n",
                    b"NOTIFY " + callback.split(port, 1)[1].encode() + b" HTTP/1.1\r\nContent-Length: 99999999\r\n\r\nabc",
                    b"\x00\xff" * 1000):
            reader, writer = await asyncio.open_connection(host, int(port))
            writer.write(raw)
            await writer.drain()
            await asyncio.wait_for(reader.read(), 5)  # the server answers (or closes) and goes on
            writer.close()
        await asyncio.sleep(2.5)  # the rate limit's bucket refills
        assert await ap.notify(junk[5]) == 200  # still serving
        assert h.svc.link._notify.event_handler._backlog == {}  # the library's backlog never grew
        assert all(not a.enrollees for a in h.svc.aps.values())
        return statuses

    statuses = run_er(body, ap, good)
    assert 503 in statuses  # the rate limit answered
    # endless junk cannot flood the log either: the first few drops are logged, then one line per thousand
    assert len(lines(log, "dropped")) < 80, len(lines(log, "dropped"))


def test_enrollee_through_the_ap(log):
    """WPS_ER_PIN: a station behind the AP (its EAP proxied as WLANEvents) gets the AP's settings from the ER."""
    ap = RogueAp()

    async def body(h: Harness):
        await h.learn_works(ap)
        h.svc.add_pin("any", None, None, "12345670", None)
        await h.wait(lambda: any("state=DONE" in t for t in h.texts()), what="SetSelectedRegistrar")
        await ap.station_enroll("12345670")
        await h.wait(lambda: "WPS-SUCCESS " in h.texts(), what="the enrollee's run")
        creds = []
        while (e := ap.station.next_event()) is not None:
            if isinstance(e, CredentialReceived):
                creds.append(e.credential)
        assert [(c.ssid, c.network_key, c.mac_address) for c in creds] == [(b"rogue-net", b"roguepass", ap.station_mac)]
        added = [t for t in h.texts() if t.startswith("WPS-ER-ENROLLEE-ADD")]
        # pywps's own M1 as the station (wpa_supplicant's defaults: device type 0-00000000-0, display keypad
        # virtual_display, a single space for an empty string)
        assert added == ["WPS-ER-ENROLLEE-ADD 11112222-3333-4444-5555-666677778888 02:bb:00:00:00:01 M1=1 "
                         "config_methods=0x2108 dev_passwd_id=0 pri_dev_type=0-00000000-0 |station|Sta|sta1| | |"]
        # the wildcard PIN is spent: a second station with it gets M2D (no password), so no second success
        await ap.station_enroll("12345670", mac=bytes.fromhex("02bb00000002"))
        await asyncio.sleep(0.5)
        assert h.texts().count("WPS-SUCCESS ") == 1
        sel = [t for t in h.texts() if "SET-SEL-REG" in t and "START" in t]
        assert sel[0].endswith("sel_reg=1 dev_passwd_id=0 sel_reg_config_methods=0x2108")
        assert sel[-1].endswith("sel_reg=0 dev_passwd_id=0 sel_reg_config_methods=0x0")

    run_er(body, ap)


def test_hostile_ap_names_cannot_forge_event_fields(log):
    ap = RogueAp()

    async def body(h: Harness):
        await h.wait(lambda: h.added(ap), what="AP-ADD")
        return [t for t in h.texts() if t.startswith("WPS-ER-AP-ADD")][0]

    text = run_er(body, ap)
    # the description's friendlyName is "Rogue|AP\nx": '|' separates the event's fields and a newline would
    # start a new line for scripts reading events; wpa_supplicant prints both raw, pywps replaces them
    assert text.endswith("|Rogue?AP?x|Rogue|hostile|rogue|http://rogue.example/||")


def test_set_config_gives_enrollees_a_stored_network(log):
    """WPS_ER_SET_CONFIG: an enrollee through the AP gets the stored network, not the AP's learned settings;
    no WPS_ER_LEARN is needed (wpa_supplicant keeps the settings per AP the same way)."""
    ap = RogueAp()
    stored = Credential(b"stored-net", AuthType.WPA2PSK, EncrType.AES, b"storedpass1")

    async def body(h: Harness):
        await h.wait(lambda: h.added(ap), what="AP-ADD")
        h.svc.set_config(ap.uuid, None, 0)
        h.svc.add_pin("any", None, None, "12345670", None)
        await ap.station_enroll("12345670")
        await h.wait(lambda: "WPS-SUCCESS " in h.texts(), what="the enrollee's run")
        creds = []
        while (e := ap.station.next_event()) is not None:
            if isinstance(e, CredentialReceived):
                creds.append(e.credential)
        assert [(c.ssid, c.network_key) for c in creds] == [(b"stored-net", b"storedpass1")]

    run_er(body, ap, networks={0: stored})


def test_push_button_through_the_ap(log):
    """WPS_ER_PBC for the AP: a push-button station behind it registers; PBC mode then ends (WPS-PBC-DISABLE)."""
    ap = RogueAp()

    async def body(h: Harness):
        await h.learn_works(ap)
        before = len(h.events)
        h.svc.pbc(ap.uuid, None)
        assert "WPS-PBC-ACTIVE " in h.texts()[before:]
        await ap.station_enroll(None)
        await h.wait(lambda: "WPS-SUCCESS " in h.texts()[before:], what="the push-button run")
        await h.wait(lambda: "WPS-PBC-DISABLE " in h.texts()[before:], what="PBC mode to end")
        creds = []
        while (e := ap.station.next_event()) is not None:
            if isinstance(e, CredentialReceived):
                creds.append(e.credential)
        assert [c.ssid for c in creds] == [b"rogue-net"]
        sel = [t for t in h.texts()[before:] if "SET-SEL-REG" in t and "START" in t]
        assert "dev_passwd_id=4" in sel[0] and sel[-1].endswith("sel_reg=0 dev_passwd_id=0 sel_reg_config_methods=0x0")

    run_er(body, ap)

"""The External Registrar without sockets: the WPS_ER_* handlers (called in-process with a tiny ctx), the
sans-IO policy and model, SSDP header reading, the event texts, and the service's AP table with a fake UPnP
link (SSDP storms, filters, byebye). The live behaviour is in test_er_hostapd.py and test_er_rogue.py."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from pywps.ctrl import events as texts
from pywps.ctrl.commands import CommandFailed
from pywps.ctrl.er_commands import COMMANDS
from pywps.er import limits
from pywps.er.events import (
    ErApAdded, ErEnrolleeAdded, ErEnrolleeRemoved, ErFailure, ErSetSelectedRegistrar, ErSuccess, SelRegState,
)
from pywps.er.model import WlanEventError, WlanEventType, clean_text, parse_wlan_event
from pywps.er.policy import BROADCAST, ErPolicy, set_selected_registrar_message
from pywps.er.service import ErError, ErService
from pywps.wps.attributes import parse_attrs, parse_wfa_subelems
from pywps.wps.credential import Credential
from pywps.wps.defs import PBC_PASSWORD, AttrType, AuthType, DevicePasswordId, EncrType, WfaSubelem
from pywps.wps.device import DeviceInfo

A = AttrType
UUID = "12345678-9abc-def0-1234-56789abcdef0"
UUID_B = bytes.fromhex(UUID.replace("-", ""))
DEVICE = DeviceInfo(uuid=bytes(range(16)), mac_address=bytes.fromhex("020000000001"))


# -- command handlers ---------------------------------------------------------------------------------------


class FakeEr:
    """Records what the handlers ask of the service; `refuse` makes it raise like the real one."""

    def __init__(self, refuse: ErError | None = None) -> None:
        self.calls: list[tuple] = []
        self.refuse = refuse

    def _record(self, *call):
        self.calls.append(call)
        if self.refuse:
            raise self.refuse

    async def start(self, raw):
        self._record("start", raw)

    async def stop(self):
        self._record("stop")

    def learn(self, uuid, mac, pin):
        self._record("learn", uuid, mac, pin)

    def config(self, uuid, mac, pin, settings):
        self._record("config", uuid, mac, pin, settings)

    def set_config(self, uuid, mac, network_id):
        self._record("set_config", uuid, mac, network_id)

    def add_pin(self, target, uuid, mac_of_target, pin, mac):
        self._record("add_pin", target, uuid, mac_of_target, pin, mac)

    def pbc(self, uuid, mac):
        self._record("pbc", uuid, mac)


class Ctx:
    def __init__(self, er) -> None:
        self.er = er


def call(ctx, line: str) -> str:
    name, _, raw = line.partition(" ")
    reply = COMMANDS[name](ctx, raw.strip())
    return reply if isinstance(reply, str) else asyncio.run(reply)


def test_commands_parse_like_wpa_supplicant():
    er = FakeEr()
    ctx = Ctx(er)
    assert call(ctx, "WPS_ER_START") == "OK\n"
    assert call(ctx, "WPS_ER_START ifname=eth0 192.0.2.1") == "OK\n"
    assert call(ctx, f"WPS_ER_LEARN {UUID} 12345670") == "OK\n"
    assert call(ctx, "WPS_ER_LEARN 02:00:00:00:01:00 12345670") == "OK\n"
    # what `wpa_cli wps_er_config UUID 12345670 new-ssid WPA2PSK CCMP newpassphrase` sends: hex SSID and key
    assert call(ctx, f"WPS_ER_CONFIG {UUID} 12345670 {b'new-ssid'.hex()} WPA2PSK CCMP {b'newpassphrase'.hex()}") == "OK\n"
    # wpa_cli with five arguments sends an empty key: an open network
    assert call(ctx, f"WPS_ER_CONFIG {UUID} 12345670 {b'open'.hex()} OPEN NONE ") == "OK\n"
    assert call(ctx, f"WPS_ER_SET_CONFIG {UUID} 3") == "OK\n"
    assert call(ctx, "WPS_ER_PIN any 12345670") == "OK\n"
    assert call(ctx, "WPS_ER_PIN 02:11:22:33:44:55 1234 02:11:22:33:44:55") == "OK\n"
    assert call(ctx, "WPS_ER_PIN any 12345670 not-a-mac") == "OK\n"  # ignored, as wpa_supplicant does
    assert call(ctx, f"WPS_ER_PBC {UUID}") == "OK\n"
    assert call(ctx, "WPS_ER_STOP") == "OK\n"
    mac = bytes.fromhex("020000000100")
    assert er.calls == [
        ("start", ""), ("start", "ifname=eth0 192.0.2.1"),
        ("learn", UUID_B, None, "12345670"), ("learn", None, mac, "12345670"),
        ("config", UUID_B, None, "12345670", Credential(b"new-ssid", AuthType.WPA2PSK, EncrType.AES, b"newpassphrase")),
        ("config", UUID_B, None, "12345670", Credential(b"open", AuthType.OPEN, EncrType.NONE, b"")),
        ("set_config", UUID_B, None, 3),
        ("add_pin", "any", None, None, "12345670", None),
        ("add_pin", "02:11:22:33:44:55", None, bytes.fromhex("021122334455"), "1234", bytes.fromhex("021122334455")),
        ("add_pin", "any", None, None, "12345670", None),
        ("pbc", UUID_B, None), ("stop",),
    ]


@pytest.mark.parametrize("line", [
    "WPS_ER_LEARN not-a-uuid 12345670",
    f"WPS_ER_LEARN {UUID}",
    f"WPS_ER_LEARN {UUID} 12a45670",
    f"WPS_ER_LEARN {UUID} 123456",  # PINs are 4 or 8 digits (wpa_supplicant passes anything on)
    f"WPS_ER_CONFIG {UUID} 12345670 6e6577 WPA2PSK CCMP",  # WPA2PSK without a key: unusable, refused
    f"WPS_ER_CONFIG {UUID} 12345670 6e6577 WPA2PSK WEP 3132333435",  # WEP: only in testing builds
    f"WPS_ER_CONFIG {UUID} 12345670 6e657 WPA2PSK CCMP {b'longenough'.hex()}",  # odd hex
    f"WPS_ER_CONFIG {UUID} 12345670 zz WPA2PSK CCMP {b'longenough'.hex()}",
    f"WPS_ER_CONFIG {UUID} 12345670 {'41' * 33} WPA2PSK CCMP {b'longenough'.hex()}",  # SSID over 32 bytes
    f"WPS_ER_CONFIG {UUID} 12345670 6e6577 WPA3 CCMP {b'longenough'.hex()}",
    f"WPS_ER_CONFIG {UUID} 12345670 6e6577 OPEN CCMP ",
    f"WPS_ER_CONFIG {UUID} 12345670 6e6577 WPA2PSK CCMP {b'new-line-0a'.hex()}0a",  # a newline in the key
    f"WPS_ER_SET_CONFIG {UUID} x",
    "WPS_ER_PIN any",
    "WPS_ER_PBC nonsense",
])
def test_bad_arguments_fail(line):
    er = FakeEr()
    with pytest.raises(CommandFailed):
        call(Ctx(er), line)
    assert er.calls == []


def test_refusals_become_wpa_supplicant_replies():
    assert call(Ctx(FakeEr(ErError("overlap", "FAIL-PBC-OVERLAP"))), f"WPS_ER_PBC {UUID}") == "FAIL-PBC-OVERLAP\n"
    assert call(Ctx(FakeEr(ErError("x", "FAIL-UNKNOWN-UUID"))), f"WPS_ER_PBC {UUID}") == "FAIL-UNKNOWN-UUID\n"
    assert call(Ctx(FakeEr(ErError("x", "FAIL-NO-AP-SETTINGS"))), f"WPS_ER_PBC {UUID}") == "FAIL-NO-AP-SETTINGS\n"
    for line in (f"WPS_ER_LEARN {UUID} 12345670", "WPS_ER_START", "WPS_ER_PIN any 1234"):
        with pytest.raises(CommandFailed):
            call(Ctx(FakeEr(ErError("no"))), line)


# -- policy -----------------------------------------------------------------------------------------------------


def test_selected_registrar_config_methods_as_wpa_supplicant_sent_them():
    # Debian wpa_supplicant's ER sent sel_reg_config_methods=0x3148 after wps_er_pin and 0x35c8 after
    # wps_er_pbc (its debug log on the wired lab): push button is taken out for PINs, and PBC adds it with
    # the physical flag when the configuration names neither virtual nor physical
    policy = ErPolicy(0x3148)
    policy.add_pin(None, "12345670", None, now=0.0)
    sel = policy.selected_registrar(1.0)
    assert (sel.selected, sel.dev_password_id, sel.config_methods, sel.authorized_macs) == (True, 0, 0x3148, (BROADCAST,))
    policy.push_button(UUID_B, now=1.0)
    sel = policy.selected_registrar(2.0)
    assert (sel.dev_password_id, sel.config_methods, sel.ap_uuid) == (4, 0x35C8, UUID_B)
    message = parse_attrs(set_selected_registrar_message(sel, DEVICE.uuid))
    assert [a.type for a in message] == [A.VERSION, A.SELECTED_REGISTRAR, A.DEV_PASSWORD_ID,
                                         A.SELECTED_REGISTRAR_CONFIG_METHODS, A.VENDOR_EXT, A.UUID_R]
    assert parse_wfa_subelems(message.get(A.VENDOR_EXT)[3:])[WfaSubelem.AUTHORIZED_MACS] == BROADCAST
    assert message.get(A.UUID_R) == DEVICE.uuid


def test_pins_pbc_and_expiry():
    policy = ErPolicy(0x2388)
    uuid_e, mac = bytes(range(16, 32)), bytes.fromhex("02bb00000001")
    assert policy.password_for(uuid_e, mac, 0, UUID_B, 0.0) == (None, DevicePasswordId.DEFAULT)
    policy.add_pin(None, "11111111", None, 0.0)
    policy.add_pin(uuid_e, "22222222", None, 0.0)
    assert policy.password_for(uuid_e, mac, 0, UUID_B, 1.0)[0] == b"22222222"  # its own PIN first
    assert policy.password_for(bytes(16), mac, 0, UUID_B, 1.0)[0] == b"11111111"
    policy.completed(b"22222222", uuid_e)
    assert policy.password_for(uuid_e, mac, 0, UUID_B, 1.0)[0] == b"11111111"
    assert policy.expire(limits.PIN_LIFETIME + 1) and policy.pins == []
    # PBC: only for the AP it was pushed for, only within walk time, and not while two enrollees push
    assert policy.password_for(uuid_e, mac, 4, UUID_B, 0.0)[0] is None
    policy.push_button(UUID_B, 10.0)
    assert policy.password_for(uuid_e, mac, 4, UUID_B, 11.0) == (PBC_PASSWORD, DevicePasswordId.PUSHBUTTON)
    assert policy.password_for(uuid_e, mac, 4, bytes(16), 11.0)[0] is None
    assert policy.password_for(uuid_e, mac, 4, UUID_B, 10.0 + limits.PBC_WALK_TIME + 1)[0] is None
    policy.saw_pbc_enrollee(mac, uuid_e, 0.0)
    assert not policy.pbc_overlap(1.0)
    policy.saw_pbc_enrollee(bytes.fromhex("02bb00000002"), bytes(16), 1.0)
    assert policy.pbc_overlap(2.0) and not policy.pbc_overlap(limits.PBC_WALK_TIME + 5)
    for i in range(1000):  # endless probe requests cannot grow the table
        policy.saw_pbc_enrollee(i.to_bytes(6, "big"), i.to_bytes(16, "big"), 3.0)
    assert len(policy._pbc_seen) <= 4 * limits.MAX_ENROLLEES_PER_AP + 1


# -- model -------------------------------------------------------------------------------------------------------


def test_wlan_event_parsing():
    event = parse_wlan_event(b"\x02" + b"02:bb:00:00:00:01" + b"\x10\x4a\x00\x01\x10")
    assert (event.kind, event.mac, event.body) == (WlanEventType.EAP, bytes.fromhex("02bb00000001"), b"\x10\x4a\x00\x01\x10")
    for bad in (b"", b"\x02" + b"02:bb:00:00:00", b"\x09" + b"02:bb:00:00:00:01", b"\x01" + b"02-bb-00-00-00-01",
                b"\x01" + b"zz:bb:00:00:00:01", b"\x01" + b"02:bb:00:00:0001 "):
        with pytest.raises(WlanEventError):
            parse_wlan_event(bad)


def test_clean_text():
    assert clean_text("Rogue|AP\nx") == "Rogue?AP?x"
    assert clean_text(b"\xff\xfeok") == "\ufffd\ufffdok"  # undecodable bytes show as U+FFFD, not raw
    assert len(clean_text("a" * 10000)) == 128


# -- SSDP ----------------------------------------------------------------------------------------------------------


def test_read_ssdp():
    upnp = pytest.importorskip("pywps.er.upnp")
    base = {"_remote_addr": ("192.0.2.1", 1900), "cache-control": "max-age=1801",
            "location": "http://192.0.2.1:49152/wps_device.xml",
            "st": "urn:schemas-wifialliance-org:device:WFADevice:1",
            "usn": f"uuid:{UUID}::urn:schemas-wifialliance-org:device:WFADevice:1"}
    notice = upnp.read_ssdp(base, False)
    assert (notice.source, notice.uuid, notice.max_age, notice.byebye) == ("192.0.2.1", UUID_B, 1801, False)
    assert upnp.read_ssdp({**base, "st": "upnp:rootdevice"}, False) is None  # not a WPS answer
    assert upnp.read_ssdp({**base, "cache-control": "no-cache"}, False) is None  # no max-age: no AP (as hostap)
    assert upnp.read_ssdp({**base, "cache-control": "max-age=x"}, False) is None
    assert upnp.read_ssdp({**base, "cache-control": "max-age=99999999"}, False).max_age == limits.MAX_AGE_CAP
    assert upnp.read_ssdp({**base, "location": "http://x/" + "a" * 600}, False) is None
    assert upnp.read_ssdp({**base, "usn": "uuid:nonsense"}, False).uuid == bytes(16)
    assert upnp.parse_uuid(f"uuid:{UUID}") == UUID_B and upnp.parse_uuid("uuid:1234") is None


def test_upnp_is_imported_only_by_wps_er_start():
    code = ("import sys, pywps.er, pywps.ctrl.er_commands, pywps.ctrl.events; "
            "assert 'async_upnp_client' not in sys.modules and 'aiohttp' not in sys.modules; print('lazy')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "lazy", result.stderr


# -- the service with a fake UPnP link ----------------------------------------------------------------------------


class FakeLink:
    def __init__(self, ip, on_ssdp, is_ap) -> None:
        self.on_ssdp, self.opened, self.searches = on_ssdp, [], 0

    async def start(self):
        pass

    def search(self):
        self.searches += 1

    async def open_ap(self, location, source):
        self.opened.append(location)
        await asyncio.sleep(3600)  # the description never comes: the entry only holds its place

    async def close(self):
        pass


def notice(source: str, uuid: bytes, byebye: bool = False, max_age: int = 1800):
    from pywps.er.upnp import SsdpNotice

    return SsdpNotice(source, f"http://{source}:49152/d.xml", uuid, max_age, byebye)


def service(events: list) -> ErService:
    return ErService(lambda: DEVICE, events.append, lambda i: None, "lo", link_factory=FakeLink)


def test_ssdp_storm_filter_and_byebye():
    pytest.importorskip("pywps.er.upnp")

    async def main():
        events: list = []
        svc = service(events)
        await svc.start("")
        for i in range(500):  # a storm of distinct "APs" on our network
            svc._on_ssdp(notice("127.0.0.2", i.to_bytes(16, "big") or b"\x01" * 16))
        assert len(svc.aps) == limits.MAX_APS
        svc._on_ssdp(notice("10.0.0.1", b"\x07" * 16))  # not on lo's network
        assert len(svc.aps) == limits.MAX_APS
        await asyncio.sleep(0)
        assert len(svc.link.opened) == limits.MAX_PENDING  # descriptions fetched at once
        svc._on_ssdp(notice("127.0.0.2", b"\x00" * 15 + b"\x05"))  # a repeat only renews max-age
        assert len(svc.aps) == limits.MAX_APS
        svc._on_ssdp(notice("127.0.0.2", b"", byebye=True))
        await asyncio.sleep(0.05)
        assert svc.aps == {} and events == []  # none was announced, so none is reported removed
        await svc.stop()

        svc = service(events)
        await svc.start("ifname=lo 127.0.0.9")
        svc._on_ssdp(notice("127.0.0.2", b"\x01" * 16))
        svc._on_ssdp(notice("127.0.0.9", b"\x02" * 16))
        svc._on_ssdp(notice("127.0.0.9", b"\x00" * 16))  # no UUID in USN
        assert [ap.source for ap in svc.aps.values()] == ["127.0.0.9"]
        svc._on_ssdp(notice("127.0.0.9", b"\x02" * 16, max_age=1))
        await asyncio.sleep(1.2)  # max-age ran out
        assert svc.aps == {}
        await svc.stop()

    asyncio.run(main())


def test_service_refusals():
    pytest.importorskip("pywps.er.upnp")

    async def main():
        svc = service([])
        with pytest.raises(ErError):
            svc.learn(UUID_B, None, "12345670")  # not started
        with pytest.raises(ErError):
            await svc.start("ifname=nonexistent0")
        with pytest.raises(ErError):
            await svc.start("not-an-address")
        svc.add_pin("any", None, None, "12345670", None)  # as wpa_supplicant: a PIN needs no running ER
        await svc.start("")
        with pytest.raises(ErError):
            svc.learn(UUID_B, None, "12345670")  # no such AP
        with pytest.raises(ErError) as e:
            svc.pbc(UUID_B, None)
        assert e.value.reply == "FAIL-UNKNOWN-UUID"
        with pytest.raises(ErError):
            svc.set_config(UUID_B, None, 0)  # no such network
        await svc.stop()
        await svc.stop()  # stopping twice is fine, as WPS_ER_STOP is for wpa_supplicant

    asyncio.run(main())


# -- texts ---------------------------------------------------------------------------------------------------------


def text(event) -> str:
    (only,) = texts.event_texts(event)
    return only


def test_event_texts():
    mac = bytes.fromhex("02bb00000001")
    assert text(ErEnrolleeAdded(UUID_B, mac, True, 0x2388, 4, bytes.fromhex("00010050f2040001"),
                                                 "sta", "m", "n", "1", "2")) == \
        f"WPS-ER-ENROLLEE-ADD {UUID} 02:bb:00:00:00:01 M1=1 config_methods=0x2388 dev_passwd_id=4 pri_dev_type=1-0050F204-1 |sta|m|n|1|2|"
    assert text(ErEnrolleeRemoved(UUID_B, mac)) == f"WPS-ER-ENROLLEE-REMOVE {UUID} 02:bb:00:00:00:01"
    start = ErSetSelectedRegistrar(UUID_B, SelRegState.START, True, 0, 0x3148)
    assert text(start) == \
        f"WPS-ER-AP-SET-SEL-REG uuid={UUID} state=START sel_reg=1 dev_passwd_id=0 sel_reg_config_methods=0x3148"
    failed = ErSetSelectedRegistrar(UUID_B, SelRegState.FAILED)
    assert text(failed) == f"WPS-ER-AP-SET-SEL-REG uuid={UUID} state=FAILED"
    assert (texts.event_level(start) == texts.LEVEL_DEBUG) and not (texts.event_level(failed) == texts.LEVEL_DEBUG)
    assert not (texts.event_level(ErSuccess(mac)) == texts.LEVEL_DEBUG)
    assert text(ErFailure(8, 18)) == "WPS-FAIL msg=8 config_error=18"
    assert text(ErApAdded(UUID_B, mac, bytes(8), 2)) == \
        f"WPS-ER-AP-ADD {UUID} 02:bb:00:00:00:01 pri_dev_type=0-00000000-0 wps_state=2 |||||||"
    from pywps.er.events import ErApSettings

    odd = Credential(b'a"b\\c\n\xff', AuthType.OPEN, EncrType.NONE)
    assert text(ErApSettings(UUID_B, odd)) == \
        f'WPS-ER-AP-SETTINGS uuid={UUID} ssid=a\\"b\\\\c\\n\\xff auth_type=0x0001 encr_type=0x0001 key='
    assert set(texts.ER_TEXT) == {c.__name__ for c in _event_classes()}


def _event_classes():
    from pywps.er import events

    return [c for c in vars(events).values() if isinstance(c, type) and issubclass(c, events.ErEvent) and c is not events.ErEvent]

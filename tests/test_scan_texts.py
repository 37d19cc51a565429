"""The WPS IE parser and the BSS table's wpa_supplicant texts, without a radio (the VM tests compare them with
Debian wpa_supplicant on a real scan)."""

from __future__ import annotations

from hypothesis import given, strategies as st

from pywps.ctrl.events import ssid_text
from pywps.ctrl.scan_texts import SCAN_RESULTS_HEADER, bss_text, flags_text, scan_results_text, select_bsses, wps_lines
from pywps.driver.base import ScanEntry
from pywps.station.bss import Bss, BssTable
from pywps.wps.attributes import build_attrs, build_wfa_ext, parse_attrs, u8, u16
from pywps.wps.defs import AttrType, DevicePasswordId, RequestType, WfaSubelem
from pywps.wps.device import DeviceInfo
from pywps.wps.ie import RegistrarMode, iter_elements, probe_request_ie, wps_info_from_ies

OWN = bytes.fromhex("020000000100")
RSN = bytes.fromhex("30140100000fac040100000fac040100000fac020000")


def wps_ie(selected: bool = False, password_id: int | None = None, macs: bytes = b"") -> bytes:
    attrs = [(AttrType.VERSION, u8(0x10)), (AttrType.WPS_STATE, u8(2))]
    if selected:
        attrs.append((AttrType.SELECTED_REGISTRAR, u8(1)))
    if password_id is not None:
        attrs.append((AttrType.DEV_PASSWORD_ID, u16(password_id)))
    sub = [(WfaSubelem.VERSION2, b"\x20")] + ([(WfaSubelem.AUTHORIZED_MACS, macs)] if macs else [])
    attrs.append((AttrType.VENDOR_EXT, build_wfa_ext(sub)))
    body = b"\x00\x50\xf2\x04" + build_attrs(attrs)
    return bytes([221, len(body)]) + body


def entry(ies: bytes, bssid: bytes = b"\x02" * 6, signal: int = -3000, freq: int = 2412) -> ScanEntry:
    return ScanEntry(bssid, freq, signal, 0x411, 100, b"\x00\x04test" + RSN + ies)


def test_registrar_modes_follow_hostaps_precedence():
    cases = [
        (wps_ie(), RegistrarMode.NONE, "[WPS]"),
        (wps_ie(True, 4), RegistrarMode.PBC, "[WPS-PBC]"),
        (wps_ie(True, 0, b"\xff" * 6), RegistrarMode.AUTH, "[WPS-AUTH]"),
        (wps_ie(True, 0, OWN), RegistrarMode.AUTH, "[WPS-AUTH]"),
        (wps_ie(True, 0, b"\x02\x00\x00\x00\x03\x00"), RegistrarMode.PIN, "[WPS-PIN]"),
    ]
    for ie, mode, flag in cases:
        info = wps_info_from_ies(ie)
        assert info.mode_for(OWN) is mode and info.flag_text(OWN) == flag


def test_scan_results_row_and_bss_lines():
    table = BssTable()
    table.update([entry(wps_ie(True, 4))], now=100.0)
    text = scan_results_text(table, OWN)
    assert text == f"{SCAN_RESULTS_HEADER}\n02:02:02:02:02:02\t2412\t-30\t[WPA2-PSK-CCMP][WPS-PBC][ESS]\ttest\n"
    lines = bss_text(table, "0", OWN, 103.0).splitlines()
    assert lines[:3] == ["id=0", "bssid=02:02:02:02:02:02", "freq=2412"]
    assert "age=3" in lines and "wps_selected_registrar=1" in lines and "wps_device_password_id=4" in lines


def test_ids_stay_stable_and_old_entries_age_out():
    table = BssTable()
    a, b = b"\x02" * 6, b"\x04" * 6
    table.update([entry(b"", a)], now=0.0)
    table.update([entry(b"", b), entry(b"", a)], now=1.0)
    assert [x.id for x in table] == [0, 1]
    assert [x.id for x in select_bsses(table, "NEXT-0")] == [1] and select_bsses(table, "RANGE=ALL")[0].bssid == a
    for t in (200.0, 201.0):
        table.update([entry(b"", b)], now=t)
    assert [x.bssid for x in table] == [b]


def test_a_bss_leaves_after_missing_two_scans_of_its_channel_whatever_its_age():
    """wpa_bss_update_end: a BSS that the results of a scan covering its channel lack has missed that scan, and
    leaves at bss_expiration_scan_count misses (2); a scan of other channels, or the kernel's cache read without
    a scan, counts none; seen again, it starts over; the BSS we are on stays (the VM's events test compares
    with wpa_supplicant)."""
    table = BssTable()
    a, b = b"\x02" * 6, b"\x04" * 6
    assert [x.id for x in table.update([entry(b"", a), entry(b"", b, freq=2437)], now=0.0)[0]] == [0, 1]
    assert table.update([entry(b"", a)], 1.0, scanned=[2412]) == ([], [])  # not b's channel
    assert table.update([entry(b"", a)], 2.0, scanned=None) == ([], [])  # the kernel's cache
    assert table.update([entry(b"", a)], 3.0) == ([], [])  # every channel: b's first miss
    assert table.update([entry(b"", a), entry(b"", b, freq=2437)], 4.0) == ([], [])  # seen again: starts over
    assert table.update([entry(b"", a)], 5.0, scanned=[2437]) == ([], [])
    assert [x.bssid for x in table.update([entry(b"", a)], 6.0)[1]] == [b]
    for t in (7.0, 8.0):
        assert table.update([], t, keep=a) == ([], [])
    assert [x.id for x in table.update([entry(b"", b, freq=2437)], 9.0)[0]] == [2]  # back, with a new id


def test_the_age_rule_drops_what_was_not_seen_for_bss_expiration_age():
    """wpa_bss_timeout, which the station applies every EXPIRATION_PERIOD seconds: older than
    bss_expiration_age, gone (not the BSS we are on), whatever scans said."""
    table = BssTable()
    a, b = b"\x02" * 6, b"\x04" * 6
    table.update([entry(b"", a)], now=0.0)
    table.update([entry(b"", b)], now=50.0)
    table.expiration_age = 60.0
    assert table.expire(60.0) == []
    assert [x.bssid for x in table.expire(61.0)] == [a]
    assert table.expire(200.0, keep=b) == []
    assert [x.bssid for x in table.expire(200.0)] == [b] and len(table) == 0
    # the walk ends at the first entry seen lately, in update order: one added later but seen earlier (the
    # kernel's cache said so) waits behind it, as in wpa_bss_flush_by_age
    table.update([entry(b"", a)], now=210.0)
    table.update([ScanEntry(b, 2412, -3000, 0x411, 100, b"\x00\x04test" + RSN, age_ms=20000)], now=220.0)
    assert table.flush(5.0, 214.0) == [] and len(table) == 2
    assert [x.bssid for x in table.flush(5.0, 216.0)] == [a, b]


def test_a_hidden_ap_is_two_entries_and_entries_leave_in_the_order_they_were_last_updated():
    """wpa_supplicant keeps a BSS per (BSSID, SSID): a hidden AP's beacons (empty SSID) and its answers to a
    probe for its SSID are two entries, each with its id; `BSS <bssid>` shows the one updated last
    (wpa_bss_get_bssid). An update moves an entry to the end of the list that flushes and expiry walk, so they
    drop the entries least lately seen first; a result without an SSID element is left out (the VM's events
    test compares the hidden AP with wpa_supplicant)."""
    table = BssTable()
    a, hidden = b"\x02" * 6, b"\x04" * 6
    beacon_of_hidden = ScanEntry(hidden, 2437, -3000, 0x411, 100, b"\x00\x00" + RSN)
    answer_of_hidden = ScanEntry(hidden, 2437, -3000, 0x411, 100, b"\x00\x06second" + RSN)
    no_ssid = ScanEntry(b"\x06" * 6, 2412, -3000, 0x411, 100, RSN)
    assert [(x.id, x.ssid) for x in table.update([entry(b"", a), beacon_of_hidden, no_ssid], 0.0)[0]] == [
        (0, b"test"), (1, b"")]
    assert [(x.id, x.ssid) for x in table.update([answer_of_hidden], 1.0, probed=[b"second"])[0]] == [(2, b"second")]
    assert table.get(hidden).id == 2
    table.update([beacon_of_hidden, entry(b"", a)], 2.0, scanned=None)
    assert table.get(hidden).id == 1
    assert [x.id for x in table] == [0, 1, 2]
    assert [x.id for x in table.flush(0, 3.0)] == [2, 1, 0]


def test_results_are_folded_in_wpa_supplicants_order():
    """wpa_scan_result_compar (2.10), which numbers new BSSes: WPA/RSN first, then Privacy; SNRs within 7 dB
    (capped at 25): the higher est_throughput; within 5 dB: 5 GHz first; else the higher SNR; equal ones keep the
    kernel's order. During a WPS search: a WPS element first, a selected registrar first, then the level."""
    from pywps.station.ranking import scan_order

    def bss(name: int, ies: bytes = RSN, signal: int = -6000, freq: int = 2412, cap: int = 0x411) -> ScanEntry:
        rates = b"\x01\x04\x82\x84\x8b\x96" if name != 9 else b"\x01\x08\x82\x84\x8b\x96\x0c\x12\x18\x24"
        return ScanEntry(bytes([2, 0, 0, 0, 0, name]), freq, signal, cap, 100, b"\x00\x01x" + rates + ies)

    def order(*entries: ScanEntry, wps: bool = False) -> list[int]:
        return [e.bssid[5] for e in scan_order(list(entries), [], wps)]

    assert order(bss(1, ies=b"", signal=-3000, cap=0x401), bss(2)) == [2, 1]  # RSN beats a stronger open AP
    assert order(bss(1, ies=b"", cap=0x401), bss(2, ies=b"", cap=0x411)) == [2, 1]  # then Privacy
    assert order(bss(1, signal=-7000), bss(9, signal=-7500)) == [9, 1]  # 5 dB apart: 54 Mbit/s beats 11
    assert order(bss(1, signal=-7000), bss(9, signal=-7800)) == [1, 9]  # 8 dB: the SNR
    assert order(bss(1, signal=-3000), bss(9, signal=-5000)) == [9, 1]  # both above 25 dB: capped, the rate
    assert order(bss(1, signal=-6000), bss(2, signal=-6300, freq=5180)) == [2, 1]  # 3 dB: 5 GHz (-92 dBm floor)
    assert order(bss(3), bss(1), bss(2)) == [3, 1, 2]  # equal: as the kernel listed them
    selected = wps_ie(selected=True, password_id=0)
    assert order(bss(1, signal=-3000), bss(2, ies=wps_ie(), signal=-7000), wps=True) == [2, 1]
    assert order(bss(1, ies=wps_ie(), signal=-3000), bss(2, ies=selected, signal=-7000), wps=True) == [2, 1]
    assert order(bss(1, ies=selected, signal=-7000), bss(2, ies=selected, signal=-3000), wps=True) == [2, 1]
    broken = bytes([221, 6]) + b"\x00\x50\xf2\x04\x10\x4a"  # a WPS element whose attribute is cut short
    assert order(bss(1, ies=broken, signal=-3000), bss(2, ies=wps_ie(), signal=-7000), wps=True) == [2, 1]
    assert order(bss(1, ies=broken, signal=-3000), bss(2, signal=-3000), wps=True) == [1, 2]  # still a WPS one


def test_ssid_text_escapes_like_wpa_ssid_txt():
    assert ssid_text(b'a"b\\c\n\x01') == 'a\\"b\\\\c\\n\\x01'


def test_probe_request_ie_splits_and_parses_back():
    device = DeviceInfo(uuid=bytes(16), mac_address=OWN, device_name=b"d" * 32, manufacturer=b"m" * 64,
                        model_name=b"n" * 32, model_number=b"x" * 32)
    ie = probe_request_ie(device, RequestType.ENROLLEE_OPEN_8021X, DevicePasswordId.PUSHBUTTON)
    parts = list(iter_elements(ie))
    assert len(parts) == 2 and all(eid == 221 for eid, _ in parts)  # over 251 bytes: two vendor elements
    info = wps_info_from_ies(ie)
    assert info.dev_password_id == 4 and info.device_name == b"d" * 32


def probe_attrs(ie: bytes):
    return parse_attrs(b"".join(body[4:] for _, body in iter_elements(ie)))


def test_probe_request_ie_says_what_wpa_supplicant_says():
    """As wps_build_probe_req_ie (tests/vm/guest/test_hwsim_wps.py compares the frames on the air): the device
    as M1 gives it (a space for an empty string), Request to Enroll while enrolling, the run's request type."""
    device = DeviceInfo(uuid=bytes(16), mac_address=OWN)
    enrolling = probe_attrs(probe_request_ie(device, RequestType.ENROLLEE_OPEN_8021X))
    assert enrolling.get(AttrType.REQUEST_TYPE) == b"\x01" and enrolling.get(AttrType.DEV_NAME) == b" "
    assert enrolling.wfa_ext() == {WfaSubelem.VERSION2: b"\x20", WfaSubelem.REQUEST_TO_ENROLL: b"\x01"}
    for request in (RequestType.ENROLLEE_INFO, RequestType.REGISTRAR):
        other = probe_attrs(probe_request_ie(device, request))
        assert other.get(AttrType.REQUEST_TYPE) == bytes([request])
        assert other.wfa_ext() == {WfaSubelem.VERSION2: b"\x20"}


@given(st.binary(max_size=400))
def test_hostile_ies_never_raise(ies):
    info = wps_info_from_ies(ies)
    flags_text(Bss(0, ScanEntry(b"\x02" * 6, 2412, -3000, 0x11, 100, ies), 0.0, 0), OWN)
    if info is not None:
        wps_lines(info)

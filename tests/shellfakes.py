"""In-memory links for testing the asyncio shell in-process (no root, no hostapd): a wired driver and a radio
driver whose far ends are in-process APs built from the core's own authenticator and registrar roles and from
the WPA test authenticator of test_wpa_handshake.py (which shares no code with pywps.wpa)."""

from __future__ import annotations

import asyncio
import errno
from collections.abc import Callable

from pywps.driver.base import (
    PAE_GROUP_ADDR,
    Driver,
    DriverError,
    LinkConnected,
    LinkCrypto,
    LinkDisconnected,
    ScanEntry,
    ScanParams,
    ScanResults,
    ScanStarted,
)
from pywps.wpa.rsn import MGMT_GROUP_CIPHERS, Akm, Cipher
from pywps.wps.attributes import build_attrs, build_wfa_ext, u8, u16
from pywps.wps.credential import Credential
from pywps.wps.defs import AttrType, AuthType, DevicePasswordId, EncrType, WfaSubelem
from pywps.wps.device import DeviceInfo
from pywps.wps.eap import EapAuthenticator, EapCode, EapolType, build_eapol, parse_eap, parse_eapol
from pywps.wps.enrollee import Enrollee, EnrolleeConfig
from pywps.wps.registrar import Registrar, RegistrarConfig
from test_wpa_handshake import AP, STA, Authenticator

SSID = b"pywps-test"  # test_wpa_handshake's PMK is for this SSID and "correct horse battery"
PASSPHRASE = b"correct horse battery"
PIN = "12345670"
AP_DEVICE = DeviceInfo(uuid=bytes(range(16)), mac_address=AP, device_name=b"FakeAP")
CRED = Credential(SSID, AuthType.WPA2PSK, EncrType.AES, PASSPHRASE, mac_address=STA)
EAPOL_START = build_eapol(EapolType.START)


def is_logoff(pdu: bytes) -> bool:
    return parse_eapol(pdu).type == EapolType.LOGOFF


def is_eap_failure(pdu: bytes) -> bool:
    """An EAPOL frame carrying an EAP-Failure."""
    eapol = parse_eapol(pdu)
    return eapol.type == EapolType.EAP_PACKET and parse_eap(eapol.body).code == EapCode.FAILURE


class WscAp:
    """The WPS side of an AP: an EAP authenticator with an internal registrar (for wps_pin/wps_pbc) and an
    AP enrollee (for wps_reg), as hostapd has both."""

    def __init__(self, pin: str | None = PIN, pbc: bool = False, credential: Credential = CRED,
                 ap_pin: str = PIN) -> None:
        self.pin, self.pbc, self.credential, self.ap_pin = pin, pbc, credential, ap_pin
        self.auth = self._new()
        self.received: list[bytes] = []
        self.mute = False  # stop answering, as an AP that went away in the middle of a run
        self.mute_after_identity_request = False

    def _new(self) -> EapAuthenticator:
        password = b"00000000" if self.pbc else (self.pin.encode() if self.pin else None)
        reg = RegistrarConfig(AP_DEVICE, password,
                              DevicePasswordId.PUSHBUTTON if self.pbc else DevicePasswordId.DEFAULT,
                              enrollee_is_ap=False, credentials=(self.credential,))
        enrollee = EnrolleeConfig(AP_DEVICE, self.ap_pin.encode(), ap_settings=self.credential)
        return EapAuthenticator(registrar_factory=lambda: Registrar(reg), enrollee_factory=lambda: Enrollee(enrollee))

    def begin(self) -> list[bytes]:
        """A station associated for WPS: hostapd's authenticator begins EAP at once (EAP-Request/Identity), as
        an EAPOL-Start would make it (wpa_supplicant and pywps then send none)."""
        return self._answer(EAPOL_START)

    def receive(self, pdu: bytes) -> list[bytes]:
        self.received.append(pdu)
        return self._answer(pdu)

    def _answer(self, pdu: bytes) -> list[bytes]:
        if self.mute:
            return []
        if len(pdu) > 1 and pdu[1] == 1 and self.auth.finished:  # EAPOL-Start after a finished run: a new one
            self.auth = self._new()
        self.auth.receive(pdu)
        while self.auth.next_event() is not None:
            pass
        if self.mute_after_identity_request:
            self.mute = True
        return self.auth.frames_to_send()


class FakeWiredDriver(Driver):
    """A wired port whose far end is a WscAp; frames cross with a loop turn, as on a real link."""

    name = "wired"
    can_scan = False

    def __init__(self, ap: WscAp | None = None, ap_addr: bytes = AP) -> None:
        super().__init__("fake0")
        self.ap = ap
        self.ap_addr = ap_addr
        self.sent: list[tuple[bytes, bytes]] = []
        self.started = self.stopped = False
        self.eap_failure_delay = 0.0  # seconds the AP's EAP-Failure takes (a loaded machine: a tenth or more)

    @property
    def own_addr(self) -> bytes:
        return STA

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.stopped = True

    async def send_eapol(self, dst: bytes, pdu: bytes) -> None:
        if self.stopped:
            raise DriverError("driver stopped")
        self.sent.append((dst, pdu))
        if self.ap is not None and dst in (self.ap_addr, PAE_GROUP_ADDR):
            for reply in self.ap.receive(pdu):
                loop = asyncio.get_running_loop()
                if self.eap_failure_delay and is_eap_failure(reply):
                    loop.call_later(self.eap_failure_delay, self._deliver, self.ap_addr, reply)
                else:
                    loop.call_soon(self._deliver, self.ap_addr, reply)

    def _deliver(self, src: bytes, pdu: bytes) -> None:
        if self.on_eapol is not None and not self.stopped:
            self.on_eapol(src, pdu)


# -- a radio -------------------------------------------------------------------------------------------------


def wps_ie(selected: bool = True, password_id: int = 0, uuid: bytes = AP_DEVICE.uuid) -> bytes:
    attrs = [(AttrType.VERSION, u8(0x10)), (AttrType.WPS_STATE, u8(2))]
    if selected:
        attrs += [(AttrType.SELECTED_REGISTRAR, u8(1)), (AttrType.DEV_PASSWORD_ID, u16(password_id)),
                  (AttrType.SELECTED_REGISTRAR_CONFIG_METHODS, u16(0x4388))]
    attrs += [(AttrType.UUID_E, uuid), (AttrType.VENDOR_EXT, build_wfa_ext([(WfaSubelem.VERSION2, u8(0x20))]))]
    body = b"\x00\x50\xf2\x04" + build_attrs(attrs)
    return bytes([221, len(body)]) + body


RSN_CCMP = bytes.fromhex("30140100000fac040100000fac040100000fac020000")


def beacon(bssid: bytes = AP, ssid: bytes = SSID, wps: bytes = b"", signal: int = -3000,
           freq: int = 2412, rsn: bytes = RSN_CCMP) -> ScanEntry:
    ies = bytes([0, len(ssid)]) + ssid + rsn + wps
    return ScanEntry(bssid, freq, signal, 0x0411, 100, ies)


BIP_SUITES = {c.suite for c in MGMT_GROUP_CIPHERS}


class FakeAp:
    """One BSS on the fake radio: a WPS registrar and a WPA2-PSK authenticator (test_wpa_handshake's); with
    `mgmt_group` it offers management frame protection (MFPC, `mfpr` to require it) and delivers IGTKs to a
    station that asks the kernel for it."""

    def __init__(self, wsc: WscAp | None = None, bssid: bytes = AP, freq: int = 2412, signal: int = -3000,
                 akm: Akm = Akm.PSK, mgmt_group: Cipher | None = None, mfpr: bool = False,
                 cipher: Cipher = Cipher.CCMP, bigtk_key_id: int | None = None) -> None:
        self.bssid = bssid
        self.freq = freq
        self.signal = signal  # mBm, as scans report it
        self.akm, self.mgmt_group, self.cipher = akm, mgmt_group, cipher  # cipher: pairwise and group alike
        self.rsn = Authenticator(cipher, cipher, akm=akm, mgmt_group=mgmt_group).ie
        if mfpr:  # the MFPR bit beside MFPC in the element's capabilities
            self.rsn = self.rsn[:20] + bytes([self.rsn[20] | 0x40]) + self.rsn[21:]
        self.wsc = wsc or WscAp()
        self.igtk_key_id = 4  # the KeyID its IGTK KDEs carry (0x0400: an AP that swaps the bytes)
        self.bigtk_key_id = bigtk_key_id  # with one, it sends BIGTKs beside its IGTKs (hostapd's beacon_prot=1)
        self.wpa: Authenticator | None = None
        self.wrong_key = False  # drop the station after its message 2, as an AP does when the MIC is wrong
        self.completed = False

    def associated(self, crypto: LinkCrypto | None, sta: bytes = STA, ies: bytes = b"") -> list[bytes]:
        self.completed = False
        if crypto is None:
            return self.wsc.begin()
        protected = self.mgmt_group is not None and crypto.mfp == 2
        self.wpa = Authenticator(self.cipher, self.cipher, akm=self.akm,
                                 mgmt_group=self.mgmt_group if protected else None)
        self.wpa.ie = self.rsn  # message 3 repeats the Beacon's element
        self.wpa.igtk_id = self.igtk_key_id
        if self.bigtk_key_id is not None:
            self.wpa.bigtk, self.wpa.bigtk_id = bytes([0x75]) * len(self.wpa.igtk), self.bigtk_key_id
        if ies[:1] == b"\x30":  # message 2 repeats the association request's
            self.wpa.sta_ie = ies[: 2 + ies[1]]
        self.wpa.sta_addr, self.wpa.ap_addr = sta, self.bssid
        return [self.wpa.msg1()]

    def receive(self, pdu: bytes) -> list[bytes] | None:
        """Frames back, or None: the AP deauthenticates us."""
        if len(pdu) > 1 and pdu[1] == 3 and self.wpa is not None:
            if self.wrong_key:
                return None
            if not self.wpa.snonce:
                self.wpa.check_msg2(pdu)
                return [self.wpa.msg3()]
            self.wpa.check_msg4(pdu)
            self.completed = True
            return []
        return self.wsc.receive(pdu)


class FakeRadioDriver(Driver):
    """nl80211 as the shell sees it: scans list the APs, associate succeeds (EALREADY while associated, as the
    kernel answers), disconnects are reported as events, EAPOL crosses to the associated AP."""

    name = "nl80211"
    can_scan = True
    enabled = True  # a test takes the interface down and up (InterfaceToggled says so)
    protects_management_frames = True  # as mac80211 (BIP in software)
    protects_beacons = True  # as mac80211_hwsim (NL80211_EXT_FEATURE_BEACON_PROTECTION)
    # mac80211_hwsim's wiphy: WEP40, WEP104, TKIP, CCMP, CCMP-256, GCMP, GCMP-256 and the four BIP ciphers
    cipher_suites = frozenset({0x000FAC01, 0x000FAC05, 0x000FAC02, 0x000FAC04, 0x000FAC0A, 0x000FAC08, 0x000FAC09,
                               0x000FAC06, 0x000FAC0D, 0x000FAC0B, 0x000FAC0C})

    def __init__(self, *aps: FakeAp, wps_ies: dict[bytes, bytes] | None = None) -> None:
        super().__init__("wlan-fake")
        self.aps = {ap.bssid: ap for ap in aps}
        self.wps_ies = wps_ies or {ap.bssid: wps_ie() for ap in aps}
        self.bssid: bytes | None = None
        self.log: list[str] = []
        self.scans: list[ScanParams] = []  # what each scan asked
        self.sent: list[tuple[bytes, bytes]] = []
        self.keys: list[str] = []
        self.fail_associate: Callable[[bytes], Exception | None] = lambda bssid: None
        self.stopped = False
        self.addr = STA
        self.scan_time = 0.01  # seconds from a scan's start to its results (a real one of every channel: seconds)
        self.trigger_time = 0.0  # seconds from a scan's trigger to the kernel's scan-started event

    @property
    def own_addr(self) -> bytes:
        return self.addr

    @property
    def permanent_addr(self) -> bytes:
        return STA

    async def set_mac_addr(self, addr: bytes | None) -> None:
        self.addr = addr or STA
        self.log.append(f"address {self.addr.hex(':')}")

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        self.stopped = True

    async def scan(self, params: ScanParams) -> ScanResults:
        """The kernel's scan-started event, then what the scanned channels hold (a kernel would add what its cache
        kept from earlier scans)."""
        self.log.append("scan" + "".join(f" {f}" for f in params.freqs))
        self.scans.append(params)
        await asyncio.sleep(self.trigger_time)
        self._emit(ScanStarted())
        await asyncio.sleep(self.scan_time)
        return ScanResults([beacon(b, wps=self.wps_ies.get(b, b""), signal=ap.signal, freq=ap.freq, rsn=ap.rsn)
                            for b, ap in self.aps.items() if not params.freqs or ap.freq in params.freqs])

    async def scan_results(self) -> list[ScanEntry]:
        return []

    async def set_country(self, alpha2: str) -> None:
        if alpha2 == "1X":
            raise DriverError("the kernel refused country 1X: (22, 'Invalid argument')")
        self.log.append(f"country {alpha2}")

    async def associate(self, bssid: bytes, ssid: bytes, freq: int, extra_ies: bytes = b"",
                        crypto: LinkCrypto | None = None, privacy: bool = False,
                        prev_bssid: bytes | None = None, on_authenticated=None) -> None:
        """A reassociation (`prev_bssid`, the BSS we are on) drops that link without an event, as cfg80211."""
        if self.bssid is not None and prev_bssid != self.bssid:
            raise DriverError(f"association with {bssid.hex(':')} refused by the kernel: "
                              f"{errno.errorcode[errno.EALREADY]}")
        error = self.fail_associate(bssid)
        if error is not None:
            raise error
        await asyncio.sleep(0)
        self.bssid = None
        verb = "associate" if prev_bssid is None else f"reassociate from {prev_bssid.hex(':')} to"
        self.log.append(f"{verb} {bssid.hex(':')}{' crypto' if crypto else ''}")
        self.bssid = bssid
        self._emit(LinkConnected(bssid))
        for pdu in self.aps[bssid].associated(crypto, self.addr, extra_ies):
            asyncio.get_running_loop().call_soon(self._deliver, bssid, pdu)

    async def disconnect(self, reason: int = 3) -> None:
        if self.bssid is None:
            return
        bssid, self.bssid = self.bssid, None
        self.log.append(f"disconnect {reason}")
        self._emit(LinkDisconnected(bssid, reason, locally_generated=True))

    def ap_drops_us(self, reason: int = 2) -> None:
        bssid, self.bssid = self.bssid, None
        self.log.append("dropped by AP")
        self._emit(LinkDisconnected(bssid, reason, locally_generated=False))

    async def send_eapol(self, dst: bytes, pdu: bytes) -> None:
        if self.stopped:
            raise DriverError("driver stopped")
        self.sent.append((dst, pdu))
        if self.bssid is None or dst not in (self.bssid, PAE_GROUP_ADDR):
            return
        replies = self.aps[self.bssid].receive(pdu)
        if replies is None:
            asyncio.get_running_loop().call_soon(self.ap_drops_us)
            return
        for reply in replies:
            asyncio.get_running_loop().call_soon(self._deliver, self.bssid, reply)

    async def set_signal_monitor(self, threshold: int, hysteresis: int) -> None:
        self.log.append(f"signal monitor {threshold} {hysteresis}")

    async def install_pairwise_key(self, bssid: bytes, key: bytes, cipher: int) -> None:
        self.keys.append("ptk")

    async def install_group_key(self, index: int, key: bytes, cipher: int, rsc: bytes) -> None:
        self.keys.append(f"{'gtk' if cipher not in BIP_SUITES else 'igtk' if index < 6 else 'bigtk'}{index}")

    async def send_action(self, bssid: bytes, body: bytes) -> None:
        self.log.append(f"action to {bssid.hex(':')} {body.hex()}")

    async def authorize_port(self, bssid: bytes) -> None:
        self.keys.append("port")

    def _emit(self, event: object) -> None:
        if self.on_event is not None:
            self.on_event(event)

    def _deliver(self, src: bytes, pdu: bytes) -> None:
        if self.on_eapol is not None and self.bssid == src:
            self.on_eapol(src, pdu)

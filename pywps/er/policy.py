"""The ER's registrar policy, sans-IO: which password an enrollee behind an AP gets (WPS_ER_PIN's PINs, WPS_ER_PBC's
walk time), PBC overlap among the enrollees seen, and the SetSelectedRegistrar message that tells APs about it.

hostap keeps this in its registrar (wps_registrar_add_pin, wps_registrar_button_pushed, wps_er_set_sel_reg);
here it is one small object that takes `now` and never sleeps.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..wps.attributes import build_attrs, u8, u16, version2_ext
from ..wps.defs import PBC_PASSWORD, WPS_VERSION, AttrType, ConfigMethods, DevicePasswordId, WfaSubelem
from . import limits

A = AttrType
BROADCAST = b"\xff" * 6
PUSHBUTTON_BITS = ConfigMethods.PUSHBUTTON | ConfigMethods.VIRT_PUSHBUTTON | ConfigMethods.PHY_PUSHBUTTON


@dataclass
class PinEntry:
    uuid: bytes | None  # None: any enrollee
    pin: str
    mac: bytes | None
    expires: float


@dataclass(frozen=True)
class SelectedRegistrar:
    """What SetSelectedRegistrar announces; `ap_uuid` limits it to one AP (WPS_ER_PBC), None: every AP."""

    selected: bool
    dev_password_id: int
    config_methods: int
    authorized_macs: tuple[bytes, ...]
    ap_uuid: bytes | None = None


class ErPolicy:
    MAX_PINS = 32

    def __init__(self, config_methods: int) -> None:
        self.config_methods = int(config_methods)
        self.pins: list[PinEntry] = []
        self.pbc_until: float | None = None
        self.pbc_ap: bytes | None = None
        self._pbc_seen: dict[bytes, tuple[bytes, float]] = {}  # enrollee MAC -> (UUID-E, last probe)

    # -- PINs ---------------------------------------------------------------------------------------------

    def add_pin(self, uuid: bytes | None, pin: str, mac: bytes | None, now: float) -> None:
        self.expire(now)
        self.pins = [p for p in self.pins if p.uuid != uuid or uuid is None and p.mac != mac]
        self.pins.append(PinEntry(uuid, pin, mac, now + limits.PIN_LIFETIME))
        del self.pins[: -self.MAX_PINS]

    def expire(self, now: float) -> bool:
        """Drop expired PINs and end PBC after walk time; True when the selected-registrar state changed."""
        before = (len(self.pins), self.pbc_until)
        self.pins = [p for p in self.pins if p.expires > now]
        if self.pbc_until is not None and self.pbc_until <= now:
            self.pbc_until, self.pbc_ap = None, None
        return before != (len(self.pins), self.pbc_until)

    def password_for(self, uuid_e: bytes, mac: bytes, dev_password_id: int, ap_uuid: bytes, now: float) -> tuple[bytes | None, DevicePasswordId]:
        """The password the Registrar uses for this enrollee's M1 (None: answer with M2D)."""
        self.expire(now)
        if dev_password_id == DevicePasswordId.PUSHBUTTON:
            if self.pbc_until is not None and self.pbc_ap in (None, ap_uuid):
                return PBC_PASSWORD, DevicePasswordId.PUSHBUTTON
            return None, DevicePasswordId.PUSHBUTTON
        for entry in self.pins:  # a PIN for this UUID first, then one for any enrollee
            if entry.uuid == uuid_e:
                return entry.pin.encode(), DevicePasswordId.DEFAULT
        for entry in self.pins:
            if entry.uuid is None and entry.mac in (None, mac):
                return entry.pin.encode(), DevicePasswordId.DEFAULT
        return None, DevicePasswordId.DEFAULT

    def completed(self, password: bytes, uuid_e: bytes) -> None:
        """A registration succeeded: its PIN is spent (a wildcard PIN too), PBC mode ends."""
        if password == PBC_PASSWORD:
            self.pbc_until, self.pbc_ap = None, None
            self._pbc_seen.pop(next((m for m, (u, _) in self._pbc_seen.items() if u == uuid_e), b""), None)
            return
        for i, entry in enumerate(self.pins):
            if entry.pin.encode() == password and entry.uuid in (uuid_e, None):
                del self.pins[i]
                return

    # -- push button ----------------------------------------------------------------------------------------

    def saw_pbc_enrollee(self, mac: bytes, uuid_e: bytes, now: float) -> None:
        self._pbc_seen[mac] = (uuid_e, now)
        if len(self._pbc_seen) > 4 * limits.MAX_ENROLLEES_PER_AP:
            oldest = min(self._pbc_seen, key=lambda m: self._pbc_seen[m][1])
            del self._pbc_seen[oldest]

    def pbc_overlap(self, now: float) -> bool:
        """More than one enrollee (by UUID) asked for PBC within walk time: WSC forbids choosing."""
        recent = {u for (u, t) in self._pbc_seen.values() if now - t <= limits.PBC_WALK_TIME}
        return len(recent) > 1

    def push_button(self, ap_uuid: bytes, now: float) -> None:
        self.pbc_until, self.pbc_ap = now + limits.PBC_WALK_TIME, ap_uuid

    # -- what the APs are told ------------------------------------------------------------------------------

    def selected_registrar(self, now: float) -> SelectedRegistrar:
        self.expire(now)
        # hostap's rule: the PIN methods we have without push button; PBC adds push button with a
        # virtual or physical flag (physical when our configuration names neither).
        methods = self.config_methods & ~PUSHBUTTON_BITS
        if self.pbc_until is not None:
            methods |= ConfigMethods.PUSHBUTTON
            for flag in (ConfigMethods.VIRT_PUSHBUTTON, ConfigMethods.PHY_PUSHBUTTON):
                if self.config_methods & flag == flag:
                    methods |= flag
            if methods & ConfigMethods.VIRT_PUSHBUTTON != ConfigMethods.VIRT_PUSHBUTTON and \
                    methods & ConfigMethods.PHY_PUSHBUTTON != ConfigMethods.PHY_PUSHBUTTON:
                methods |= ConfigMethods.PHY_PUSHBUTTON
            return SelectedRegistrar(True, DevicePasswordId.PUSHBUTTON, methods, (BROADCAST,), self.pbc_ap)
        if self.pins:
            macs = tuple(dict.fromkeys(p.mac for p in self.pins if p.mac is not None)) or (BROADCAST,)
            return SelectedRegistrar(True, DevicePasswordId.DEFAULT, methods, macs[:5])
        return SelectedRegistrar(False, 0, 0, (BROADCAST,))


def set_selected_registrar_message(sel: SelectedRegistrar, uuid_r: bytes) -> bytes:
    """The TLVs of SetSelectedRegistrar's NewMessage, in the order hostap builds them."""
    return build_attrs([
        (A.VERSION, u8(WPS_VERSION)),
        (A.SELECTED_REGISTRAR, u8(int(sel.selected))),
        (A.DEV_PASSWORD_ID, u16(sel.dev_password_id)),
        (A.SELECTED_REGISTRAR_CONFIG_METHODS, u16(sel.config_methods)),
        version2_ext([(WfaSubelem.AUTHORIZED_MACS, b"".join(sel.authorized_macs))]),
        (A.UUID_R, uuid_r),
    ])

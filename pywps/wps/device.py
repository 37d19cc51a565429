"""What a WPS device says about itself in M1/M2 and probe requests."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from .defs import (
    DEFAULT_CONFIG_METHODS,
    DEFAULT_DEVICE_TYPE,
    AuthType,
    ConfigMethods,
    EncrType,
    RfBand,
)

# What wpa_supplicant advertises: WSC 2.0 forbids offering WEP, shared-key and WPA-Enterprise-only types.
DEFAULT_AUTH_TYPE_FLAGS = AuthType.OPEN | AuthType.WPAPSK | AuthType.WPA2PSK
DEFAULT_ENCR_TYPE_FLAGS = EncrType.NONE | EncrType.TKIP | EncrType.AES
# The bands wpa_supplicant claims when the driver reports none (a wired link); on a radio the M1 of a run
# names the band of the association instead (wpa_supplicant's rf_band_cb): see rf_band_of().
DEFAULT_RF_BANDS = RfBand.GHZ_2_4 | RfBand.GHZ_5
OS_VERSION_RESERVED = 0x80000000  # WSC 2.0: the top bit of OS Version is reserved and always set


def wsc2_config_methods(methods: ConfigMethods) -> ConfigMethods:
    """Config methods as WSC 2.0 wants them: a bare display is a virtual display and a bare push button a
    virtual push button, as wpa_supplicant converts them (wps_fix_config_methods)."""
    display = ConfigMethods.VIRT_DISPLAY | ConfigMethods.PHY_DISPLAY
    if methods & display == ConfigMethods.DISPLAY:
        methods |= ConfigMethods.VIRT_DISPLAY
    button = ConfigMethods.VIRT_PUSHBUTTON | ConfigMethods.PHY_PUSHBUTTON
    if methods & button == ConfigMethods.PUSHBUTTON:
        methods |= ConfigMethods.VIRT_PUSHBUTTON
    return methods


def rf_band_of(freq_mhz: int | None) -> RfBand | None:
    """The band of an association on `freq_mhz` (wpa_supplicant's split: above 50 GHz 60 GHz, above channel
    14's 2484 MHz 5 GHz); None without a frequency (a wired link)."""
    if not freq_mhz:
        return None
    return RfBand.GHZ_60 if freq_mhz > 50000 else RfBand.GHZ_5 if freq_mhz > 2484 else RfBand.GHZ_2_4


@dataclass(frozen=True)
class DeviceInfo:
    """Our device as WPS describes it (M1, M2, probe requests): the configured identity plus what a run adds."""

    uuid: bytes  # 16 bytes: UUID-E as an enrollee, UUID-R as a registrar
    mac_address: bytes
    device_name: bytes = b""
    manufacturer: bytes = b""
    model_name: bytes = b""
    model_number: bytes = b""
    serial_number: bytes = b""
    primary_device_type: bytes = DEFAULT_DEVICE_TYPE
    os_version: int = OS_VERSION_RESERVED  # as configured; as_sent() sets the reserved top bit
    config_methods: ConfigMethods = DEFAULT_CONFIG_METHODS  # as configured; as_sent() adds WSC 2.0's bits
    rf_bands: RfBand = DEFAULT_RF_BANDS  # the device's bands, or the association's (rf_band_of) for a run
    auth_type_flags: AuthType = DEFAULT_AUTH_TYPE_FLAGS
    encr_type_flags: EncrType = DEFAULT_ENCR_TYPE_FLAGS

    def __post_init__(self) -> None:
        if len(self.uuid) != 16 or len(self.mac_address) != 6 or len(self.primary_device_type) != 8:
            raise ValueError("uuid must be 16 bytes, mac_address 6, primary_device_type 8")

    def as_sent(self) -> DeviceInfo:
        """What M1 (as Enrollee) and M2 or M2D (as Registrar) say about this device, as hostap builds both
        from one set of attribute builders: WSC 2.0 config methods, OS Version with its top bit set, and a
        single space for an empty string (hostap's workaround for peers that cannot parse zero-length
        attributes: Debian's builds are not CONFIG_WPS_STRICT)."""
        return _as_sent(self)


# Every run of a daemon asks again about an equal device (~25 us of flag arithmetic and dataclass copying).
@lru_cache(maxsize=4)
def _as_sent(dev: DeviceInfo) -> DeviceInfo:
    return replace(
        dev,
        config_methods=wsc2_config_methods(dev.config_methods),
        os_version=dev.os_version | OS_VERSION_RESERVED,
        **{name: getattr(dev, name) or b" "
           for name in ("device_name", "manufacturer", "model_name", "model_number", "serial_number")},
    )


@dataclass(frozen=True)
class PeerDevice:
    """What the peer told us about itself in M1, M2 or M2D (for events and logs)."""

    uuid: bytes
    mac_address: bytes | None
    device_name: bytes
    manufacturer: bytes
    model_name: bytes
    model_number: bytes
    serial_number: bytes
    primary_device_type: bytes
    config_methods: int

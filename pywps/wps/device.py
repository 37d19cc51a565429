"""What a WPS device says about itself in M1/M2 and probe requests."""

from __future__ import annotations

from dataclasses import dataclass

from .defs import AuthType, ConfigMethods, EncrType, RfBand

# What wpa_supplicant advertises: WSC 2.0 forbids offering WEP, shared-key and WPA-Enterprise-only types.
DEFAULT_AUTH_TYPE_FLAGS = AuthType.OPEN | AuthType.WPAPSK | AuthType.WPA2PSK
DEFAULT_ENCR_TYPE_FLAGS = EncrType.NONE | EncrType.TKIP | EncrType.AES
DEFAULT_CONFIG_METHODS = (
    ConfigMethods.DISPLAY | ConfigMethods.KEYPAD | ConfigMethods.VIRT_PUSHBUTTON | ConfigMethods.VIRT_DISPLAY
)
DEFAULT_DEVICE_TYPE = bytes.fromhex("00010050f2040001")  # Computer / PC, as hostap's examples use


@dataclass(frozen=True)
class DeviceInfo:
    uuid: bytes  # 16 bytes: UUID-E as an enrollee, UUID-R as a registrar
    mac_address: bytes
    device_name: bytes = b""
    manufacturer: bytes = b""
    model_name: bytes = b""
    model_number: bytes = b""
    serial_number: bytes = b""
    primary_device_type: bytes = DEFAULT_DEVICE_TYPE
    os_version: int = 0x80000000  # the top bit is reserved and always set
    config_methods: ConfigMethods = DEFAULT_CONFIG_METHODS
    rf_bands: RfBand = RfBand.GHZ_2_4
    auth_type_flags: AuthType = DEFAULT_AUTH_TYPE_FLAGS
    encr_type_flags: EncrType = DEFAULT_ENCR_TYPE_FLAGS

    def __post_init__(self) -> None:
        if len(self.uuid) != 16 or len(self.mac_address) != 6 or len(self.primary_device_type) != 8:
            raise ValueError("uuid must be 16 bytes, mac_address 6, primary_device_type 8")


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

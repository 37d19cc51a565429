"""Protocol numbers of Wi-Fi Simple Configuration 2.0, named as the specification names them."""

from __future__ import annotations

from enum import Enum, IntEnum, IntFlag

WPS_VERSION = 0x10  # the Version attribute is frozen at 1.0 since WSC 2.0; Version2 carries the real one
WPS_VERSION2 = 0x20
WFA_VENDOR_ID = b"\x00\x37\x2a"
WPS_OUI_TYPE = b"\x00\x50\xf2\x04"  # vendor-specific IE header of the WPS IE in beacons and probes
PBC_PASSWORD = b"00000000"
WALK_TIME = 120.0  # seconds a PBC or PIN run stays active
PBC_MONITOR_TIME = 120.0


class AttrType(IntEnum):
    AP_CHANNEL = 0x1001
    ASSOC_STATE = 0x1002
    AUTH_TYPE = 0x1003
    AUTH_TYPE_FLAGS = 0x1004
    AUTHENTICATOR = 0x1005
    CONFIG_METHODS = 0x1008
    CONFIG_ERROR = 0x1009
    CONFIRM_URL4 = 0x100A
    CONFIRM_URL6 = 0x100B
    CONN_TYPE = 0x100C
    CONN_TYPE_FLAGS = 0x100D
    CREDENTIAL = 0x100E
    ENCR_TYPE = 0x100F
    ENCR_TYPE_FLAGS = 0x1010
    DEV_NAME = 0x1011
    DEV_PASSWORD_ID = 0x1012
    E_HASH1 = 0x1014
    E_HASH2 = 0x1015
    E_SNONCE1 = 0x1016
    E_SNONCE2 = 0x1017
    ENCR_SETTINGS = 0x1018
    ENROLLEE_NONCE = 0x101A
    FEATURE_ID = 0x101B
    IDENTITY = 0x101C
    IDENTITY_PROOF = 0x101D
    KEY_WRAP_AUTH = 0x101E
    KEY_ID = 0x101F
    MAC_ADDR = 0x1020
    MANUFACTURER = 0x1021
    MSG_TYPE = 0x1022
    MODEL_NAME = 0x1023
    MODEL_NUMBER = 0x1024
    NETWORK_INDEX = 0x1026
    NETWORK_KEY = 0x1027
    NETWORK_KEY_INDEX = 0x1028
    NEW_DEVICE_NAME = 0x1029
    NEW_PASSWORD = 0x102A
    OOB_DEVICE_PASSWORD = 0x102C
    OS_VERSION = 0x102D
    POWER_LEVEL = 0x102F
    PSK_CURRENT = 0x1030
    PSK_MAX = 0x1031
    PUBLIC_KEY = 0x1032
    RADIO_ENABLE = 0x1033
    REBOOT = 0x1034
    REGISTRAR_CURRENT = 0x1035
    REGISTRAR_ESTABLISHED = 0x1036
    REGISTRAR_LIST = 0x1037
    REGISTRAR_MAX = 0x1038
    REGISTRAR_NONCE = 0x1039
    REQUEST_TYPE = 0x103A
    RESPONSE_TYPE = 0x103B
    RF_BANDS = 0x103C
    R_HASH1 = 0x103D
    R_HASH2 = 0x103E
    R_SNONCE1 = 0x103F
    R_SNONCE2 = 0x1040
    SELECTED_REGISTRAR = 0x1041
    SERIAL_NUMBER = 0x1042
    WPS_STATE = 0x1044
    SSID = 0x1045
    TOTAL_NETWORKS = 0x1046
    UUID_E = 0x1047
    UUID_R = 0x1048
    VENDOR_EXT = 0x1049
    VERSION = 0x104A
    X509_CERT_REQ = 0x104B
    X509_CERT = 0x104C
    EAP_IDENTITY = 0x104D
    MSG_COUNTER = 0x104E
    PUBKEY_HASH = 0x104F
    REKEY_KEY = 0x1050
    KEY_LIFETIME = 0x1051
    PERMITTED_CONFIG_METHODS = 0x1052
    SELECTED_REGISTRAR_CONFIG_METHODS = 0x1053
    PRIMARY_DEV_TYPE = 0x1054
    SECONDARY_DEV_TYPE_LIST = 0x1055
    PORTABLE_DEV = 0x1056
    AP_SETUP_LOCKED = 0x1057
    APPLICATION_EXT = 0x1058
    EAP_TYPE = 0x1059
    IV = 0x1060
    KEY_PROVIDED_AUTO = 0x1061
    IEEE8021X_ENABLED = 0x1062
    APPSESSIONKEY = 0x1063
    WEPTRANSMITKEY = 0x1064


class WfaSubelem(IntEnum):
    """Sub-elements of the WFA vendor extension (Vendor ID 00:37:2A)."""

    VERSION2 = 0x00
    AUTHORIZED_MACS = 0x01
    NETWORK_KEY_SHAREABLE = 0x02
    REQUEST_TO_ENROLL = 0x03
    SETTINGS_DELAY_TIME = 0x04
    REGISTRAR_CONFIGURATION_METHODS = 0x05
    MULTI_AP = 0x06  # EasyMesh: the sender's Multi-AP role bits


MULTI_AP_BACKHAUL_STA = 0x80  # the Multi-AP bit of a backhaul station (in M1 and in its association request)


class MsgType(IntEnum):
    BEACON = 0x01
    PROBE_REQUEST = 0x02
    PROBE_RESPONSE = 0x03
    M1 = 0x04
    M2 = 0x05
    M2D = 0x06
    M3 = 0x07
    M4 = 0x08
    M5 = 0x09
    M6 = 0x0A
    M7 = 0x0B
    M8 = 0x0C
    WSC_ACK = 0x0D
    WSC_NACK = 0x0E
    WSC_DONE = 0x0F


class AuthType(IntFlag):
    OPEN = 0x0001
    WPAPSK = 0x0002
    SHARED = 0x0004
    WPA = 0x0008
    WPA2 = 0x0010
    WPA2PSK = 0x0020


class EncrType(IntFlag):
    NONE = 0x0001
    WEP = 0x0002
    TKIP = 0x0004
    AES = 0x0008


class ConfigMethods(IntFlag):
    USBA = 0x0001
    ETHERNET = 0x0002
    LABEL = 0x0004
    DISPLAY = 0x0008
    EXT_NFC_TOKEN = 0x0010
    INT_NFC_TOKEN = 0x0020
    NFC_INTERFACE = 0x0040
    PUSHBUTTON = 0x0080
    KEYPAD = 0x0100
    VIRT_PUSHBUTTON = 0x0280
    PHY_PUSHBUTTON = 0x0480
    VIRT_DISPLAY = 0x2008
    PHY_DISPLAY = 0x4008


class DevicePasswordId(IntEnum):
    DEFAULT = 0x0000  # PIN
    USER_SPECIFIED = 0x0001
    MACHINE_SPECIFIED = 0x0002
    REKEY = 0x0003
    PUSHBUTTON = 0x0004
    REGISTRAR_SPECIFIED = 0x0005
    NFC_CONNECTION_HANDOVER = 0x0007
    P2PS_DEFAULT = 0x0008


class ConfigError(IntEnum):
    NO_ERROR = 0
    OOB_IFACE_READ_ERROR = 1
    DECRYPTION_CRC_FAILURE = 2
    CHAN_24_NOT_SUPPORTED = 3
    CHAN_50_NOT_SUPPORTED = 4
    SIGNAL_TOO_WEAK = 5
    NETWORK_AUTH_FAILURE = 6
    NETWORK_ASSOC_FAILURE = 7
    NO_DHCP_RESPONSE = 8
    FAILED_DHCP_CONFIG = 9
    IP_ADDR_CONFLICT = 10
    NO_CONN_TO_REGISTRAR = 11
    MULTIPLE_PBC_DETECTED = 12
    ROGUE_SUSPECTED = 13
    DEVICE_BUSY = 14
    SETUP_LOCKED = 15
    MSG_TIMEOUT = 16
    REG_SESSION_TIMEOUT = 17
    DEV_PASSWORD_AUTH_FAILURE = 18
    CHAN_60G_NOT_SUPPORTED = 19
    PUBLIC_KEY_HASH_MISMATCH = 20


class ErrorIndication(IntEnum):
    """The reason= field of WPS-FAIL, as wpa_supplicant numbers it (wps_error_indication)."""

    NONE = 0
    SECURITY_TKIP_ONLY_PROHIBITED = 1
    SECURITY_WEP_PROHIBITED = 2
    AUTH_FAILURE = 3


class RequestType(IntEnum):
    ENROLLEE_INFO = 0x00
    ENROLLEE_OPEN_8021X = 0x01
    REGISTRAR = 0x02
    WLAN_MANAGER_REGISTRAR = 0x03


class ResponseType(IntEnum):
    ENROLLEE_INFO = 0x00
    ENROLLEE_OPEN_8021X = 0x01
    REGISTRAR = 0x02
    AP = 0x03


class WpsState(IntEnum):
    NOT_CONFIGURED = 0x01
    CONFIGURED = 0x02


class AssocState(IntEnum):
    NOT_ASSOC = 0
    CONN_SUCCESS = 1
    CFG_FAILURE = 2
    FAILURE = 3
    IP_FAILURE = 4


class RfBand(IntFlag):
    GHZ_2_4 = 0x01
    GHZ_5 = 0x02
    GHZ_60 = 0x04


class ConnTypeFlags(IntFlag):
    ESS = 0x01
    IBSS = 0x02


# With config_methods unset wpa_supplicant claims display, keypad and virtual display (wps_config_methods_str2bin),
# plus the NFC interface and P2PS bits of its build; pywps has neither, so it claims only the first three. Here,
# not in device.py, so the config file's defaults load without the device's dataclasses.
DEFAULT_CONFIG_METHODS = ConfigMethods.DISPLAY | ConfigMethods.KEYPAD | ConfigMethods.VIRT_DISPLAY
DEFAULT_DEVICE_TYPE = bytes(8)  # wpa_supplicant's default device_type, 0-00000000-0


class WscOpCode(IntEnum):
    """EAP-WSC op-codes."""

    START = 0x01
    ACK = 0x02
    NACK = 0x03
    MSG = 0x04
    DONE = 0x05
    FRAG_ACK = 0x06


def members(enum_cls: type[Enum]) -> type:
    """A plain class whose attributes are `enum_cls`'s members, for the protocol code's hot paths.

    `AttrType.SSID` goes through EnumType's attribute lookup (~0.15 us on CPython 3.11, ~7x a class attribute);
    a registration makes hundreds of such lookups. The values are the same enum members.
    """
    return type(enum_cls.__name__, (), dict(enum_cls.__members__))

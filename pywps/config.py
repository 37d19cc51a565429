"""The configuration file, in wpa_supplicant.conf syntax: parse, validate, edit, save atomically.

The file is kept as its lines: comments, blank lines and keys pywps does not know are written back exactly
as read, so `parse(text).serialize() == text` for any file that parses. Only what the daemon changes is
regenerated. A file that does not parse is never overwritten: `load()` raises `ConfigError` with the line.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field

from .wps.credential import Credential
from .wps.defs import AuthType, ConfigMethods, EncrType
from .wps.device import DEFAULT_CONFIG_METHODS, DEFAULT_DEVICE_TYPE
from .wps.errors import WpsError

# wpa_supplicant's names for config methods (wps_config_methods_str2bin).
CONFIG_METHOD_NAMES: dict[str, ConfigMethods] = {
    "usba": ConfigMethods.USBA, "ethernet": ConfigMethods.ETHERNET, "label": ConfigMethods.LABEL,
    "display": ConfigMethods.DISPLAY, "ext_nfc_token": ConfigMethods.EXT_NFC_TOKEN,
    "int_nfc_token": ConfigMethods.INT_NFC_TOKEN, "nfc_interface": ConfigMethods.NFC_INTERFACE,
    "push_button": ConfigMethods.PUSHBUTTON, "keypad": ConfigMethods.KEYPAD,
    "virtual_display": ConfigMethods.VIRT_DISPLAY, "physical_display": ConfigMethods.PHY_DISPLAY,
    "virtual_push_button": ConfigMethods.VIRT_PUSHBUTTON, "physical_push_button": ConfigMethods.PHY_PUSHBUTTON,
}
UUID_NAMESPACE = bytes.fromhex("526480f8c99b4be5a65558ed5f5d6084")  # hostap's uuid_gen_mac_addr namespace
STRING_KEYS = ("device_name", "manufacturer", "model_name", "model_number", "serial_number")
STRING_LIMITS = {"device_name": 32, "manufacturer": 64, "model_name": 32, "model_number": 32, "serial_number": 32}
WPS_KEYS = (*STRING_KEYS, "uuid", "device_type", "os_version", "config_methods", "wps_cred_processing",
            "update_config")


# Keys whose values never reach a log or an error message.
SECRET_KEYS = frozenset({"psk", "wep_key0", "wep_key1", "wep_key2", "wep_key3", "password", "sae_password",
                         "wpa_passphrase", "passphrase"})


class ConfigError(Exception):
    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


class CredentialRejected(ValueError):
    """A received credential that cannot be stored safely in the file."""


def uuid_from_mac(mac: bytes) -> bytes:
    """The UUID wpa_supplicant derives when none is configured: a name-based (SHA-1) UUID of the MAC."""
    digest = bytearray(hashlib.sha1(UUID_NAMESPACE + mac).digest()[:16])
    digest[6] = 0x50 | (digest[6] & 0x0F)
    digest[8] = 0x80 | (digest[8] & 0x3F)
    return bytes(digest)


def parse_uuid(text: str) -> bytes:
    hexdigits = text.replace("-", "")
    if not re.fullmatch(r"[0-9a-fA-F]{32}", hexdigits) or (text.count("-") not in (0, 4)):
        raise ValueError(f"not a UUID: {text!r}")
    return bytes.fromhex(hexdigits)


def parse_device_type(text: str) -> bytes:
    """`category-OUI-subcategory`, e.g. 1-0050F204-1, as wpa_supplicant writes it."""
    m = re.fullmatch(r"(\d+)-([0-9a-fA-F]{8})-(\d+)", text)
    if not m or int(m[1]) > 0xFFFF or int(m[3]) > 0xFFFF:
        raise ValueError(f"not a device type (category-OUI-subcategory): {text!r}")
    return int(m[1]).to_bytes(2, "big") + bytes.fromhex(m[2]) + int(m[3]).to_bytes(2, "big")


def parse_config_methods(text: str) -> ConfigMethods:
    methods = ConfigMethods(0)
    for name in text.split():
        if name not in CONFIG_METHOD_NAMES:
            raise ValueError(f"unknown config method {name!r}")
        methods |= CONFIG_METHOD_NAMES[name]
    return methods


# -- values of network blocks ---------------------------------------------------------------------------


def decode_string(value: str) -> bytes:
    """A wpa_supplicant string value: "quoted" (from the first to the last quote), P"printf", or hex."""
    if value.startswith('"'):
        end = value.rfind('"')
        if end <= 0:
            raise ValueError("unterminated quoted string")
        return value[1:end].encode("utf-8")
    if value.startswith('P"') and value.endswith('"') and len(value) >= 3:
        return value[2:-1].encode("utf-8").decode("unicode_escape").encode("latin-1")
    if len(value) % 2 or not re.fullmatch(r"[0-9a-fA-F]*", value):
        raise ValueError(f"neither a quoted string nor hex: {value!r}")
    return bytes.fromhex(value)


def encode_string(data: bytes) -> str:
    """Quoted when every byte is printable ASCII other than a quote or backslash; hex otherwise, so no byte
    can end the line, the string or start an escape (the CVE-2016-4476/4477 class)."""
    if data and all(0x20 <= b < 0x7F for b in data) and b'"' not in data and b"\\" not in data:
        return '"' + data.decode("ascii") + '"'
    return data.hex()


@dataclass
class Network:
    """One `network={...}` block: its fields in file order, and its original lines while unchanged."""

    fields: dict[str, str] = field(default_factory=dict)
    lines: list[str] | None = None  # original text, None once edited
    id: int = -1  # wpa_supplicant's network id: file order at load, highest + 1 when added; never reused

    def __repr__(self) -> str:  # not the fields: they hold the key
        return f"Network(id={self.id}, ssid={self.fields.get('ssid')})"

    @property
    def ssid(self) -> bytes:
        return decode_string(self.fields["ssid"]) if "ssid" in self.fields else b""

    def set_field(self, key: str, value: str | None) -> None:
        """Change one field (None removes it); the block is then written from its fields."""
        if value is None:
            if key not in self.fields:
                return
            del self.fields[key]
        else:
            validate_network_field(key, value)
            self.fields[key] = value
        self.lines = None

    def render(self) -> list[str]:
        if self.lines is not None:
            return self.lines
        return ["network={", *(f"\t{k}={v}" for k, v in self.fields.items()), "}"]


def validate_network_field(key: str, value: str) -> None:
    if key == "ssid":
        ssid = decode_string(value)
        if not 1 <= len(ssid) <= 32:
            raise ValueError(f"SSID of {len(ssid)} bytes (1..32 allowed)")
    elif key == "psk":
        if value.startswith('"'):
            passphrase = decode_string(value)
            if not 8 <= len(passphrase) <= 63:
                raise ValueError(f"passphrase of {len(passphrase)} characters (8..63 allowed)")
        elif not re.fullmatch(r"[0-9a-fA-F]{64}", value):
            raise ValueError("psk must be a quoted passphrase or 64 hex digits")
    elif key in ("priority", "disabled", "scan_ssid", "wep_tx_keyidx", "id"):
        int(value)
    elif key == "bssid" and not re.fullmatch(r"([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}", value):
        raise ValueError(f"not a BSSID: {value}")


def network_from_credential(cred: Credential) -> Network:
    """The block wpa_supplicant writes for a WPS credential (wps_supplicant.c, wpa_supplicant_wps_cred)."""
    try:
        cred.validate()
    except WpsError as e:
        raise CredentialRejected(str(e)) from None
    fields = {"ssid": encode_string(cred.ssid)}
    key = cred.network_key
    if cred.is_psk:
        if len(key) == 64:
            fields["psk"] = key.decode("ascii").lower()
        else:
            if any(b < 0x20 or b > 0x7E for b in key):
                raise CredentialRejected("passphrase with control characters")
            fields["psk"] = '"' + key.decode("ascii") + '"'
        protos = []
        if cred.auth_type & AuthType.WPAPSK:
            protos.append("WPA")
        if cred.auth_type & AuthType.WPA2PSK:
            protos.append("RSN")
        fields["proto"] = " ".join(protos)
        fields["key_mgmt"] = "WPA-PSK"
        ciphers = []
        if cred.encr_type & EncrType.AES:
            ciphers.append("CCMP")
        if cred.encr_type & EncrType.TKIP:
            ciphers.append("TKIP")
        fields["pairwise"] = " ".join(ciphers) or "CCMP"
    else:
        fields["key_mgmt"] = "NONE"
        if cred.encr_type & EncrType.WEP and key:
            idx = (cred.key_index or 1) - 1
            if len(key) in (10, 26) and re.fullmatch(rb"[0-9a-fA-F]+", key):
                fields[f"wep_key{idx}"] = key.decode("ascii")
            else:
                fields[f"wep_key{idx}"] = encode_string(key) if b'"' not in key else key.hex()
            fields["wep_tx_keyidx"] = str(idx)
    fields["auth_alg"] = "SHARED" if cred.auth_type & AuthType.SHARED else "OPEN"
    return Network(fields)


def network_block_text(network: Network) -> str:
    return "\n".join(network.render()) + "\n"


# -- the file -----------------------------------------------------------------------------------------------


@dataclass
class DeviceSettings:
    device_name: bytes = b""
    manufacturer: bytes = b""
    model_name: bytes = b""
    model_number: bytes = b""
    serial_number: bytes = b""
    device_type: bytes = DEFAULT_DEVICE_TYPE
    os_version: int = 0x80000000
    config_methods: ConfigMethods = DEFAULT_CONFIG_METHODS


_LINE = re.compile(r"^\s*([A-Za-z0-9_]+)\s*=\s*(.*?)\s*$")


class Config:
    def __init__(self, path: str = "<string>") -> None:
        self.path = path
        self.items: list[str | Network] = []  # raw lines and network blocks, in file order
        self.values: dict[str, str] = {}  # global key -> value as written
        self.final_newline = True

    # -- typed views of the global keys -----------------------------------------------------------

    @property
    def networks(self) -> list[Network]:
        return [item for item in self.items if isinstance(item, Network)]

    @property
    def ctrl_dir(self) -> str | None:
        value = self.values.get("ctrl_interface")
        if not value:
            return None
        if value.startswith("DIR="):
            return value[4:].split()[0]
        return value

    @property
    def ctrl_group(self) -> str | None:
        value = self.values.get("ctrl_interface", "")
        m = re.search(r"\bGROUP=(\S+)", value)
        return m[1] if m else self.values.get("ctrl_interface_group")

    @property
    def update_config(self) -> bool:
        return self.values.get("update_config", "0") == "1"

    @property
    def wps_cred_processing(self) -> int:
        return int(self.values.get("wps_cred_processing", "0"))

    @property
    def uuid(self) -> bytes | None:
        value = self.values.get("uuid")
        return parse_uuid(value) if value else None

    @property
    def device(self) -> DeviceSettings:
        v = self.values
        d = DeviceSettings()
        for key in STRING_KEYS:
            if key in v:
                setattr(d, key, v[key].encode("utf-8"))
        if "device_type" in v:
            d.device_type = parse_device_type(v["device_type"])
        if "os_version" in v:
            d.os_version = int(v["os_version"], 16)
        if "config_methods" in v:
            d.config_methods = parse_config_methods(v["config_methods"])
        return d

    # -- GET / SET ------------------------------------------------------------------------------------

    def get(self, key: str) -> str:
        if key in self.values:
            return self.values[key]
        raise KeyError(key)

    def set(self, key: str, value: str) -> None:
        check_global(key, value)
        line = f"{key}={value}"
        if key in self.values:
            for i, item in enumerate(self.items):
                if isinstance(item, str) and (m := _LINE.match(item)) and m[1] == key:
                    self.items[i] = line
                    break
        else:
            first_network = next((i for i, it in enumerate(self.items) if isinstance(it, Network)), len(self.items))
            self.items.insert(first_network, line)
        self.values[key] = value

    # -- networks ---------------------------------------------------------------------------------------

    def network(self, network_id: int) -> Network:
        """The network with this id; KeyError when there is none."""
        for network in self.networks:
            if network.id == network_id:
                return network
        raise KeyError(network_id)

    def _next_id(self) -> int:
        return max((n.id for n in self.networks), default=-1) + 1

    def add_credential(self, cred: Credential) -> Network:
        """Store a credential; an existing block for the same SSID is replaced (keeping its id), not duplicated."""
        network = network_from_credential(cred)
        for i, item in enumerate(self.items):
            if isinstance(item, Network) and item.fields.get("ssid") is not None:
                try:
                    same = item.ssid == cred.ssid
                except ValueError:
                    same = False
                if same:
                    network.id = item.id
                    self.items[i] = network
                    return network
        network.id = self._next_id()
        self.items.append(network)
        return network

    def remove_network(self, network_id: int) -> None:
        """Remove one network; the others keep their ids (KeyError when there is none)."""
        self.items.remove(self.network(network_id))

    # -- text -----------------------------------------------------------------------------------------------

    def serialize(self) -> str:
        out: list[str] = []
        for item in self.items:
            out.extend(item.render() if isinstance(item, Network) else [item])
        text = "".join(line + "\n" for line in out)
        return text if self.final_newline or not text else text[:-1]

    def save(self, path: str | None = None) -> None:
        write_atomically(path or self.path, self.serialize())


def _temp_prefix(path: str) -> str:
    return f".{os.path.basename(path)}.pywps-"


def write_atomically(path: str, text: str) -> None:
    """Temp file beside the target, fsync, rename, fsync the directory: a reader sees the old file or the new,
    never half of one. Blocking: the daemon calls it off its event loop."""
    directory = os.path.dirname(os.path.abspath(path))
    try:
        mode = os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        mode = 0o600
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path), dir=directory)
    try:
        with os.fdopen(fd, "w") as f:
            os.fchmod(f.fileno(), mode)
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    dfd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


def remove_stale_temp_files(path: str) -> list[str]:
    """Temp files that a save killed half-way (SIGKILL, power loss) left beside `path`: only this file's own
    (named after it), so another daemon's save in the same directory is never touched. Call before saving."""
    directory = os.path.dirname(os.path.abspath(path))
    prefix = _temp_prefix(path)
    removed = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        if name.startswith(prefix):
            try:
                os.unlink(os.path.join(directory, name))
                removed.append(name)
            except OSError:
                pass
    return removed


def check_global(key: str, value: str) -> None:
    """Raise ValueError for a value pywps would misread; unknown keys pass (they are kept as written)."""
    if key in ("update_config",) and value not in ("0", "1"):
        raise ValueError(f"{key} must be 0 or 1")
    if key == "wps_cred_processing" and value not in ("0", "1", "2"):
        raise ValueError("wps_cred_processing must be 0, 1 or 2")
    if key == "uuid":
        parse_uuid(value)
    if key == "device_type":
        parse_device_type(value)
    if key == "os_version" and not re.fullmatch(r"[0-9a-fA-F]{1,8}", value):
        raise ValueError("os_version must be up to 8 hex digits")
    if key == "config_methods":
        parse_config_methods(value)
    if key in STRING_LIMITS and len(value.encode()) > STRING_LIMITS[key]:
        raise ValueError(f"{key} is longer than {STRING_LIMITS[key]} bytes")
    if any(ord(c) < 0x20 for c in value):
        raise ValueError(f"{key} contains control characters")


def _key_value(path: str, number: int, line: str, check, where: str = "") -> tuple[str, str]:
    """One `key=value` line, checked by `check(key, value)`; ConfigError names the line otherwise."""
    m = _LINE.match(line)
    if not m:
        # The line is not quoted back: it may be a key with a typo in front of its secret.
        raise ConfigError(path, number, f"cannot read this line as key=value{where}")
    try:
        check(m[1], m[2])
    except ValueError as e:
        reason = str(e)
        if m[1] in SECRET_KEYS and m[2] and m[2].strip('"') in reason:
            reason = "invalid value (not shown: it is a secret)"
        raise ConfigError(path, number, f"{m[1]}: {reason}") from None
    return m[1], m[2]


def parse(text: str, path: str = "<string>") -> Config:
    config = Config(path)
    config.final_newline = text.endswith("\n") or not text
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline
    block: Network | None = None
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if block is not None:
            block.lines.append(line)
            if stripped == "}":
                block.id = len(config.networks)
                config.items.append(block)
                block = None
            elif stripped and not stripped.startswith("#"):
                key, value = _key_value(path, number, line, validate_network_field, " in a network block")
                block.fields[key] = value
            continue
        if not stripped or stripped.startswith("#"):
            config.items.append(line)
            continue
        if re.fullmatch(r"network\s*=\s*\{", stripped):
            block = Network(lines=[line])
            continue
        key, value = _key_value(path, number, line, check_global)
        config.values[key] = value
        config.items.append(line)
    if block is not None:
        raise ConfigError(path, len(lines), "network block not closed with '}'")
    return config


def load(path: str) -> Config:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise ConfigError(path, 0, "no such file") from None
    except UnicodeDecodeError:
        raise ConfigError(path, 0, "not UTF-8 text") from None
    except OSError as e:
        raise ConfigError(path, 0, e.strerror or str(e)) from None
    return parse(text, path)

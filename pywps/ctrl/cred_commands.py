"""The credential-block commands and DUMP, answering as Debian wpa_supplicant 2.10 answers (its build has
Interworking / Hotspot 2.0, so it keeps `cred={...}` blocks; pywps stores them and never uses them).

LIST_CREDS, ADD_CRED, REMOVE_CRED <id>|all|sp_fqdn=<FQDN>|provisioning_sp=<FQDN>, SET_CRED <id> <field> <value>,
GET_CRED <id> <field>, DUMP. Each handler is `handler(ctx, raw) -> str`; `ctx.config` is the live Config and
`ctx.publish(event)` sends CRED-ADDED / CRED-MODIFIED / CRED-REMOVED (texts in ctrl/events.py).

Observed wpa_supplicant behaviour kept here (tests/test_diff_creds.py runs both side by side):
- LIST_CREDS and ADD_CRED take no argument (anything after them, a lone space too, is UNKNOWN COMMAND); DUMP
  ignores one; REMOVE_CRED, SET_CRED and GET_CRED without their space are UNKNOWN COMMAND (ctrl/commands.py's
  match_of decides all that before a handler runs).
- Ids are read with atoi() (`SET_CRED x ...` addresses credential 0, and so does `REMOVE_CRED ` with its space
  and nothing after it). The arguments are split at single spaces: `SET_CRED 0  realm "x"` names the field ""
  and fails.
- REMOVE_CRED all, sp_fqdn= and provisioning_sp= answer OK even when nothing matched; an unknown id is FAIL.
- GET_CRED answers without a newline; a password (and private_key_passwd, milenage) as `*`; an unset field,
  and the fields wpa_supplicant has no getter for (sim_num, engine, engine_id, key_id, cert_id, ca_cert_id), FAIL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..cnumbers import c_strtol_int
from ..globalfields import GLOBALS
from ..netevents import CredAdded, CredModified, CredRemoved
from .commands import CommandFailed
from .fieldargs import block_by_id, c_string, field_args, set_field

if TYPE_CHECKING:
    from ..config import Config
    from ..credblock import Cred

OK = "OK\n"
LIST_HEADER = "cred id / realm / username / domain / imsi\n"
REPLY_MAX = 4096  # wpa_supplicant's control reply buffer


def _cred(config: Config, text: str) -> Cred:
    return block_by_id(config.cred, text, "credential")


def _fits(out: str, line: str) -> bool:
    size = len(out.encode("utf-8", "surrogateescape")) + len(line.encode("utf-8", "surrogateescape"))
    return size < REPLY_MAX


def cmd_list_creds(ctx: Any, raw: str) -> str:
    """The stored credentials: id, realm, username, first domain, imsi (rows that fit 4096 bytes)."""
    out = LIST_HEADER
    for cred in ctx.config.creds:
        row = cred.list_row()
        if not _fits(out, row):
            break  # wpa_supplicant stops at the first row that does not fit
        out += row
    return out


def cmd_add_cred(ctx: Any, raw: str) -> str:
    """A new empty credential (`cred={...}` block): its id, the highest + 1; CRED-ADDED."""
    cred = ctx.config.add_cred()
    ctx.publish(CredAdded(cred.id))
    return f"{cred.id}\n"


def _remove(ctx: Any, cred: Cred) -> None:
    ctx.config.remove_cred(cred.id)
    ctx.publish(CredRemoved(cred.id))


def cmd_remove_cred(ctx: Any, raw: str) -> str:
    """Remove credential <id>, all, those with domain sp_fqdn=<FQDN> or provisioning_sp=<FQDN>; CRED-REMOVED each."""
    raw = c_string(raw)
    config = ctx.config
    if raw == "all":
        for cred in config.creds:
            _remove(ctx, cred)
    elif raw.startswith("sp_fqdn="):
        fqdn = raw[8:].encode("utf-8", "surrogateescape")
        for cred in config.creds:
            if fqdn in (cred.values.get("domain") or []):
                _remove(ctx, cred)
    elif raw.startswith("provisioning_sp="):
        sp = raw[16:].encode("utf-8", "surrogateescape")
        for cred in config.creds:
            if cred.values.get("provisioning_sp") == sp:
                _remove(ctx, cred)
    else:
        _remove(ctx, _cred(config, raw))
    return OK


def cmd_set_cred(ctx: Any, raw: str) -> str:
    """Set one field of a credential with wpa_supplicant's checks (stored, never used); CRED-MODIFIED."""
    id_text, name, value = field_args(raw, 3, "SET_CRED <id> <field> <value>")
    cred = _cred(ctx.config, id_text)
    set_field(cred, name, value, "cred")
    ctx.publish(CredModified(cred.id, name))
    return OK


def cmd_get_cred(ctx: Any, raw: str) -> str:
    """One field of a credential, passwords as `*`."""
    id_text, name = field_args(raw, 2, "GET_CRED <id> <field>")
    value = _cred(ctx.config, id_text).get(name)
    if value is None or not _fits("", value):
        raise CommandFailed(f"no value for {name[:30]!r}")
    return value  # no newline, as wpa_supplicant answers


# -- DUMP --------------------------------------------------------------------------------------------------

# Debian wpa_supplicant 2.10's DUMP: every global key that has a getter, in config.c's global_fields order, with
# the value its build holds when the file does not set it (observed: tests/data/diff/SURVEY.md). pywps answers the
# keys it knows from its configuration (`Config.get`, unset strings as `null`), the others the file sets as
# wpa_supplicant reads them, and the rest as Debian's defaults: pywps has none of those features, and SET refuses
# their keys, so they never change.
DUMP_KEYS: tuple[tuple[str, str], ...] = tuple((line.split("=", 1)[0], line.split("=", 1)[1]) for line in """
ctrl_interface=null ctrl_interface_group=null eapol_version=1 ap_scan=1 user_mpm=1 max_peer_links=99
mesh_max_inactivity=300 mesh_fwding=1 dot11RSNASAERetransPeriod=1000 disable_scan_offload=0 fast_reauth=1
opensc_engine_path=null pkcs11_engine_path=null pkcs11_module_path=null openssl_ciphers=null pcsc_reader=null
pcsc_pin=null external_sim=0 driver_param=null dot11RSNAConfigPMKLifetime=0 dot11RSNAConfigPMKReauthThreshold=0
dot11RSNAConfigSATimeout=0 update_config=0 auto_uuid=0 device_name=null manufacturer=null model_name=null
model_number=null serial_number=null config_methods=null wps_cred_processing=0 wps_cred_add_sae=0
p2p_listen_reg_class=0 p2p_listen_channel=0 p2p_oper_reg_class=0 p2p_oper_channel=0 p2p_go_intent=7
p2p_ssid_postfix=null persistent_reconnect=0 p2p_intra_bss=1 p2p_group_idle=0 p2p_go_freq_change_policy=2
p2p_passphrase_len=0 p2p_add_cli_chan=0 p2p_optimize_listen_chan=0 p2p_go_ht40=0 p2p_go_vht=0 p2p_go_he=0
p2p_go_edmg=0 p2p_disabled=0 p2p_go_ctwindow=0 p2p_no_group_iface=0 p2p_ignore_shared_freq=0 ip_addr_go=0.0.0.0
ip_addr_mask=0.0.0.0 ip_addr_start=0.0.0.0 ip_addr_end=0.0.0.0 p2p_cli_probe=0 p2p_device_random_mac_addr=0
p2p_interface_random_mac_addr=0 p2p_6ghz_disable=0 bss_max_count=200 bss_expiration_age=180
bss_expiration_scan_count=2 filter_ssids=0 filter_rssi=0 max_num_sta=128 ap_isolate=0 disassoc_low_ack=0 hs20=0
interworking=0 access_network_type=15 go_interworking=0 go_access_network_type=0 go_internet=0 go_venue_group=0
go_venue_type=0 pbc_in_m1=0 autoscan=null wps_nfc_dev_pw_id=0 ext_password_backend=null p2p_go_max_inactivity=300
auto_interworking=0 okc=0 pmf=0 sae_pwe=0 sae_pmkid_in_assoc=0 dtim_period=0 beacon_int=0 ignore_old_scan_res=0
scan_cur_freq=0 scan_res_valid_for_connect=5 sched_scan_interval=0 sched_scan_start_delay=0
tdls_external_control=0 osu_dir=null wowlan_triggers=null p2p_search_delay=500 mac_addr=0 rand_addr_lifetime=60
preassoc_mac_addr=0 key_mgmt_offload=1 passive_scan=0 reassoc_same_bss_optim=0 wps_priority=0 fst_group_id=null
fst_priority=0 fst_llt=0 cert_in_cb=1 wpa_rsc_relaxation=1 sched_scan_plans=null non_pref_chan=null
mbo_cell_capa=3 disassoc_imminent_rssi_threshold=-75 oce=1 gas_address3=0 ftm_responder=0 ftm_initiator=0
gas_rand_addr_lifetime=60 gas_rand_mac_addr=0 dpp_config_processing=0 dpp_name=null dpp_mud_url=null
coloc_intf_reporting=0 disable_btm=0 extended_key_id=0 wowlan_disconnect_on_deinit=0
""".split())


def dump_text(ctx: Any) -> str:
    config = ctx.config
    options = getattr(ctx, "options", None)
    out = []
    for key, default in DUMP_KEYS:
        value = default
        if key == "ctrl_interface" and options is not None and options.ctrl_dir:
            value = options.ctrl_dir  # -C replaces the file's ctrl_interface, in wpa_supplicant too
        elif key in GLOBALS and GLOBALS[key].gettable and not GLOBALS[key].runtime:
            try:
                value = config.get(key)
            except KeyError:
                value = "null"  # a string key the file does not set
        elif key in config.values:  # a key pywps keeps from the file without knowing it: read as wpa_supplicant
            value = config.values[key]  # reads it (strtol for a number; a string or an address as written)
            if default != "null" and "." not in default:
                try:
                    value = str(c_strtol_int(value))
                except ValueError:
                    value = default  # wpa_supplicant refuses such a file: nothing to match
        out.append(f"{key}={value}\n")
    return "".join(out)


def cmd_dump(ctx: Any, raw: str) -> str:
    """Every global key with a getter, as Debian wpa_supplicant 2.10 lists them (pywps's values, else its defaults)."""
    text = dump_text(ctx)  # wpa_supplicant ignores what follows DUMP (observed)
    if len(text.encode("utf-8", "surrogateescape")) >= REPLY_MAX:
        raise CommandFailed("DUMP does not fit a reply")  # wpa_supplicant's getters fail on a full buffer
    return text


COMMANDS = {
    "LIST_CREDS": cmd_list_creds,
    "ADD_CRED": cmd_add_cred,
    "REMOVE_CRED": cmd_remove_cred,
    "SET_CRED": cmd_set_cred,
    "GET_CRED": cmd_get_cred,
    "DUMP": cmd_dump,
}

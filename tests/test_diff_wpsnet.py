"""The network a WPS command makes for its run, as a client reads it while the run is under way, side by side:
Debian wpa_supplicant -Dwired and pywps -D wired, each given the same command with no AP on the wire, then
GET_NETWORK of that network's fields and LIST_NETWORKS. wpa_supplicant's wpas_wps_add_network gives it
key_mgmt=WPS, eap=WSC and the role's identity, the command its phase1 (`pin=<PIN as typed> dev_pw_id=0`,
`pbc=1[ multi_ap=1]`, `pin=<AP PIN>[ new_ssid=... new_auth=... new_encr=... new_key=...]` as typed) and the
BSSID it names; wpa_gui's network list and scripts read them. pywps gave only key_mgmt and disabled before.
The reply to WPS_PIN is the PIN as typed, all after the first space, as wpa_supplicant echoes it.

Not compared: LIST_NETWORKS' [CURRENT] flag, which with no AP depends on whether wpa_supplicant's wired driver
has "associated" yet (at once for `WPS_PIN any`; a PBC run or a named BSSID waits for what a wire does not
give)."""

from __future__ import annotations

import pytest
from difflab import PYWPS, WPAS, Sleep, conf_text, requires_diff, run_both

pytestmark = requires_diff

FIELDS = ("key_mgmt", "eap", "identity", "phase1", "bssid", "ssid", "disabled", "eapol_flags", "multi_ap_backhaul_sta")
COMMANDS = [
    "WPS_PIN any 12345670",
    "WPS_PIN any 1234-5670",
    "WPS_PIN any 12345670 and more",
    "WPS_PIN 02:00:00:00:01:00 1234",
    "WPS_PBC",
    "WPS_PBC 02:00:00:00:01:00",
    "WPS_PBC multi_ap=1",
    "WPS_REG 02:00:00:00:01:00 1234-5670",
    "WPS_REG 02:00:00:00:01:00 12345670 6E6577 wpa2psk ccmp 6e65776b6579313233",
]


def without_flags(listing: bytes) -> list[list[str]]:
    return [line.split("\t")[:3] for line in listing.decode().splitlines()]


@pytest.mark.parametrize("command", COMMANDS)
def test_the_runs_network_reads_as_wpa_supplicants(command):
    requests = [f"GET_NETWORK 0 {field}" for field in FIELDS]
    both = run_both([command, Sleep(0.3), *requests, "LIST_NETWORKS"], conf_text())
    theirs, ours = both[WPAS], both[PYWPS]
    assert theirs.reply("GET_NETWORK 0 eap") == b"WSC"  # what the comparison rests on
    assert ours.reply(command) == theirs.reply(command)  # WPS_PIN echoes the PIN as typed
    assert [ours.reply(r) for r in requests] == [theirs.reply(r) for r in requests]
    assert without_flags(ours.reply("LIST_NETWORKS")) == without_flags(theirs.reply("LIST_NETWORKS"))

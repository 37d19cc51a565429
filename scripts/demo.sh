#!/bin/bash
# The main job, with no Wi-Fi hardware: Debian hostapd is a WPS access point on one end of a veth pair (network
# namespace pywps-demo-ap), pywps enrolls by PIN on the other end (pywps-demo-sta), driven by Debian's wpa_cli,
# and the network block it stored is printed at the end.   sudo scripts/demo.sh
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
bash scripts/setup.sh
PY=$PWD/.venv/bin/python
work=$(mktemp -d /tmp/pywps-demo.XXXXXX)
AP=pywps-demo-ap STA=pywps-demo-sta
cleanup() {
  [ -f "$work/pywps.pid" ] && kill "$(cat "$work/pywps.pid")" 2>/dev/null
  [ -f "$work/hostapd.pid" ] && kill "$(cat "$work/hostapd.pid")" 2>/dev/null
  sleep 0.3; ip netns del $AP 2>/dev/null; ip netns del $STA 2>/dev/null; rm -rf "$work"
}
trap cleanup EXIT
ip netns del $AP 2>/dev/null || true; ip netns del $STA 2>/dev/null || true
ip netns add $AP; ip netns add $STA
ip link add vap type veth peer name vsta
ip link set vap netns $AP; ip link set vsta netns $STA
ip -n $AP link set vap address 02:00:00:00:01:00 up; ip -n $STA link set vsta address 02:00:00:00:02:00 up

cat > "$work/hostapd.conf" <<CONF
interface=vap
driver=wired
ctrl_interface=$work/hostapd
ieee8021x=1
eapol_version=2
eap_server=1
ssid=pywps-demo
wpa=2
wpa_passphrase=correct horse battery
wpa_key_mgmt=WPA-PSK
rsn_pairwise=CCMP
wps_state=2
ap_pin=12345670
config_methods=label display push_button keypad
device_name=DemoAP
CONF
cat > "$work/pywps.conf" <<CONF
ctrl_interface=$work/pywps
update_config=1
device_name=pywps-demo
manufacturer=pywps
CONF
echo "== hostapd (WPS AP) in $AP"
ip netns exec $AP hostapd -B -P "$work/hostapd.pid" -f "$work/hostapd.log" "$work/hostapd.conf"
echo "== pywps in $STA"
ip netns exec $STA "$PY" -m pywps -D wired -i vsta -c "$work/pywps.conf" -P "$work/pywps.pid" -f "$work/pywps.log" &
for _ in $(seq 50); do ip netns exec $STA wpa_cli -p "$work/pywps" -i vsta ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
echo "== hostapd_cli wps_pin any 12345670";  hostapd_cli -p "$work/hostapd" -i vap wps_pin any 12345670
echo "== wpa_cli wps_pin any 12345670 (against pywps)"
ip netns exec $STA wpa_cli -p "$work/pywps" -i vsta wps_pin any 12345670; echo
for _ in $(seq 100); do grep -q "WPS-SUCCESS\|WPS-FAIL" "$work/pywps.log" && break; sleep 0.1; done
grep -E "event: (WPS|CTRL-EVENT-EAP)" "$work/pywps.log" | sed 's/^/   /'
echo "== wpa_cli list_networks"; ip netns exec $STA wpa_cli -p "$work/pywps" -i vsta list_networks
echo "== the network block pywps stored in its configuration file"; cat "$work/pywps.conf"
grep -q "WPS-SUCCESS" "$work/pywps.log"

#!/bin/bash
# Installs what pywps, its demo and its tests need on a Debian 12 machine (run as root), into ./.venv.
#   scripts/setup.sh          Debian packages + venv with pywps and the test tools
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
# wpagui xvfb xdotool imagemagick tesseract-ocr(-eng): tests/test_wpagui.py drives wpa_gui under Xvfb and reads
# its windows by OCR.
APT_PACKAGES=(python3 python3-venv python3-pip hostapd wpasupplicant iproute2 iw iputils-ping
              qemu-system-x86 busybox-static kmod cpio
              wpagui xvfb xdotool imagemagick tesseract-ocr tesseract-ocr-eng)
missing=()
for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Debian starts hostapd/wpa_supplicant services where systemd runs; the tests start their own instances.
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install -q --disable-pip-version-check -e '.[test]'
echo "setup: ready ($(.venv/bin/python --version), $(hostapd -v 2>&1 | head -1))"

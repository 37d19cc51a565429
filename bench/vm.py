"""Benchmark in the mac80211_hwsim VM: pywps vs Debian wpa_supplicant on wlan1 against the same hostapd.

    sudo python3 bench/vm.py [ROUNDS]

Prints the median of each measure and the ratio pywps / wpa_supplicant. TCG emulation makes the absolute
times slow; only the ratio is meaningful. Needs the VM artefacts (tests/vm/build.sh).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
rounds = sys.argv[1] if len(sys.argv) > 1 else "3"
out = subprocess.run(["bash", str(ROOT / "tests/vm/run.sh"), f"{sys.executable} {ROOT}/bench/vm_guest.py {rounds}"],
                     cwd=ROOT, capture_output=True, text=True, env={"HWSIM_RADIOS": "2", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
samples: dict[str, list[tuple[float, ...]]] = {}
for line in out.stdout.splitlines():
    if line.startswith("SAMPLE "):
        _, program, *values = line.split()
        samples.setdefault(program, []).append(tuple(float(v) for v in values))
if set(samples) != {"pywps", "wpa_supplicant"}:
    sys.exit(f"the VM run gave no samples:\n{out.stdout[-4000:]}")
print(f"{'measure (median of ' + rounds + ', seconds)':44} {'pywps':>8} {'wpa_supp':>8} {'ratio':>6}")
for i, name in enumerate(("WPS_PIN -> WPS-SUCCESS", "WPS_PIN -> CTRL-EVENT-CONNECTED", "cold start -> COMPLETED")):
    ours = statistics.median(s[i] for s in samples["pywps"])
    ref = statistics.median(s[i] for s in samples["wpa_supplicant"])
    print(f"{name:44} {ours:8.2f} {ref:8.2f} {ours / ref:6.2f}x")

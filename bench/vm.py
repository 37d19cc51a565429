"""Benchmark in the mac80211_hwsim VM: pywps vs Debian wpa_supplicant on wlan1 against the same hostapd.

    sudo python3 bench/vm.py [ROUNDS]

Prints the median of each measure and the ratio pywps / wpa_supplicant (the WPS runs with the AP in the radio's
scan cache, where pywps scans its channel first, and one with an empty cache: bench/vm_guest.py's one()), and
pywps's start -> first PONG (the radio up, and down as at boot) against the floor (`python -c "import asyncio"`
in the same VM). TCG emulation makes the absolute times slow; only the ratios are meaningful. Needs the VM
artefacts (tests/vm/build.sh; VM_ARTEFACTS and the other VM_* settings of tests/vm/run.sh pass through). The
guest has two vCPUs (VM_SMP=2), as when the README's figures were taken; the tests' VMs have one.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
rounds = sys.argv[1] if len(sys.argv) > 1 else "3"
# pywps's bytecode, as an installed package has it (the guest sees this tree read-only through its overlay)
subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "pywps")], check=True, stdout=subprocess.DEVNULL)
env = {"HWSIM_RADIOS": "2", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "VM_SMP": "2",
       **{k: v for k, v in os.environ.items() if k.startswith("VM_")}}
out = subprocess.run(["bash", str(ROOT / "tests/vm/run.sh"), f"{sys.executable} {ROOT}/bench/vm_guest.py {rounds}"],
                     cwd=ROOT, capture_output=True, text=True, env=env)
samples: dict[str, list[tuple[float, ...]]] = {}
floors: list[float] = []
for line in out.stdout.splitlines():
    if line.startswith("SAMPLE "):
        _, program, *values = line.split()
        samples.setdefault(program, []).append(tuple(float(v) for v in values))
    elif line.startswith("FLOOR "):
        floors.append(float(line.split()[1]))
if set(samples) != {"pywps", "wpa_supplicant"}:
    sys.exit(f"the VM run gave no samples:\n{out.stdout[-4000:]}")
print(f"{'measure (median of ' + rounds + ', seconds)':44} {'pywps':>8} {'wpa_supp':>8} {'ratio':>6}")
for i, name in enumerate(("WPS_PIN at the first PONG -> WPS-SUCCESS", "WPS_PIN at the first PONG -> CONNECTED",
                          "cold start -> COMPLETED", "start -> first PONG (-D nl80211)",
                          "WPS_PIN 3 s after it -> WPS-SUCCESS", "WPS_PIN 3 s after it -> CONNECTED",
                          "AP not in the cache, 3 s after -> WPS-SUCCESS", "AP not in the cache, 3 s after -> CONNECTED",
                          "start -> first PONG, radio down (a boot)")):
    ours = statistics.median(s[i] for s in samples["pywps"])
    ref = statistics.median(s[i] for s in samples["wpa_supplicant"])
    print(f"{name:44} {ours:8.2f} {ref:8.2f} {ours / ref:6.2f}x")
ours, ref = statistics.median(s[3] for s in samples["pywps"]), statistics.median(floors)
print(f"{'start -> first PONG vs import asyncio':44} {ours:8.2f} {ref:8.2f} {ours / ref:6.2f}x  (goal <= 2x)")
ours = statistics.median(s[8] for s in samples["pywps"])
print(f"{'the same, radio down, vs import asyncio':44} {ours:8.2f} {ref:8.2f} {ours / ref:6.2f}x  (goal <= 2x)")

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # test helpers (netlab, wps_helpers) import by name

# tests/vm/guest runs inside the mac80211_hwsim VM only (tests/test_vm.py boots it and reports its results).
collect_ignore = [] if os.environ.get("PYWPS_IN_VM") else ["vm/guest"]

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # test helpers (netlab, wps_helpers) import by name

# tests/vm/guest runs inside the mac80211_hwsim VM only (tests/test_vm.py boots it and reports its results).
collect_ignore = [] if os.environ.get("PYWPS_IN_VM") else ["vm/guest"]


def pytest_collection_finish(session) -> None:
    """Start the VM boots of the selected VM tests now, beside the host's tests (tests/vmboots.py)."""
    if session.config.option.collectonly:
        return
    import vmboots

    modules = sorted({item.module for item in session.items if hasattr(item.module, "BOOTS")}, key=lambda m: m.__name__)
    vmboots.start_early(boot for module in modules for boot in module.BOOTS)


def pytest_sessionfinish(session) -> None:
    if "vmboots" in sys.modules:
        sys.modules["vmboots"].stop_all()


def pytest_terminal_summary(terminalreporter) -> None:
    """Where the hwsim VMs spent their time (they set the CI run's length): the slowest guest tests."""
    test_vm = sys.modules.get("test_vm")
    if test_vm is None or not test_vm.GUEST_REPORTS:
        return
    terminalreporter.section("slowest hwsim guest tests (s, all cases)")
    for seconds, name in test_vm.slowest(test_vm.GUEST_REPORTS):
        terminalreporter.write_line(f"{seconds:8.1f}  {name}")

"""pywps: a Wi-Fi Protected Setup (WSC 2.0) daemon driven over a wpa_ctrl-compatible control socket."""

__version__ = "0.1.0"

"""Drivers move frames: EAPOL in and out, scans and association where the medium has them."""

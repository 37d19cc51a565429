"""The wpa_ctrl-compatible control interface: datagram server, command table, event texts, client."""

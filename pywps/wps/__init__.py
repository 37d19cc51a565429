"""The sans-IO WPS core: bytes and events in, bytes and events out. No sockets, clocks or asyncio here."""

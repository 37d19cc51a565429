"""The station: scans and the BSS table, AP choice and association, WPS runs, staying joined to stored networks.

`wpsrun` and `connection` are sans-IO policies (one transition table each, `now` passed in, aioquic's
`get_timer()` / `handle_timer(now)`); `station` and `connector` are the thin asyncio layers that carry out
what they ask for.
"""

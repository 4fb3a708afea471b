"""即接即办: an intake clerk answers a consultation or simple request on the spot (直接答复)."""

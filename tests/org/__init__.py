"""Reference data: the per-process cache of reference tables."""

"""Reference data: the organisation tree and category catalogue rules, defaults, and their process cache."""

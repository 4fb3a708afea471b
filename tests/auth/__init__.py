"""Login, lock-out, roles and department scoping on every route."""

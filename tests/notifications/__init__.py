"""The outbox: inbox rows, e-mail and group-robot delivery."""

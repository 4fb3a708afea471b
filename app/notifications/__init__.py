"""Notifications: the inbox and outbox rows (one writer), their delivery by e-mail and group robots."""

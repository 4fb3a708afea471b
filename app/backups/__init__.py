"""Backups: the database and the attachments in one checked folder, restores, and their retention."""

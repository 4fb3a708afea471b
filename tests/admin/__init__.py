"""The panel's views: case desk, attachments, audit trail, calendar, CSRF, QR codes."""

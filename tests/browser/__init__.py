"""Pages driven in Debian's Chromium through Playwright."""

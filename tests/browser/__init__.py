"""Real-browser tests of the driver map (Debian chromium through Playwright)."""

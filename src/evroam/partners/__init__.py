"""Partner onboarding, network sync, live-update intake and feed health."""

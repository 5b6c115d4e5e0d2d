"""The hub over T/CEC 102: domain mapping, partner gateway, remote charging."""

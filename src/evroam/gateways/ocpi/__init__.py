"""The hub over OCPI 2.2.1: domain mapping, partner gateway, remote charging."""

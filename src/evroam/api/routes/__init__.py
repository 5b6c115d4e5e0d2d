"""Route modules, one per context; each handler calls one service function."""

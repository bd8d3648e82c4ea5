"""Route modules, one per service contract (plus ``auth`` for the gateway's own accounts)."""

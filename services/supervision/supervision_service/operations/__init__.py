"""What the supervision service does, one module per subject (see ``common``); callers import the module they use."""

"""An example event subscriber packaged as a plugin of the suite's runner."""

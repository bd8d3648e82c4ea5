"""The personnel service's use cases, one module per subject: database work around the pure rules in ``rules.py``.

Each function takes a kernel ``Tx`` (or a read session), the service settings and the caller's actor, and returns
contract-shaped dicts. Entry points in ``service.py`` import the module they use; nothing is re-exported here.
"""

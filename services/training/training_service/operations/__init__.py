"""The training service's use cases, one module per subject: database work around the pure rules in ``rules.py``.

Each function takes a kernel ``Tx`` (or a read session), the service settings and the caller's actor, and returns
contract-shaped dicts. Entry points in ``service.py`` only route to these; the import command-line tool calls
``imports.import_attendance`` directly. Import the module you use (there is no re-export here).

Yearly compliance is aggregated by the database (``compliance.aggregate``: one GROUP BY over attendance, sessions and
courses); Python only applies the rules to the per-officer totals.
"""

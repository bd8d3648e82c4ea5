"""Contract of the training service: categories, courses, sessions, attendance, compliance, exams.

One module per subject, each with its RPC payloads and its events; import the module you use
(``from enforcement_contracts.training import exams``). RPC methods (service ``training``, see
``common.SERVICE``) take and return the payloads as JSON-ready dicts; every write takes the caller's ``actor``
(see ``enforcement_contracts.common.Actor``) so the service scopes it.

The training service publishes a full snapshot of an officer's yearly hours after every change
(``compliance.HOURS_UPDATED``) rather than single attendances, so a consumer's read model is one upsert and
an older snapshot (lower ``revision``) arriving late never overwrites a newer one.
"""

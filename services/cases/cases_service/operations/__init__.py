"""The cases service's use cases: database work around the pure rules in ``rules/``.

Each function takes a kernel ``Tx`` (or a read session), the settings and the caller's actor, and returns
contract-shaped dicts. Entry points in ``service.py`` only route to these. Questions for the personnel service
(certificates, legal reviewers, agencies) are asked before anything is written, so a refusal or an unreachable
personnel service leaves nothing behind.

One module per subject; import the module you use (nothing is re-exported here): ``common`` (settings, promptness
kinds, agencies), ``catalogue`` (item types, items, dormant items), ``benchmarks`` (benchmarks, lenient and
major-decision lists), ``cases`` (loading, checking and reading cases), ``reporting`` (report, later stages,
decision), ``legal_reviews``, ``publication``, ``deadlines`` (the deadline watch), ``transfers``, ``inspections``,
``reviews`` (case-file review), ``imports`` (spreadsheet import), ``promptness`` (figures for supervision) and
``seed``.
"""

"""Pure rules of the cases service: the catalogue, benchmarks and the procedure of the Administrative Penalty Law
(行政处罚法, 2021), legal review, publication and promptness.

No database and no nameko here, so every rule can be unit-tested at its boundaries. Numbers that vary by province or
county are parameters with the plan's defaults; the service passes in its configured values. Each check either
returns a rejection (the request is refused, naming the field) or a warning (recorded on the case: the law's deadline
was missed, which the bureau must see rather than have hidden by a refusal).

Periods: the day of the act is not counted. The 90 days of art. 60 are calendar days; the 2/3/5/7-day periods of the
law are working days (art. 85), counted on the Chinese official calendar (``enforcement_kernel.workdays``).

One module per subject: ``privacy``, ``periods``, ``cataloguing`` (item versions, dormant items),
``discretion`` (benchmarks, lenient lists), ``procedure``, ``major_decisions`` (legal review), ``whole_case`` (every
check on a case at once), ``handover`` (transfers), ``inspection_limits``, ``file_review`` (case-file review),
``draws`` and ``records`` (whole-process recordings, the documents a case must hold). Import the module you
use; nothing is re-exported here.
"""

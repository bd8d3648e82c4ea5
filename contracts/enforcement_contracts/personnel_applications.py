"""Contract of the personnel service's certificate applications (申领): an agency applies for an officer's
certificate, the issuing authority (a county setting: the county government through the justice bureau) approves it,
which issues the certificate, or refuses it with reasons. An agency never issues its own officers' certificates.

RPC methods (service ``personnel``): ``file_certificate_application(actor, payload)``,
``list_certificate_applications(actor, query)``, ``get_certificate_application(actor, application_id)``,
``approve_certificate_application(actor, application_id)``, ``refuse_certificate_application(actor, application_id,
payload)``. The time from filing to decision is the issuing authority's promptness figure
(``certificate_application_decided``).
"""

from __future__ import annotations

from marshmallow import fields, validate

from .common import AGENCY_CODE, PageQuery, StrictSchema
from .personnel import DOMAIN_CODE

APPLICATION_STATES = ("pending", "approved", "refused")


class CertificateApplicationCreate(StrictSchema):
    """Filed today by the officer's agency (the filing day is not chosen: it starts the authority's clock)."""

    officer_id = fields.String(required=True, validate=validate.Length(min=1, max=32))
    domains = fields.List(fields.String(validate=DOMAIN_CODE), required=True, validate=validate.Length(min=1, max=20))


class CertificateApplicationRefusal(StrictSchema):
    reason = fields.String(
        required=True,
        validate=validate.Length(min=2, max=500),
        metadata={"description": "why the application is refused (told to the agency)"},
    )


class CertificateApplicationQuery(PageQuery):
    """Applications, the oldest pending first then the latest decided; an agency administrator sees its own."""

    state = fields.String(validate=validate.OneOf(APPLICATION_STATES))
    agency_code = fields.String(validate=AGENCY_CODE)
    officer_id = fields.String(
        validate=validate.Length(min=1, max=32), metadata={"description": "one officer's applications"}
    )


class CertificateApplication(StrictSchema):
    application_id = fields.String()
    officer_id = fields.String()
    officer_name = fields.String()
    agency_code = fields.String()
    domains = fields.List(fields.String())
    state = fields.String(metadata={"description": "pending, approved or refused"})
    filed_on = fields.Date()
    filed_by = fields.String(metadata={"description": "the account that filed it"})
    due_on = fields.Date(metadata={"description": "the last day for the issuing authority's decision"})
    deadline_workdays = fields.Integer(metadata={"description": "the decision deadline in working days (a setting)"})
    overdue = fields.Boolean(metadata={"description": "still pending after due_on"})
    decided_on = fields.Date(allow_none=True)
    decided_by = fields.String(allow_none=True)
    refusal_reason = fields.String(allow_none=True)
    certificate_number = fields.String(allow_none=True, metadata={"description": "the certificate issued on approval"})
    issuing_authority = fields.String(metadata={"description": "who decides (发证机关), a county setting"})

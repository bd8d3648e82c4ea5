"""Sessions of a course (planned or held) and activities (a drill or skills contest and its one session)."""

from __future__ import annotations

from marshmallow import fields, validate

from ..common import AGENCY_CODE, DateRange, PageQuery, StrictSchema
from .common import ACTIVITY_KINDS, CATEGORY_CODE, DELIVERIES, HOURS, ORGANISER_KINDS, event


class Organiser(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(ORGANISER_KINDS))
    agency_codes = fields.List(
        fields.String(validate=AGENCY_CODE),
        load_default=list,
        validate=validate.Length(max=30),
        metadata={"description": "none for the bureau, one for an agency, two or more for a joint session"},
    )


class SessionCreate(StrictSchema):
    course_id = fields.String(required=True, validate=validate.Length(min=1, max=40))
    held_on = fields.Date(
        required=True, metadata={"description": "first day (may be in the future: sessions are planned)"}
    )
    ends_on = fields.Date(
        load_default=None,
        allow_none=True,
        metadata={"description": "last day (an online course open for a period); defaults to held_on"},
    )
    hours = fields.Float(required=True, validate=HOURS)
    delivery = fields.String(required=True, validate=validate.OneOf(DELIVERIES))
    organiser = fields.Nested(Organiser, required=True)
    location = fields.String(load_default="", validate=validate.Length(max=200))
    open_to = fields.List(
        fields.String(validate=AGENCY_CODE),
        load_default=list,
        validate=validate.Length(max=30),
        metadata={"description": "other agencies whose officers may attend (besides the organisers')"},
    )
    open_county_wide = fields.Boolean(
        load_default=False,
        metadata={"description": "every agency's officers may attend (always so for the bureau's sessions)"},
    )


PARTNER_STATES = ("pending", "confirmed", "refused")
PARTNER_DECISIONS = ("confirmed", "refused")


class SessionPartner(StrictSchema):
    """A co-organiser of a joint session: pending until its admin confirms (or refuses: then it is no longer one)."""

    agency_code = fields.String()
    state = fields.String(metadata={"description": "pending, confirmed or refused"})
    decided_on = fields.Date(allow_none=True)


class Session(SessionCreate):
    session_id = fields.String()
    course_title = fields.String()
    category_code = fields.String()
    kind = fields.String()
    required = fields.Boolean()
    partners = fields.List(
        fields.Nested(SessionPartner),
        metadata={"description": "a joint session's co-organisers that had to confirm (empty for the others)"},
    )
    joint_state = fields.String(
        allow_none=True,
        metadata={"description": "pending while a co-organiser has not confirmed, else confirmed; null if not joint"},
    )


class PartnerDecision(StrictSchema):
    """The co-organiser's admin confirms (or refuses) its agency's part in a joint session."""

    decision = fields.String(required=True, validate=validate.OneOf(PARTNER_DECISIONS))


class SessionQuery(DateRange, PageQuery):
    """Sessions of a course (or all), held within ``from``-``to`` (first day), a page at a time."""

    course_id = fields.String(validate=validate.Length(max=40))


class ActivityCreate(StrictSchema):
    """A drill (演练) or skills contest (技能竞赛): a course of that kind and its one session, in one step."""

    kind = fields.String(required=True, validate=validate.OneOf(ACTIVITY_KINDS))
    title = fields.String(required=True, validate=validate.Length(min=2, max=200))
    category_code = fields.String(required=True, validate=CATEGORY_CODE)
    counts_hours = fields.Boolean(
        required=True, metadata={"description": "whether its hours count towards the thresholds"}
    )
    held_on = fields.Date(required=True)
    ends_on = fields.Date(load_default=None, allow_none=True)
    hours = fields.Float(required=True, validate=HOURS)
    delivery = fields.String(load_default="offline", validate=validate.OneOf(DELIVERIES))
    organiser = fields.Nested(Organiser, required=True)
    location = fields.String(load_default="", validate=validate.Length(max=200))


# --- events ---------------------------------------------------------------------------------
class SessionScheduled(StrictSchema):
    session_id = fields.String(required=True)
    course_id = fields.String(required=True)
    category_code = fields.String(required=True)
    kind = fields.String(required=True)
    held_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    hours = fields.Float(required=True)
    delivery = fields.String(required=True)
    organiser_kind = fields.String(required=True)
    organiser_agencies = fields.List(fields.String(), required=True)
    # issue 13, optional (compatible): who must still confirm, and whose officers may attend
    pending_partners = fields.List(
        fields.String(), metadata={"description": "co-organisers that have not confirmed yet (joint sessions)"}
    )
    open_to = fields.List(fields.String(), metadata={"description": "other agencies whose officers may attend"})
    open_county_wide = fields.Boolean(metadata={"description": "every agency's officers may attend"})


class SessionPartnerDecided(StrictSchema):
    session_id = fields.String(required=True)
    agency_code = fields.String(required=True, metadata={"description": "the co-organiser that decided"})
    decision = fields.String(required=True, metadata={"description": "confirmed or refused"})
    decided_on = fields.Date(required=True)
    organiser_kind = fields.String(required=True, metadata={"description": "after the decision (agency if refused)"})
    organiser_agencies = fields.List(fields.String(), required=True)


SESSION_SCHEDULED = event(
    "session.scheduled", SessionScheduled, "A session of a course (or an activity's occasion) was scheduled."
)
SESSION_PARTNER_DECIDED = event(
    "session.partner_decided",
    SessionPartnerDecided,
    "A co-organiser of a joint session confirmed it, or refused (then it is no longer an organiser).",
)

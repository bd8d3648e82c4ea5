"""What the cases contract's modules share: the service name, code shapes, money, the lenient lists and penalty
kinds (行政处罚法 art. 9)."""

from __future__ import annotations

from marshmallow import ValidationError, pre_load, validate

SERVICE = "cases"

# Enforcement types (行政处罚, 行政许可, ...) are data in the service (a table seeded with the seven of the plan);
# only the shape of a code is fixed here.
TYPE_CODE = validate.Regexp(r"^[a-z][a-z_]{1,29}$", error="must be a lower-case code like penalty")

# Enforcement domains (执法类别) are the personnel service's codes: certificates cover them.
DOMAIN_CODE = validate.Regexp(r"^[a-z][a-z0-9_]{1,39}$", error="must be a lower-case code like market_supervision")

LENIENT_LISTS = ("lighter", "mitigated", "first_violation_exempt")  # 从轻, 减轻, 首违不罚

# 行政处罚法 art. 9 (plus "other" for kinds set by other laws)
PENALTY_KINDS = (
    "warning",
    "criticism",
    "fine",
    "confiscate_income",
    "confiscate_property",
    "suspend_licence",
    "lower_qualification",
    "revoke_licence",
    "restrict_business",
    "order_closure",
    "order_shutdown",
    "restrict_practice",
    "detention",
    "other",
)


class _Money(validate.Validator):
    """0 to 100 billion yuan. Not a ``Range``: apispec would render its bounds as Decimal strings."""

    error = "must be between 0 and 100000000000"

    def __call__(self, value):
        if value < 0 or value > 10**11:
            raise ValidationError(self.error)
        return value


MONEY = _Money()

MONEY_DOC = {"minimum": 0, "maximum": 10**11, "description": "yuan"}

NOT_BLANK = validate.Regexp(r"\S", error="must not be blank")


SEED_REFUSED = "the server makes the seed and publishes its hash before the draw; a seed may not be supplied"
DRAW_STATES = ("planned", "drawn")  # planned: pools fixed, the seed's hash published; drawn: the seed revealed


class RefusesSeed:
    """Mixed into the request that plans a random draw (double-random inspections, review batches): nobody picks the
    seed, so one supplied is refused (400 naming ``seed``), never silently replaced."""

    @pre_load
    def _refuse_seed(self, data, **_kwargs):
        if isinstance(data, dict) and "seed" in data:
            raise ValidationError(SEED_REFUSED, "seed")
        return data

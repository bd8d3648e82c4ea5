"""The personnel service's settings (``PERSONNEL`` in config.yml) and its personal-data cipher, built once per
container (``Configured`` in ``service.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from enforcement_kernel.config import setting
from enforcement_kernel.crypto import PersonalDataCipher

from . import rules


@dataclass(frozen=True)
class Settings:
    division_code: str
    validity_years: int
    renewal_window_months: int
    cancellation_deadline_workdays: int
    suspend_on_failed_assessment: bool
    thresholds: rules.EligibilityThresholds
    public_law_category: str
    professional_category: str
    accept_previous_year_training: bool
    # the issuing authority (发证机关): decides the agencies' applications; its promptness is measured under its code
    issuing_authority_code: str
    issuing_authority_name: str
    application_decision_workdays: int

    @classmethod
    def from_config(cls, config: dict) -> Settings:
        p = lambda key, default: setting(config, f"PERSONNEL.{key}", default)  # noqa: E731
        return cls(
            division_code=str(p("division_code", "140928")),
            validity_years=int(p("certificate_validity_years", 5)),
            renewal_window_months=int(p("renewal_window_months", 6)),
            cancellation_deadline_workdays=int(p("cancellation_deadline_workdays", 5)),
            suspend_on_failed_assessment=bool(p("suspend_on_failed_assessment", True)),
            thresholds=rules.EligibilityThresholds(
                float(p("public_law_hours", 30)), float(p("professional_hours", 30))
            ),
            public_law_category=str(p("public_law_category", "public_law")),
            professional_category=str(p("professional_category", "professional")),
            accept_previous_year_training=bool(p("accept_previous_year_training", True)),
            issuing_authority_code=str(p("applications.issuing_authority_code", "140928-sfj")),
            issuing_authority_name=str(p("applications.issuing_authority_name", "五寨县人民政府（县司法局承办）")),
            application_decision_workdays=int(p("applications.decision_workdays", 20)),
        )


def cipher_from_config(config: dict) -> PersonalDataCipher:
    return PersonalDataCipher(str(config.get("ID_ENCRYPTION_KEY", "")), str(config.get("ID_HASH_KEY", "")))

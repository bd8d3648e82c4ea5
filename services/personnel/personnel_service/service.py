"""The personnel service's entry points: thin routing from RPC and events to ``operations``."""

from __future__ import annotations

from nameko.extensions import DependencyProvider
from nameko.timer import timer

from enforcement_contracts import personnel as contract
from enforcement_contracts import training
from enforcement_contracts.common import Actor
from enforcement_kernel.handlers import consumes
from enforcement_kernel.rpc import load, rpc
from enforcement_kernel.service import ServiceBase

from .operations import (
    agencies,
    assessments,
    certificates,
    departures,
    legal_reviewers,
    officers,
    promptness,
    training_facts,
    yearly_facts,
)
from .settings import Settings, cipher_from_config


class PersonnelContext(DependencyProvider):
    """Settings and the personal-data cipher, built once from the container's config."""

    def setup(self):
        self.settings = Settings.from_config(self.container.config)
        self.cipher = cipher_from_config(self.container.config)

    def get_dependency(self, worker_ctx):
        return self


class PersonnelService(ServiceBase):
    name = contract.SERVICE

    context = PersonnelContext()

    # agencies
    @rpc
    def list_agencies(self, actor):
        with self.db.read() as session:
            return agencies.list_agencies(session, load(Actor, actor))

    @rpc
    def create_agency(self, actor, payload):
        return self._write(agencies.create_agency, load(Actor, actor), load(contract.AgencyCreate, payload))

    # officers
    @rpc
    def register_officer(self, actor, payload):
        return self._write(
            officers.register_officer, load(Actor, actor), load(contract.OfficerCreate, payload), self.context.cipher
        )

    @rpc
    def get_officer(self, actor, officer_id):
        with self.db.read() as session:
            return officers.read_officer(session, load(Actor, actor), officer_id)

    @rpc
    def find_officer_by_id_number(self, actor, id_number):
        with self.db.read() as session:
            return officers.find_officer_by_id_number(session, load(Actor, actor), id_number, self.context.cipher)

    @rpc
    def list_officers(self, actor, query=None):
        with self.db.read() as session:
            return officers.list_officers(session, load(Actor, actor), load(contract.OfficerQuery, query or {}))

    @rpc
    def update_officer(self, actor, officer_id, payload):
        return self._write(
            officers.update_officer, load(Actor, actor), officer_id, load(contract.OfficerUpdate, payload)
        )

    @rpc
    def record_departure(self, actor, officer_id, payload):
        return self._write(
            departures.record_departure,
            load(Actor, actor),
            officer_id,
            load(contract.DepartureCreate, payload),
            self.context.settings,
            self.today(),
        )

    @rpc
    def eligibility(self, actor, officer_id, year=None):
        with self.db.read() as session:
            return training_facts.read_eligibility(
                session, load(Actor, actor), officer_id, int(year or self.today().year), self.context.settings
            )

    # certificates
    @rpc
    def issue_certificate(self, actor, payload):
        return self._write(
            certificates.issue_certificate,
            load(Actor, actor),
            load(contract.CertificateIssue, payload),
            self.context.settings,
            self.today(),
        )

    @rpc
    def get_certificate(self, actor, number):
        with self.db.read() as session:
            return certificates.read_certificate(session, load(Actor, actor), number, self.context.settings)

    @rpc
    def change_certificate_status(self, actor, number, payload):
        return self._write(
            certificates.change_certificate_status,
            load(Actor, actor),
            number,
            load(contract.CertificateStatusChange, payload),
            self.context.settings,
            self.today(),
        )

    @rpc
    def renew_certificate(self, actor, number):
        return self._write(
            certificates.renew_certificate, load(Actor, actor), number, self.context.settings, self.today()
        )

    @rpc
    def check_certificate(self, number):
        """Public: anyone may check a certificate's validity by its number."""
        with self.db.read() as session:
            return certificates.check_certificate(session, number, self.today())

    @rpc
    def may_enforce(self, query):
        """For other services: may this officer enforce in this domain on this date?"""
        with self.db.read() as session:
            return certificates.may_enforce(session, load(contract.MayEnforceQuery, query))

    # assessments, legal reviewers, promptness
    @rpc
    def record_assessment(self, actor, officer_id, payload):
        return self._write(
            assessments.record_assessment,
            load(Actor, actor),
            officer_id,
            load(contract.AssessmentCreate, payload),
            self.context.settings,
            self.today(),
        )

    @rpc
    def register_legal_reviewer(self, actor, payload):
        return self._write(
            legal_reviewers.register_legal_reviewer, load(Actor, actor), load(contract.LegalReviewerCreate, payload)
        )

    @rpc
    def list_legal_reviewers(self, actor, agency_code=None):
        with self.db.read() as session:
            return legal_reviewers.list_legal_reviewers(session, load(Actor, actor), agency_code)

    @rpc
    def promptness(self, actor, since=None, until=None):
        dates = load(contract.PromptnessQuery, {k: v for k, v in (("since", since), ("until", until)) if v})
        with self.db.read() as session:
            return promptness.promptness_table(session, load(Actor, actor), dates.get("since"), dates.get("until"))

    @rpc
    def agency_certification_facts(self, actor, year):
        """Per agency, one year's certificate facts for the supervision service's assessment and report."""
        actor, query = load(Actor, actor), load(contract.FactsQuery, {"year": year})
        with self.db.read() as session:
            return yearly_facts.agency_certification_facts(session, actor, query["year"], self.today())

    @timer(interval=3600, eager=True)
    def announce_expired_certificates(self):
        """Hourly (and at start): certificate.expired for certificates past their expiry date."""
        with self.db.transaction() as tx:
            certificates.announce_expired(tx, self.today())

    # training facts (read model)
    @consumes(training.HOURS_UPDATED)
    def on_hours_updated(self, tx, envelope, data):
        training_facts.apply_hours(tx, data)

    @consumes(training.EXAM_PASSED)
    def on_exam_passed(self, tx, envelope, data):
        training_facts.apply_exam(tx, data, passed=True)

    @consumes(training.EXAM_FAILED)
    def on_exam_failed(self, tx, envelope, data):
        training_facts.apply_exam(tx, data, passed=False)

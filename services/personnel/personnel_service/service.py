"""The personnel service's entry points: thin routing from RPC and events to the ``operations`` modules.

``actor`` arrives already validated by the kernel's ``@rpc``; writes run in ``self._write`` (one transaction with
their events), reads in ``self._read``.
"""

from __future__ import annotations

import logging

from nameko.timer import timer

from enforcement_contracts import personnel as contract
from enforcement_contracts import personnel_applications as applications_contract
from enforcement_contracts.common import PageQuery
from enforcement_contracts.training import compliance as training_compliance
from enforcement_contracts.training import exams as training_exams
from enforcement_kernel.handlers import consumes
from enforcement_kernel.rpc import load, rpc
from enforcement_kernel.service import Configured, ServiceBase
from enforcement_kernel.timers import configured_timer

from .operations import (
    agencies,
    applications,
    assessments,
    certificates,
    deadlines,
    departures,
    enforcement,
    guidance,
    legal_reviewers,
    officers,
    promptness,
    training_facts,
    yearly_facts,
)
from .settings import Settings, cipher_from_config

log = logging.getLogger(__name__)


class PersonnelService(ServiceBase):
    name = contract.SERVICE

    settings = Configured(Settings.from_config)
    cipher = Configured(cipher_from_config)

    # agencies
    @rpc
    def list_agencies(self, actor, query=None):
        return self._read(agencies.list_agencies, actor, load(PageQuery, query or {}), self.today())

    @rpc
    def get_agency(self, actor, code):
        return self._read(agencies.read_agency, actor, code, self.today())

    @rpc
    def create_agency(self, actor, payload):
        return self._write(agencies.create_agency, actor, load(contract.AgencyCreate, payload))

    # sector guidance (a county department guides a township in a domain)
    @rpc
    def list_guidance(self, actor, query=None):
        return self._read(guidance.list_guidance, actor, load(contract.GuidanceQuery, query or {}))

    @rpc
    def assign_guidance(self, actor, payload):
        return self._write(guidance.assign_guidance, actor, load(contract.GuidanceCreate, payload), self.today())

    @rpc
    def end_guidance(self, actor, guidance_id, payload=None):
        data = load(contract.GuidanceEnd, payload or {})
        return self._write(guidance.end_guidance, actor, guidance_id, data, self.today())

    # officers
    @rpc
    def register_officer(self, actor, payload):
        data = load(contract.OfficerCreate, payload)
        return self._write(officers.register_officer, actor, data, self.cipher, self.today())

    @rpc
    def get_officer(self, actor, officer_id):
        return self._read(officers.read_officer, actor, officer_id)

    @rpc
    def find_officer_by_id_number(self, actor, id_number):
        return self._read(officers.find_officer_by_id_number, actor, id_number, self.cipher)

    @rpc
    def list_officers(self, actor, query=None):
        return self._read(officers.list_officers, actor, load(contract.OfficerQuery, query or {}))

    @rpc
    def update_officer(self, actor, officer_id, payload):
        data = load(contract.OfficerUpdate, payload)
        return self._write(officers.update_officer, actor, officer_id, data, self.today())

    @rpc
    def record_departure(self, actor, officer_id, payload):
        data = load(contract.DepartureCreate, payload)
        return self._write(departures.record_departure, actor, officer_id, data, self.settings, self.today())

    @rpc
    def eligibility(self, actor, officer_id, year=None):
        year = int(year or self.today().year)
        return self._read(training_facts.read_eligibility, actor, officer_id, year, self.settings)

    # certificates
    @rpc
    def issue_certificate(self, actor, payload):
        data = load(contract.CertificateIssue, payload)
        return self._write(certificates.issue_certificate, actor, data, self.settings, self.today())

    @rpc
    def get_certificate(self, actor, number):
        return self._read(certificates.read_certificate, actor, number, self.settings)

    @rpc
    def list_officer_certificates(self, actor, officer_id, query=None):
        query = load(PageQuery, query or {})
        return self._read(certificates.list_officer_certificates, actor, officer_id, query, self.settings)

    @rpc
    def change_certificate_status(self, actor, number, payload):
        data = load(contract.CertificateStatusChange, payload)
        return self._write(certificates.change_certificate_status, actor, number, data, self.settings, self.today())

    @rpc
    def renew_certificate(self, actor, number):
        return self._write(certificates.renew_certificate, actor, number, self.settings, self.today())

    @rpc
    def check_certificate(self, number, code=None):
        """Public: anyone may check a certificate's validity by its number; its check code shows the holder too."""
        return self._read(certificates.check_certificate, number, code, self.settings, self.today())

    # certificate applications (申领): the agency applies, the issuing authority decides
    @rpc
    def file_certificate_application(self, actor, payload):
        data = load(applications_contract.CertificateApplicationCreate, payload)
        return self._write(applications.file_application, actor, data, self.settings, self.today())

    @rpc
    def list_certificate_applications(self, actor, query=None):
        query = load(applications_contract.CertificateApplicationQuery, query or {})
        return self._read(applications.list_applications, actor, query, self.settings, self.today())

    @rpc
    def get_certificate_application(self, actor, application_id):
        return self._read(applications.read_application, actor, application_id, self.settings, self.today())

    @rpc
    def approve_certificate_application(self, actor, application_id):
        return self._write(applications.approve_application, actor, application_id, self.settings, self.today())

    @rpc
    def refuse_certificate_application(self, actor, application_id, payload):
        data = load(applications_contract.CertificateApplicationRefusal, payload)
        return self._write(applications.refuse_application, actor, application_id, data, self.settings, self.today())

    @rpc
    def may_enforce(self, query):
        """For other services: may this officer enforce in this domain on this date?"""
        return self._read(enforcement.may_enforce, load(contract.MayEnforceQuery, query))

    # assessments, legal reviewers, promptness
    @rpc
    def record_assessment(self, actor, officer_id, payload):
        data = load(contract.AssessmentCreate, payload)
        return self._write(assessments.record_assessment, actor, officer_id, data, self.settings, self.today())

    @rpc
    def list_assessments(self, actor, officer_id, query=None):
        return self._read(assessments.list_assessments, actor, officer_id, load(PageQuery, query or {}))

    @rpc
    def register_legal_reviewer(self, actor, payload):
        data = load(contract.LegalReviewerCreate, payload)
        return self._write(legal_reviewers.register_legal_reviewer, actor, data, self.today())

    @rpc
    def list_legal_reviewers(self, actor, agency_code=None, query=None):
        return self._read(legal_reviewers.list_legal_reviewers, actor, agency_code, load(PageQuery, query or {}))

    @rpc
    def promptness(self, actor, since=None, until=None):
        """The period is ``since`` to ``until`` (dates, both included), read as the contract's ``from`` / ``to``."""
        dates = load(contract.PromptnessQuery, {k: v for k, v in (("from", since), ("to", until)) if v})
        return self._read(promptness.promptness_table, actor, dates.get("date_from"), dates.get("date_to"))

    @rpc
    def agency_certification_facts(self, actor, year):
        """Per agency, one year's certificate facts for the supervision service's assessment and report."""
        query = load(contract.FactsQuery, {"year": year})
        return self._read(yearly_facts.agency_certification_facts, actor, query["year"], self.today())

    @timer(interval=3600, eager=True)
    def announce_expired_certificates(self):
        """Hourly (and at start): certificate.expired for certificates past their expiry date."""
        self._write(certificates.announce_expired, self.today())

    @configured_timer("PERSONNEL.deadline_watch_seconds", 3600, eager=True)
    def watch_deadlines(self):
        """Hourly (and at start): each deadline passed with its obligation still open is announced once."""
        today = self.today()
        self._read(agencies.zero_promptness_series)  # every agency's counters at 0 (new ones also when registered)
        for kind in deadlines.WATCHED_KINDS:
            after, more = None, True
            while more:  # a batch at a time, each in its own transaction
                with self.db.transaction() as tx:
                    announced, after = deadlines.watch_deadlines(tx, kind, self.settings, today, after)
                more = after is not None
                if announced:
                    log.info("%d %s deadlines missed", announced, kind)

    # training facts (read model)
    @consumes(training_compliance.HOURS_UPDATED)
    def on_hours_updated(self, tx, envelope, data):
        training_facts.apply_hours(tx, data)

    @consumes(training_exams.EXAM_PASSED)
    def on_exam_passed(self, tx, envelope, data):
        training_facts.apply_exam(tx, data, passed=True)

    @consumes(training_exams.EXAM_FAILED)
    def on_exam_failed(self, tx, envelope, data):
        training_facts.apply_exam(tx, data, passed=False)

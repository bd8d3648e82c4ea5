"""A tiny nameko service that consumes ``personnel.certificate.issued``.

``@consumes`` gives it what every suite service has: envelope and payload validation against the
contract, the event id recorded in the same transaction as the count (a redelivered event is not
counted twice), and a failing message dead-lettered instead of lost.
"""

from __future__ import annotations

from sqlalchemy import select

from enforcement_contracts import personnel
from enforcement_kernel.handlers import consumes
from enforcement_kernel.rpc import rpc
from enforcement_kernel.service import ServiceBase

from .models import IssuedCount


class CertificateCounterService(ServiceBase):
    name = "certificate_counter"

    @consumes(personnel.CERTIFICATE_ISSUED)
    def count_issued(self, tx, envelope, data):
        row = tx.session.get(IssuedCount, data["agency_code"])
        if row is None:
            row = IssuedCount(agency_code=data["agency_code"], certificates=0)
            tx.session.add(row)
        row.certificates += 1

    @rpc
    def counts(self) -> dict:
        """Certificates issued per agency code, as counted so far."""
        with self.db.read() as session:
            return {row.agency_code: row.certificates for row in session.scalars(select(IssuedCount))}

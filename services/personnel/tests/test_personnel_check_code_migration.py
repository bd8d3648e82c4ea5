"""The check-code migration (issue 13) gives every certificate issued before it a code of its own, in the alphabet
the service uses, so the cards already printed can be reprinted with one and the public check can name their holders
again to whoever has it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from enforcement_kernel.migrations import upgrade
from personnel_service import rules
from personnel_service.plugin import PLUGIN

BEFORE = "a12c0de00003"


def test_existing_certificates_get_their_own_check_codes(tmp_path):
    url = f"sqlite:///{tmp_path / 'personnel.db'}"
    upgrade(PLUGIN.migrations, url, BEFORE)
    engine = create_engine(url, poolclass=NullPool)
    now = datetime(2026, 11, 20, 9, 0)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO agencies (code, name, kind, is_supervisor, is_police, created_at, domains)"
                " VALUES ('140928-scjgj', '县市场监管局', 'department', 0, 0, :t, '[]')"
            ),
            {"t": now},
        )
        for seq in range(1, 4):
            conn.execute(
                text(
                    "INSERT INTO officers (officer_id, agency_code, name, id_number_encrypted, id_number_hash,"
                    " id_number_masked, position, domains, is_police, status, created_at, updated_at)"
                    " VALUES (:o, '140928-scjgj', :o, 'x', :h, 'm', '科员', '[]', 0, 'active', :t, :t)"
                ),
                {"o": f"o{seq}", "h": f"h{seq}", "t": now},
            )
            conn.execute(
                text(
                    "INSERT INTO certificates (number, officer_id, agency_code, domains, issued_on, expires_on,"
                    " status, created_at, expiry_announced) VALUES (:n, :o, '140928-scjgj', '[]', :i, :e, :s, :t, 0)"
                ),
                {
                    "n": f"14092820260000{seq}",
                    "o": f"o{seq}",
                    "i": date(2026, 1, seq),
                    "e": date(2031, 1, seq),
                    "s": "valid" if seq < 3 else "cancelled",
                    "t": now,
                },
            )
        # a status history refers to the certificate: the migration must not rebuild the table under it
        conn.execute(
            text(
                "INSERT INTO certificate_history (number, old_status, new_status, reason, changed_on, actor,"
                " created_at) VALUES ('140928202600003', 'valid', 'cancelled', '离岗', :d, 'seed', :t)"
            ),
            {"d": date(2026, 6, 1), "t": now},
        )
    upgrade(PLUGIN.migrations, url)
    with engine.connect() as conn:
        codes = conn.execute(text("SELECT check_code FROM certificates ORDER BY number")).scalars().all()
    engine.dispose()
    assert len(codes) == 3 and len(set(codes)) == 3  # one each, cancelled cards too
    for code in codes:
        assert len(code) == rules.CHECK_CODE_LENGTH and set(code) <= set(rules.CHECK_CODE_ALPHABET)

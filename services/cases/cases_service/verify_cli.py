"""``enforcement-verify-records [--case ID ... | --all]``: recompute the hash chain of a case's records and hash
each of its files again, against the service's database and content store directly (like ``enforcement-seed``).

Prints, per case, what it found: entries altered (an altered one and every one after it), seqs missing from the
chain, files changed on disk and files missing. Exit status 0 when every case verified, 1 when anything is wrong,
2 for a case that does not exist or nothing to do."""

from __future__ import annotations

import argparse
import sys


def _arguments(argv):
    parser = argparse.ArgumentParser(
        prog="enforcement-verify-records",
        description="Verify cases' records: the hash chain and the stored files' hashes (exit 1 if anything is wrong).",
    )
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--case", action="append", metavar="ID", help="a case id (repeat for more)")
    which.add_argument("--all", action="store_true", help="every case with records")
    parser.add_argument("--database-url", help="the cases database (default: the service's config)")
    parser.add_argument("--storage-dir", help="the content store (default: CASES.records.storage_dir)")
    parser.add_argument("--config", help="the cases service's config file (default: the packaged one or $CONFIG)")
    return parser.parse_args(argv)


def describe(report, case_number: str | None) -> list[str]:
    """The lines printed for one case's VerificationReport."""
    name = f"case {report.case_id}" + (f" ({case_number})" if case_number else "")
    if report.ok:
        return [f"{name}: ok ({report.entries} entries, {report.files_checked} files)"]
    lines = [f"{name}: NOT OK ({report.entries} entries, {report.files_checked} files checked)"]
    if report.altered:
        lines.append("  altered entries (seq): " + ", ".join(str(s) for s in report.altered))
    if report.gaps:
        lines.append("  entries missing from the chain (seq): " + ", ".join(str(s) for s in report.gaps))
    # the command's own output (a terminal, English like the other commands), not a message the console shows
    lines += [
        f"  changed: seq {p['seq']} {p['entry_type']} {p['reference']}: sha256 {p['sha256']}, now {p['actual_sha256']}"
        for p in report.changed
    ]
    lines += [
        f"  missing: seq {p['seq']} {p['entry_type']} {p['reference']}: sha256 {p['sha256']}" for p in report.missing
    ]
    return lines


def main(argv=None) -> None:
    args = _arguments(argv)
    from enforcement_kernel.cli import quiet_library_warnings

    quiet_library_warnings()
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from enforcement_kernel.config import load_config, setting
    from enforcement_kernel.db import make_engine

    from . import models as m
    from .plugin import PLUGIN
    from .records.chain import verify_case
    from .records.storage import ContentStore

    config = load_config("cases", args.config, PLUGIN.config_path)
    store = ContentStore(args.storage_dir or setting(config, "CASES.records.storage_dir", "var/cases-documents"))
    engine = make_engine(args.database_url or config["DATABASE_URL"], pool_size=1)
    wrong = unknown = 0
    try:
        with Session(engine) as session:
            if args.all:
                case_ids = list(
                    session.execute(
                        select(m.RecordChainEntry.case_id).distinct().order_by(m.RecordChainEntry.case_id)
                    ).scalars()
                )
            else:
                case_ids = list(dict.fromkeys(args.case))
            for case_id in case_ids:
                case = session.get(m.Case, case_id)
                if case is None:
                    print(f"case {case_id}: no such case", file=sys.stderr)
                    unknown += 1
                    continue
                report = verify_case(session, case_id, store)
                wrong += not report.ok
                print("\n".join(describe(report, case.case_number)), flush=True)
                session.expunge_all()  # a county's every case: keep the session small
    finally:
        engine.dispose()
    print(f"{len(case_ids) - unknown} cases verified, {wrong} with problems", file=sys.stderr)
    if wrong:
        sys.exit(1)
    if unknown or not case_ids:
        sys.exit(2)

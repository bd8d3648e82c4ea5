"""``enforcement-training-import FILE``: import an attendance spreadsheet into the training database.

The same use case as the gateway's upload route, run against the service's database directly
(like ``enforcement-seed``): every row is checked first, a bad row means nothing is imported and
each problem is listed. The events it writes to the outbox are published by the running service.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path


def import_main(argv=None) -> None:  # over 50 lines: the deferred imports (a fast --help) and the one
    # progress bar whose context spans reading, writing and the snapshots read best as one sequence
    args = _arguments(argv)

    from enforcement_kernel import clock
    from enforcement_kernel.cli import install_county_time, quiet_library_warnings

    quiet_library_warnings()
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from sqlalchemy.orm import Session

    from enforcement_contracts.errors import ServiceError
    from enforcement_kernel.config import load_config
    from enforcement_kernel.db import Tx, make_engine

    from .operations import imports
    from .plugin import PLUGIN
    from .settings import Settings

    console = Console(stderr=True)
    if not args.file.is_file():
        console.print(f"[red]no such file: {args.file}")
        sys.exit(2)
    config = load_config("training", args.config, PLUGIN.config_path)
    install_county_time(config)  # the county's date and working days, as the running service has them
    settings = Settings.from_config(config)
    actor = {"username": f"cli:{getpass.getuser()}"[:60], "role": "system", "agency_code": None, "officer_id": None}
    labels = {"read": "reading and checking rows", "write": "writing rows", "snapshots": "yearly snapshots"}
    engine = make_engine(config["DATABASE_URL"], pool_size=1)
    try:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as bar:
            tasks: dict[str, int] = {}

            def progress(stage: str, done: int, total: int | None) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(labels.get(stage, stage), total=total)
                bar.update(tasks[stage], completed=done, total=max(total or 0, done) or None)

            with Session(engine) as session:
                result = imports.import_attendance(
                    Tx(session, "training"),
                    actor,
                    args.file.read_bytes(),
                    settings,
                    clock.today(),
                    filename=args.file.name,
                    dry_run=args.dry_run,
                    progress=progress,
                )
                session.commit()
    except ServiceError as exc:
        _report_refusal(console, exc)
        sys.exit(1)
    finally:
        engine.dispose()
    verb = "checked (dry run)" if args.dry_run else "imported"
    print(f"{result['rows']} rows {verb} for {result['officers']} officers" + _import_id(result))


def _arguments(argv) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="enforcement-training-import",
        description="Import training attendance from an .xlsx file (all rows or none).",
    )
    parser.add_argument("file", type=Path)
    parser.add_argument("--config", help="the training service's YAML config (default: $CONFIG, else the packaged one)")
    parser.add_argument("--dry-run", action="store_true", help="check every row, import nothing")
    return parser.parse_args(argv)


def _report_refusal(console, exc) -> None:
    """The refusal's message, and each bad row's problem as a table."""
    from rich.table import Table

    console.print(f"[red]{exc.message}")
    rows = exc.fields.get("rows") or []
    if rows:
        table = Table("row", "column", "reason")
        for problem in rows:
            table.add_row(str(problem["row"]), problem["column"], problem["reason"])
        console.print(table)


def _import_id(result: dict) -> str:
    return f"; import {result['import_id']}" if result["import_id"] else ""


if __name__ == "__main__":
    import_main()

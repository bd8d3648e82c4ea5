"""Command-line entry points: ``enforcement-run``, ``enforcement-migrate``, ``enforcement-seed``.

Only the standard library is imported at module level: ``enforcement-run`` must monkey-patch
with eventlet before nameko, kombu or the database drivers are imported.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys


def _plugin_and_config(name: str, config_path: str | None):
    quiet_library_warnings()
    from .config import load_config
    from .service import installed_plugins

    plugins = installed_plugins()
    if name not in plugins:
        sys.exit(f"no installed service named {name!r}; installed: {', '.join(sorted(plugins)) or 'none'}")
    plugin = plugins[name]
    return plugin, load_config(name, config_path, plugin.config_path)


def run_main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        prog="enforcement-run", description="Run installed services (all when none named)."
    )
    parser.add_argument("names", nargs="*", help="services to run; each runs in its own process")
    parser.add_argument("--config", help="YAML config (only with one service)")
    args = parser.parse_args(argv)
    quiet_library_warnings()
    if len(args.names) == 1:
        run_one(args.names[0], args.config)
        return
    from .service import installed_plugins

    names = args.names or sorted(installed_plugins())
    procs = [subprocess.Popen([sys.executable, "-m", "enforcement_kernel.cli", name]) for name in names]

    def forward(signum, _frame):
        for proc in procs:
            proc.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    codes = [proc.wait() for proc in procs]
    sys.exit(max(codes))


def quiet_library_warnings() -> None:
    """eventlet and nameko warn about their own deprecation at import; operators cannot act on it."""
    import warnings

    warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")
    warnings.filterwarnings("ignore", message=r"pkg_resources is deprecated")


def run_one(name: str, config_path: str | None = None) -> None:
    quiet_library_warnings()
    import eventlet

    eventlet.monkey_patch()  # before nameko, kombu and psycopg2 are imported

    from .logs import setup_logging
    from .runner import run_services

    plugin, config = _plugin_and_config(name, config_path)
    setup_logging(name, str(config.get("LOG_LEVEL", "INFO")))
    install_county_time(config)
    run_services([plugin.load_class()], config)


def install_county_time(config: dict) -> None:
    """The county's clock and working-day calendar, process-wide, from ``CLOCK`` and ``CALENDAR``."""
    from . import clock
    from .config import setting
    from .workdays import WorkCalendar, set_default_calendar

    clock.configure(setting(config, "CLOCK.timezone"), setting(config, "CLOCK.today"))
    calendar = config.get("CALENDAR", {}) or {}
    set_default_calendar(WorkCalendar(calendar.get("extra_holidays", ()), calendar.get("extra_workdays", ())))


def migrate_main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        prog="enforcement-migrate", description="Apply a service's database migrations (one-shot)."
    )
    parser.add_argument("name")
    parser.add_argument("--config")
    parser.add_argument("--revision", default="head")
    parser.add_argument("--autogenerate", metavar="MESSAGE", help="developers: write a new revision instead")
    args = parser.parse_args(argv)
    quiet_library_warnings()
    from .migrations import revision, upgrade

    plugin, config = _plugin_and_config(args.name, args.config)
    if args.autogenerate:
        revision(plugin.migrations, config["DATABASE_URL"], args.autogenerate)
        return
    upgrade(plugin.migrations, config["DATABASE_URL"], args.revision)
    print(f"{args.name}: database at {args.revision}")


def seed_main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        prog="enforcement-seed", description="Load a service's seed data (safe to repeat)."
    )
    parser.add_argument("name")
    parser.add_argument("--config")
    args = parser.parse_args(argv)
    plugin, config = _plugin_and_config(args.name, args.config)
    install_county_time(config)
    if plugin.seed is None:
        print(f"{args.name}: nothing to seed")
        return
    print(f"{args.name}: {plugin.seed(config)}")


if __name__ == "__main__":  # the per-service child of ``enforcement-run`` with several names
    run_one(sys.argv[1], os.environ.get("CONFIG"))

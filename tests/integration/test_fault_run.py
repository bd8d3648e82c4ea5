"""The fault run (``bench/fault_run.py``, issue 13), shortened: one worker writing over HTTP while personnel and
training are SIGKILLed and restarted, the outside subscriber is killed and the broker node is stopped and started.

The script starts a RabbitMQ node of its own (the shared broker is not touched), fresh PostgreSQL databases, the
four services and the gateway as processes; about two minutes here. The full run and its committed output are in
``bench/`` (``bench/README.md``).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from enforcement_testing import REPO_ROOT

pytestmark = pytest.mark.timeout(420)


def test_a_short_fault_run_loses_no_acknowledged_write_and_no_event(tmp_path):
    summary_path = tmp_path / "summary.json"
    faults = "personnel,training,subscriber,broker"
    done = subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / "bench" / "fault_run.py"),
            *("--workers", "1", "--interval", "4", "--down", "1", "--faults", faults, "--settle", "120"),
            *("--json", str(summary_path)),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert summary_path.exists(), f"the run did not finish (exit {done.returncode}):\n{done.stdout[-6000:]}"
    summary = json.loads(summary_path.read_text())
    report = done.stdout[-6000:]
    assert summary["faults"] == [
        "personnel SIGKILL, restarted",
        "training SIGKILL, restarted",
        "subscriber SIGKILL, restarted",
        "broker node stopped and started",
    ], report
    # the scenario really wrote and published through the faults, and every bit of it is accounted for
    assert summary["acknowledged"] > 20 and summary["outbox_events"] > 50, report
    assert summary["acknowledged_lost"] == 0 and summary["read_back"] == summary["acknowledged"], report
    assert summary["not_final"] == 0 and summary["events_lost"] == 0 and summary["not_from_an_outbox"] == 0, report
    # at least once: every delivery beyond the first of an id is a duplicate, and dedupe by id leaves the outbox ids
    assert summary["deliveries"] == summary["distinct_ids"] + summary["duplicates"], report
    assert summary["distinct_ids"] == summary["outbox_events"], report
    assert done.returncode == 0 and summary["passed"], report

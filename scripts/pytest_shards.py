#!/usr/bin/env python3
"""Run the whole test suite as N pytest processes at once, each on its share of the tests, and add up the results.

Why not pytest-xdist: its workers talk to the controller over a thread, which eventlet's monkey-patching (the
services' and nameko's testing tools need it in the test process) breaks; separate processes share nothing.
Each shard is an ordinary pytest run with a RabbitMQ vhost, databases and ports of its own; pytest-split balances
the shards by the recorded durations in tests/durations.json (tests it does not know count as the average).

    scripts/pytest_shards.py                     # TEST_SHARDS (default 4) shards, every test under testpaths
    scripts/pytest_shards.py --update-durations  # the same, then rewrite tests/durations.json from this run

The browser tests (tests/browser) are one more process of their own, started beside the shards: they must run without
eventlet's monkey-patching (Playwright's event loop deadlocks under it), so they have their own pytest.ini there and
the repository's conftest (which patches) is not loaded for them; the root pytest.ini leaves them out.

Each shard's output goes to var/test-logs/shard-N.log and is printed whole once the shard ends; the last line is the
suite's total (``N passed, N failed``). The exit code is 0 only if every shard passed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
DURATIONS = ROOT / "tests" / "durations.json"
LOGS = ROOT / "var" / "test-logs"
COUNTS = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed|deselected)")


def shard_command(index: int, shards: int, store: Path | None) -> list[str]:
    command = [str(PYTHON), "-m", "pytest", "-p", "no:cacheprovider", f"--basetemp={LOGS / f'tmp-{index}'}"]
    command += [f"--splits={shards}", f"--group={index}", "--splitting-algorithm=least_duration"]
    if store is None:
        command.append(f"--durations-path={DURATIONS}")
    else:
        command += ["--store-durations", "--clean-durations", f"--durations-path={store}"]
    return command + ["--durations=15"]


def browser_command() -> list[str]:
    # run from tests/browser so pytest takes that folder's pytest.ini (and not the repository's conftest)
    return [
        str(PYTHON),
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        f"--basetemp={LOGS / 'tmp-browser'}",
        "--durations=15",
        ".",
    ]


def totals(log_text: str) -> dict[str, int]:
    """The counts of pytest's closing line (``=== 3 failed, 190 passed in 200.1s ===``)."""
    closing = [
        line for line in log_text.splitlines() if line.startswith("=") and " in " in line and COUNTS.search(line)
    ]
    found: dict[str, int] = {}
    if closing:
        for number, word in COUNTS.findall(closing[-1]):
            word = "errors" if word.startswith("error") else word
            found[word] = found.get(word, 0) + int(number)
    return found


def main(argv: list[str]) -> int:
    update = "--update-durations" in argv
    shards = int(os.environ.get("TEST_SHARDS", "4"))
    LOGS.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    running = []
    for index in range(1, shards + 1):
        store = LOGS / f"durations-{index}.json" if update else None
        if store is not None:  # every shard must split the same list the same way: start from the recorded times
            shutil.copyfile(DURATIONS, store)
        log = open(LOGS / f"shard-{index}.log", "w", encoding="utf-8")
        proc = subprocess.Popen(
            shard_command(index, shards, store),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        running.append((index, proc, log, store))
    log = open(LOGS / "shard-browser.log", "w", encoding="utf-8")
    browser = subprocess.Popen(
        browser_command(),
        cwd=ROOT / "tests" / "browser",
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    running.append(("browser", browser, log, None))
    print(f"{shards} shards and the browser tests started; logs in {LOGS.relative_to(ROOT)}/", flush=True)

    summary: dict[str, int] = {}
    failed_shards = []
    for index, proc, log, _ in running:
        code = proc.wait()
        log.close()
        text = (LOGS / f"shard-{index}.log").read_text(encoding="utf-8", errors="replace")
        print(f"\n######## shard {index}/{shards} (exit {code}) ########\n{text}", flush=True)
        counts = totals(text)
        for word, number in counts.items():
            summary[word] = summary.get(word, 0) + number
        if code != 0 or not counts.get("passed"):  # a shard that ran nothing is a failure too
            failed_shards.append(index)

    if update:  # a failed test's time still tells how to balance the shards
        merged: dict[str, float] = {}
        for *_, store in running:
            if store is not None:
                merged.update(json.loads(store.read_text(encoding="utf-8")))
        DURATIONS.write_text(json.dumps(dict(sorted(merged.items())), indent=1) + "\n", encoding="utf-8")
        print(f"durations of {len(merged)} tests written to {DURATIONS.relative_to(ROOT)}")

    elapsed = time.monotonic() - started
    print(f"\nwall time {elapsed:.0f} s; shards failed: {failed_shards or 'none'}")
    if os.environ.get("SCREENSHOT_DIR"):
        print(f"browser screenshots: {os.environ['SCREENSHOT_DIR']}")
    extra = "".join(f", {summary[w]} {w}" for w in ("errors", "skipped") if summary.get(w))
    print(f"{summary.get('passed', 0)} passed, {summary.get('failed', 0)} failed{extra}")
    return 1 if failed_shards or summary.get("failed") or summary.get("errors") else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

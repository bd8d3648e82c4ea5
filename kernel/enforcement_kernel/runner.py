"""Running a service process: nameko's runner with a bounded graceful stop.

On SIGTERM or SIGINT the container stops gracefully (running workers finish, consumers are
cancelled). A stop that has not finished within ``SHUTDOWN_GRACE_SECONDS`` (default 30) is turned
into a kill, so an orchestrator's restart never waits on a stuck worker or a lost broker connection;
unacknowledged messages go back to their queues and the outbox keeps unsent events.
"""

from __future__ import annotations

import logging
import os
import signal

import eventlet
from nameko.runners import ServiceRunner

log = logging.getLogger(__name__)


def run_services(services, config: dict) -> None:
    grace = float(config.get("SHUTDOWN_GRACE_SECONDS", 30))
    runner = ServiceRunner(config)
    for service_cls in services:
        runner.add_service(service_cls)
    stopping = []

    def stop_within_grace():
        timer = eventlet.Timeout(grace)
        try:
            runner.stop()
        except eventlet.Timeout as exc:
            if exc is not timer:
                raise
            log.error("graceful stop took longer than %gs; killing the service", grace)
            runner.kill()
        finally:
            timer.cancel()

    def on_signal(signum, _frame):
        # signal handlers run in the main loop and cannot block on eventlet primitives
        if not stopping:
            stopping.append(signum)
            eventlet.spawn_n(stop_within_grace)
        else:  # a second signal: stop now
            os._exit(1)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    runner.start()
    waiter = eventlet.spawn(runner.wait)
    while True:
        try:
            waiter.wait()
            return
        except OSError:  # EINTR when a signal lands while the hub waits on a socket
            continue

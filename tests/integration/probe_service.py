"""A service for the poison-request test, run as its own process: ``python poison_probe_service.py``.

It is a real kernel service (``ServiceBase``: database, outbox relay, ops port, the counting RPC consumer) with two
methods that never complete: ``crash`` kills its own process (SIGKILL, as the kernel's OOM killer would) and ``hang``
sleeps past any grace period. Settings come from the environment, as ``enforcement-run`` reads them; the database
(SQLite, ``DATABASE_URL``) gets the kernel's tables first.
"""

import warnings

warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

import os  # noqa: E402
import signal  # noqa: E402

from enforcement_kernel.config import load_config  # noqa: E402
from enforcement_kernel.db import KernelBase, make_engine  # noqa: E402
from enforcement_kernel.logs import setup_logging  # noqa: E402
from enforcement_kernel.rpc import rpc  # noqa: E402
from enforcement_kernel.runner import run_services  # noqa: E402
from enforcement_kernel.service import ServiceBase  # noqa: E402

NAME = "poisonprobe"


class PoisonProbe(ServiceBase):
    name = NAME

    @rpc
    def crash(self, payload):
        os.kill(os.getpid(), signal.SIGKILL)

    @rpc
    def hang(self, payload):
        eventlet.sleep(3600)


if __name__ == "__main__":
    config = load_config(NAME)
    engine = make_engine(config["DATABASE_URL"])
    KernelBase.metadata.create_all(engine)
    engine.dispose()
    setup_logging(NAME, "INFO")
    run_services([PoisonProbe], config)

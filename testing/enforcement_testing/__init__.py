"""The test harness: real broker, real databases, services in process (nameko's testing tools) or as real processes.

Modules: ``common`` (callers, ID numbers, ports, HTTP, metrics, waiting), ``broker`` (a vhost per run),
``databases`` (SQLite, fresh PostgreSQL databases, plain reads), ``inprocess`` (``run_service``), ``processes``
(``start_service``, ``ServiceProcess``), ``events`` (standalone RPC, ``EventCollector``, publishing), ``plugin``
(the fixtures). The names tests use most are importable from the package itself.
"""

from .common import (  # noqa: F401
    BIN_DIR,
    BUREAU,
    REPO_ROOT,
    RUN_DATE,
    MetricsReader,
    free_port,
    http_get,
    metric_value,
    valid_id_number,
    wait_until,
    wrong_check_char,
)
from .databases import db_connection, db_count, db_counts, db_rows, fresh_postgres_database  # noqa: F401
from .events import EventCollector, drop_event_queues, publish_event, publish_raw  # noqa: F401
from .processes import ServiceProcess  # noqa: F401

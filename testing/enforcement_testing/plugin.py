"""The pytest plugin (``pytest_plugins = ["enforcement_testing.plugin"]`` in the repository's conftest.py): every
fixture of the harness. Fixtures that touch RabbitMQ or PostgreSQL are created the first time a test asks for them,
so unit tests run with neither; integration tests never mock them and never skip: they fail saying what to start."""

from .broker import amqp_uri  # noqa: F401
from .databases import database_url, sqlite_url  # noqa: F401
from .events import collect_events, rpc, rpc_factory  # noqa: F401
from .inprocess import _sqlite_templates, run_service  # noqa: F401
from .processes import start_service  # noqa: F401

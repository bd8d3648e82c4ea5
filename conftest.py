"""The repository's pytest entry: eventlet first, then the harness (``testing/enforcement_testing``) as a plugin.

nameko's pytest plugin no longer monkey-patches (since 2.14): do it before anything imports kombu, nameko, psycopg2
or the socket module's users. eventlet warns about its own deprecation at import; nobody here can act on that.
"""

import warnings

warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")
warnings.filterwarnings("ignore", message=r"pkg_resources is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

# Registers the typed wire errors (ValidationFailed, NotFound, Conflict ...) with nameko, so a standalone proxy in the
# test process rebuilds them instead of raising RemoteError.
import enforcement_kernel.rpc  # noqa: E402,F401

pytest_plugins = ["enforcement_testing.plugin"]

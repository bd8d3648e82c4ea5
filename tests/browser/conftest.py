"""Browser tests: the harness's fixtures, without eventlet (see pytest.ini here)."""

import warnings

warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")
warnings.filterwarnings("ignore", message=r"pkg_resources is deprecated")

from eventlet import patcher  # noqa: E402

if patcher.is_monkey_patched("socket"):
    raise RuntimeError(
        "the browser tests must run in a pytest process of their own, without eventlet's monkey-patching: "
        "`scripts/test tests/browser` (Playwright's event loop deadlocks under it)"
    )

pytest_plugins = ["enforcement_testing.plugin", "enforcement_testing.browser"]

"""How the kernel finds this service (entry point ``enforcement.services: supervision``)."""

from pathlib import Path

from enforcement_kernel.service import ServicePlugin

HERE = Path(__file__).parent

PLUGIN = ServicePlugin(
    name="supervision",
    service_class="supervision_service.service:SupervisionService",
    config_path=str(HERE / "config.yml"),
    migrations=str(HERE / "migrations"),
    metadata="supervision_service.models:Base",
)

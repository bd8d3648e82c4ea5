"""How the kernel finds this service (entry point ``enforcement.services: certificate_counter``)."""

from pathlib import Path

from enforcement_kernel.service import ServicePlugin

HERE = Path(__file__).parent

PLUGIN = ServicePlugin(
    name="certificate_counter",
    service_class="certificate_counter.service:CertificateCounterService",
    config_path=str(HERE / "config.yml"),
    migrations=str(HERE / "migrations"),
    metadata="certificate_counter.models:Base",
)

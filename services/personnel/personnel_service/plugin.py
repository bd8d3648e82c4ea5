"""How the kernel finds this service (entry point ``enforcement.services: personnel``)."""

from pathlib import Path

from enforcement_kernel.service import ServicePlugin

HERE = Path(__file__).parent


def seed(config: dict) -> str:
    """Wuzhai's agencies; safe to run again (existing codes are left alone)."""
    from sqlalchemy.orm import Session

    from enforcement_kernel.db import Tx, make_engine

    from .operations.agencies import seed_agencies
    from .seed_data import AGENCIES

    engine = make_engine(config["DATABASE_URL"], pool_size=1)
    with Session(engine) as session:
        added = seed_agencies(Tx(session, "personnel"), AGENCIES)
        session.commit()
    engine.dispose()
    return f"{added} agencies added, {len(AGENCIES) - added} already present"


PLUGIN = ServicePlugin(
    name="personnel",
    service_class="personnel_service.service:PersonnelService",
    config_path=str(HERE / "config.yml"),
    migrations=str(HERE / "migrations"),
    metadata="personnel_service.models:Base",
    seed=seed,
)

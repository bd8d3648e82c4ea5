"""How the kernel finds this service (entry point ``enforcement.services: training``)."""

from pathlib import Path

from enforcement_kernel.service import ServicePlugin

HERE = Path(__file__).parent


def seed(config: dict) -> str:
    """The training categories and the compulsory course; safe to run again (existing codes are left alone)."""
    from sqlalchemy.orm import Session

    from enforcement_kernel.db import Tx, make_engine

    from .operations.seed import seed
    from .seed_data import CATEGORIES, COURSES

    engine = make_engine(config["DATABASE_URL"], pool_size=1)
    with Session(engine) as session:
        categories, courses = seed(Tx(session, "training"), CATEGORIES, COURSES)
        session.commit()
    engine.dispose()
    return f"{categories} categories and {courses} courses added"


PLUGIN = ServicePlugin(
    name="training",
    service_class="training_service.service:TrainingService",
    config_path=str(HERE / "config.yml"),
    migrations=str(HERE / "migrations"),
    metadata="training_service.models:Base",
    seed=seed,
)

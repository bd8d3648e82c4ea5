"""How the kernel finds this service (entry point ``enforcement.services: cases``)."""

from pathlib import Path

from enforcement_kernel.service import ServicePlugin

HERE = Path(__file__).parent


def seed(config: dict) -> str:
    """The seven enforcement types, the review checklists (version 2 names each item's documents) and the
    document-kind catalogue; safe to run again (existing rows are left alone)."""
    from sqlalchemy.orm import Session

    from enforcement_kernel.db import Tx, make_engine

    from .operations.seed import seed_checklist, seed_types
    from .records.kinds import seed_kind_catalogue
    from .seed_data import CHECKLIST_V1, CHECKLIST_V2, ITEM_TYPES

    engine = make_engine(config["DATABASE_URL"], pool_size=1)
    with Session(engine) as session:
        tx = Tx(session, "cases")
        added = seed_types(tx, ITEM_TYPES)
        checklist = seed_checklist(tx, CHECKLIST_V1)
        session.flush()  # version 2 follows version 1
        checklist_v2 = seed_checklist(tx, CHECKLIST_V2, version=2)
        kinds = seed_kind_catalogue(tx)
        session.commit()
    engine.dispose()
    return (
        f"{added} enforcement types added, {len(ITEM_TYPES) - added} already present; "
        f"review checklist {'added' if checklist else 'already present'}, "
        f"its version 2 (the items' documents) {'added' if checklist_v2 else 'already present'}; "
        f"document-kind catalogue {'added' if kinds else 'already present'}"
    )


PLUGIN = ServicePlugin(
    name="cases",
    service_class="cases_service.service:CasesService",
    config_path=str(HERE / "config.yml"),
    migrations=str(HERE / "migrations"),
    metadata="cases_service.models:Base",
    seed=seed,
)

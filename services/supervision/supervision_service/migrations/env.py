import supervision_service.reports_models  # noqa: F401  (the assessment and report tables share Base)
from enforcement_kernel.migrations import run_migrations
from supervision_service.models import Base

run_migrations(Base.metadata)

from cases_service.models import Base
from enforcement_kernel.migrations import run_migrations

run_migrations(Base.metadata)

from enforcement_kernel.migrations import run_migrations
from training_service.models import Base

run_migrations(Base.metadata)

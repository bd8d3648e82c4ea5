from certificate_counter.models import Base

from enforcement_kernel.migrations import run_migrations

run_migrations(Base.metadata)

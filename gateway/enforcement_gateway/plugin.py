"""How the kernel finds the gateway (entry point ``enforcement.services: gateway``)."""

from pathlib import Path

from enforcement_kernel.service import ServicePlugin

HERE = Path(__file__).parent


def seed(config: dict) -> str:
    """The first bureau account, when there is no account yet; it must change its password at the first login."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from enforcement_kernel.config import setting
    from enforcement_kernel.db import make_engine

    from . import auth
    from .models import User

    engine = make_engine(config["DATABASE_URL"], pool_size=1)
    try:
        with Session(engine) as session:
            if session.execute(select(func.count(User.id))).scalar_one():
                return "accounts exist; nothing to do"
            username = str(setting(config, "GATEWAY.admin_username", "admin"))
            auth.create_user(
                session,
                {"username": username, "password": str(setting(config, "GATEWAY.admin_password")), "role": "bureau"},
                auth.AuthSettings.from_config(config),
            )
            session.commit()
            return f"bureau account '{username}' created; it must change its password at the first login"
    finally:
        engine.dispose()


PLUGIN = ServicePlugin(
    name="gateway",
    service_class="enforcement_gateway.service:GatewayService",
    config_path=str(HERE / "config.yml"),
    migrations=str(HERE / "migrations"),
    metadata="enforcement_gateway.models:Base",
    seed=seed,
)

"""Reading a service's configuration: YAML (nameko's ``${VAR:default}`` syntax) plus environment overrides."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

# Environment variables that always win over the file, and the config key each one sets.
ENV_OVERRIDES = {
    "AMQP_URI": "AMQP_URI",
    "DATABASE_URL": "DATABASE_URL",
    "OPS_PORT": "OPS_PORT",
    "OPS_HOST": "OPS_HOST",
    "LOG_LEVEL": "LOG_LEVEL",
    "MAX_WORKERS": "max_workers",
    "RPC_TIMEOUT": "RPC_TIMEOUT",
    "RPC_MAX_DELIVERIES": "RPC_MAX_DELIVERIES",
    "SHUTDOWN_GRACE_SECONDS": "SHUTDOWN_GRACE_SECONDS",
    "CLOCK_TIMEZONE": "CLOCK.timezone",
    "CLOCK_TODAY": "CLOCK.today",
    "INPUT_EARLIEST_DATE": "INPUT.earliest_date",
    "INPUT_LATEST_DATE": "INPUT.latest_date",
}
NUMERIC = ("max_workers", "RPC_TIMEOUT", "RPC_MAX_DELIVERIES", "OPS_PORT", "SHUTDOWN_GRACE_SECONDS")

DEFAULTS = {
    "AMQP_URI": "amqp://guest:guest@127.0.0.1:5672/",
    "max_workers": 10,
    "RPC_TIMEOUT": 5.0,
    # deliveries of one RPC request that may end without completing (worker killed or hung) before it is abandoned
    "RPC_MAX_DELIVERIES": 3,
    "LOG_LEVEL": "INFO",
    "OPS_PORT": 0,
    # the address the ops port (metrics, health) binds: loopback, so a host's metrics and probes are not on its
    # network unless asked; the images set 0.0.0.0 (the container's network is the boundary there)
    "OPS_HOST": "127.0.0.1",
    "SHUTDOWN_GRACE_SECONDS": 30,
    # the county's clock (enforcement_kernel.clock): deadlines count in its days, not the host's
    "CLOCK": {"timezone": "Asia/Shanghai", "today": None},
    "OUTBOX": {
        "relay": True,
        "poll_seconds": 1.0,
        "batch": 500,
        "listen": True,  # PostgreSQL: LISTEN for other replicas' commits (NOTIFY); the poll is the backstop
        "gauge_seconds": 1.0,
        "stuck_after_seconds": 300,
        "keep_sent_days": 400,
        "prune_every_seconds": 3600,
        "replay_batch": 500,
        "unroutable_retry_seconds": 86400,
    },
    # event handlers: attempts before the dead-letter queue, the delay between them (doubling), the DLQ gauge's poll
    "HANDLERS": {
        "max_attempts": 5,
        "retry_delay_seconds": 2.0,
        "retry_delay_max_seconds": 300,
        "dead_letter_poll_seconds": 30,
        "keep_processed_days": 430,
    },
}

_loader = None


def _config_loader():
    """SafeLoader plus nameko's ``${VAR:default}`` substitution, on a class of its own: nameko's
    ``setup_yaml_parser`` patches ``yaml.SafeLoader`` itself, which would make every ``yaml.safe_load``
    in the process (compose files, alert rules ...) substitute environment variables too."""
    global _loader
    if _loader is None:
        from functools import partial

        from nameko.cli.main import IMPLICIT_ENV_VAR_MATCHER, env_var_constructor

        class ConfigLoader(yaml.SafeLoader):
            pass

        ConfigLoader.add_constructor("!env_var", env_var_constructor)
        ConfigLoader.add_constructor("!raw_env_var", partial(env_var_constructor, raw=True))
        ConfigLoader.add_implicit_resolver("!env_var", IMPLICIT_ENV_VAR_MATCHER, None)
        _loader = ConfigLoader
    return _loader


def _deep_merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def load_config(
    service_name: str, path: str | os.PathLike | None = None, default_path: str | os.PathLike | None = None
) -> dict:
    """The one way to read a service's config.

    Order (later wins): kernel defaults, the YAML file (``path``, else ``$CONFIG``, else the
    service's packaged ``default_path``), then the environment variables in ``ENV_OVERRIDES``.
    """
    config = dict(DEFAULTS)
    chosen = path or os.environ.get("CONFIG") or default_path
    if chosen:
        text = Path(chosen).read_text(encoding="utf-8")
        config = _deep_merge(config, yaml.load(text, Loader=_config_loader()) or {})
    for env, key in ENV_OVERRIDES.items():
        if os.environ.get(env):
            value = yaml.safe_load(os.environ[env]) if key in NUMERIC else os.environ[env]
            section, _, name = key.rpartition(".")
            if section:  # a nested setting: copy the section, the defaults' dict is shared
                config[section] = {**(config.get(section) or {}), name: value}
            else:
                config[key] = value
    config["SERVICE_NAME"] = service_name
    config.setdefault("DATABASE_URL", f"sqlite:///var/{service_name}.db")
    config["max_workers"] = int(config["max_workers"])
    config["OPS_PORT"] = int(config["OPS_PORT"])
    # the contracts' input policy has no configuration of its own: the dates any input may name are set here
    from enforcement_contracts import input_policy

    input_policy.set_date_range(setting(config, "INPUT.earliest_date"), setting(config, "INPUT.latest_date"))
    return config


def setting(config: dict, dotted: str, default=None):
    """A nested setting by dotted path (``certificates.validity_years``), or ``default``."""
    node = config
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node

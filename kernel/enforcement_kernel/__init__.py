"""The suite's shared kernel: plumbing every service uses, no domain rules.

- ``config``: one function reads a service's YAML config with environment overrides.
- ``db``: the database dependency, transactions that also write the outbox, kernel tables.
- ``outbox``: the relay that publishes outbox rows with confirms and mandatory routing.
- ``handlers``: idempotent event consumers, retried after a delay, dead-lettered instead of dropped.
- ``dead_letters``, ``replay``: the ``enforcement-dead-letters`` and ``enforcement-replay`` commands.
- ``rpc``: RPC with timeouts and typed errors across the wire.
- ``metrics``, ``ops``, ``logs``: Prometheus metrics, health probes, JSON logs with correlation ids.
- ``workdays``: deadline arithmetic on the Chinese official calendar.
- ``service``: the base class and the plugin descriptor every service registers.
"""

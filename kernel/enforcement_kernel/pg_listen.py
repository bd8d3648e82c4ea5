"""A PostgreSQL ``LISTEN`` connection in a green thread: calls ``on_notify`` when a notification arrives on a channel.

The outbox relay uses it to wake up when any replica commits a transaction that emitted events
(``Database.transaction`` sends ``pg_notify`` on ``notify_channel(service)``; PostgreSQL delivers it at commit).
The connection is a plain psycopg2 one of its own (not from the pool: it stays in ``LISTEN`` for ever), waited on
cooperatively with eventlet's hub. A lost connection is reopened after a pause; ``on_notify`` is also called after
every (re)connection, since a notification sent while nobody listened is gone. The relay's poll stays the backstop.
"""

from __future__ import annotations

import logging

import eventlet
from eventlet.hubs import trampoline

log = logging.getLogger(__name__)

IDLE_CHECK_SECONDS = 15.0  # without a notification for this long, check the connection still answers
RECONNECT_SECONDS = (0.5, 30.0)  # first and longest pause before reopening a lost connection


class _Idle(Exception):
    pass


def connect(engine):
    """A new autocommit psycopg2 connection with the engine's own connection arguments."""
    import psycopg2

    cargs, cparams = engine.dialect.create_connect_args(engine.url)
    cparams = {
        **cparams,
        "application_name": "outbox-listener",
        "keepalives": 1,
        "keepalives_idle": 30,
        "keepalives_interval": 10,
        "keepalives_count": 3,
    }
    conn = psycopg2.connect(*cargs, **cparams)
    conn.autocommit = True
    return conn


def listen(
    engine, channel: str, on_notify, running, ignore: str | None = None, idle_check: float = IDLE_CHECK_SECONDS
) -> None:
    """Until ``running()`` is false: keep a connection listening on ``channel`` and call ``on_notify()`` for each
    burst of notifications (several read at once make one call). Notifications whose payload is ``ignore`` (this
    process's own, whose relay was already woken in process) do not count."""
    pause = RECONNECT_SECONDS[0]
    while running():
        conn = None
        try:
            conn = connect(engine)
            with conn.cursor() as cur:
                cur.execute(f'LISTEN "{channel}"')
            pause = RECONNECT_SECONDS[0]
            on_notify()  # anything committed while not listening
            while running():
                try:
                    trampoline(conn.fileno(), read=True, timeout=idle_check, timeout_exc=_Idle)
                except _Idle:
                    with conn.cursor() as cur:  # raises if the server or the network went away
                        cur.execute("SELECT 1")
                conn.poll()
                if conn.notifies:
                    others = any(n.payload != ignore for n in conn.notifies)
                    conn.notifies.clear()
                    if others:
                        on_notify()
        except Exception as exc:
            if not running():
                return
            log.warning("outbox listener on %s lost its connection (%s): reconnecting in %.1f s", channel, exc, pause)
            eventlet.sleep(pause)
            pause = min(pause * 2, RECONNECT_SECONDS[1])
        finally:
            if conn is not None:
                try:
                    conn.close()
                except Exception:
                    pass

"""Contracts shared by the services, the gateway and outside subscribers.

One module per service (``personnel``, ``training`` ...) holds that service's RPC payload
schemas and the event types it publishes. ``events`` holds the envelope and the registry of
every event type, ``errors`` the typed errors that cross the RPC wire.
"""

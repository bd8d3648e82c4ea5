"""The HTTP gateway: authenticates people, checks roles, validates requests against the
contracts, calls the services over RPC with a timeout, audits every write, serves OpenAPI."""

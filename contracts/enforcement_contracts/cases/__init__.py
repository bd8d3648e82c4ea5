"""Contract of the cases service: the enforcement-item catalogue, discretion benchmarks, cases and their
procedural checks, legal review, publication, transfers, inspections, case-file review and promptness.

One module per subject, each with its RPC payloads and its events; import the module you use
(``from enforcement_contracts.cases import transfers``). RPC methods (service ``cases``) take and return
the payloads as JSON-ready dicts; every write takes the caller's ``actor`` (see ``common.Actor``) so the
service scopes it to the caller's agency. A party's ID number appears only in ``procedure.Party``
(input); every output carries the masked form, and no event carries it at all. Natural persons' names
appear in events and public lists masked (张*).
"""

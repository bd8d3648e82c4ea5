"""The cases service: enforcement-item catalogue, discretion benchmarks, cases and their procedural checks,
legal review, publication and promptness."""

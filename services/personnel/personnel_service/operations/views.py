"""A record seen with the computed values its contract schema also shows, so that schema dumps it in one go."""

from __future__ import annotations


class With:
    """``contract.Officer().dump(With(officer, certificate_number=...))``: the record's attributes plus ``extra``."""

    def __init__(self, record, **extra):
        self._record = record
        self.__dict__.update(extra)

    def __getattr__(self, name: str):  # only called for names not given in ``extra``
        return getattr(self._record, name)

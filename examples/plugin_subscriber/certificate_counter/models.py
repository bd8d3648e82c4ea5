"""The subscriber's own table: certificates issued per agency."""

from sqlalchemy import Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class IssuedCount(Base):
    __tablename__ = "issued_count"

    agency_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    certificates: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

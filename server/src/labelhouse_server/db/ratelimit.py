"""Shared rate-limit buckets (used on PostgreSQL only: ``ratelimit.PostgresBuckets``)."""

from __future__ import annotations

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class RateBucket(Base):
    __tablename__ = "rate_buckets"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # "ip:<addr>", "key:<sha256 prefix>" ...
    tokens: Mapped[float] = mapped_column(Float)
    stamp: Mapped[float] = mapped_column(Float)  # database clock (epoch seconds) of the last refill
    granted: Mapped[int] = mapped_column(Integer, default=0)  # tokens the last claim granted

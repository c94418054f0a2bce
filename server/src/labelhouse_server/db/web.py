"""What the web app adds: passwords, browser sessions, and queue reservations."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class Password(Base):
    """A user's password, as an argon2id hash (``auth/passwords.py``). Users without a row sign in by API key."""

    __tablename__ = "passwords"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    changed_at: Mapped[str] = mapped_column(String(32))


class WebSession(Base):
    """A signed-in browser. Only the SHA-256 of the cookie's token is stored. A session opened with an API key
    (``api_key_id``) ends when that key is revoked; a password session ends when the password changes (the
    change deletes the account's sessions); any session ends after ``expires_at`` (14 idle days)."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"), nullable=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[str] = mapped_column(String(32))


class QueueReservation(Base):
    """A sample handed out by the label or the review queue (``queue``) to one user until ``expires_at``: that
    queue skips samples another user holds, so two labelers never get the same one. The two queues reserve
    separately: a reviewer holding a sample never blocks the labeler it goes back to."""

    __tablename__ = "queue_reservations"
    __table_args__ = (Index("ix_queue_reservations_account", "account_id"),)

    sample_id: Mapped[int] = mapped_column(ForeignKey("samples.id", ondelete="CASCADE"), primary_key=True)
    queue: Mapped[str] = mapped_column(String(8), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    expires_at: Mapped[str] = mapped_column(String(32))

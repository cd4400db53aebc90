"""Users: people of an organization who log in and act according to their roles and rules."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, ForeignKey, UniqueConstraint, select
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vantage6.server.models.authenticatable import Authenticatable
from vantage6.server.models.errors import ModelError
from vantage6.server.models.role import user_role
from vantage6.server.models.rule import user_rule
from vantage6.server.models.shell import shell_session
from vantage6.server.security.hashing import hash_secret, verify_secret

if TYPE_CHECKING:
    from vantage6.server.models.organization import Organization
    from vantage6.server.models.role import Role
    from vantage6.server.models.rule import Rule
    from vantage6.server.models.task import Task


class User(Authenticatable):
    """A person; assigning ``password`` stores only its argon2 hash."""

    __tablename__ = "user"
    # Unique within an organization only: a refusal must not confirm other organizations'
    # addresses to whoever tries one.
    __table_args__ = (UniqueConstraint("organization_id", "email"),)

    id: Mapped[int] = mapped_column(
        ForeignKey("authenticatable.id", ondelete="CASCADE"), primary_key=True
    )
    username: Mapped[str] = mapped_column(unique=True)
    _password_hash: Mapped[str | None] = mapped_column("password")
    firstname: Mapped[str | None]
    lastname: Mapped[str | None]
    email: Mapped[str | None]
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    failed_login_attempts: Mapped[int] = mapped_column(default=0)
    last_login_attempt: Mapped[dt.datetime | None]
    otp_secret: Mapped[str | None]
    # The TOTP time-step of the last code accepted: a code is good for one login only.
    otp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # When the password was last reset with an emailed token (see /recover/2fa/lost).
    password_reset_at: Mapped[dt.datetime | None]
    last_email_failed_login_sent: Mapped[dt.datetime | None]
    last_email_recover_password_sent: Mapped[dt.datetime | None]

    organization: Mapped[Organization] = relationship(back_populates="users")
    roles: Mapped[list[Role]] = relationship(secondary=user_role, back_populates="users")
    rules: Mapped[list[Rule]] = relationship(secondary=user_rule, back_populates="users")
    created_tasks: Mapped[list[Task]] = relationship(back_populates="init_user")

    __mapper_args__ = {"polymorphic_identity": "user"}

    def __init__(self, *, roles=(), **fields):
        # The 3.x shell accepted ``roles="root"``: a role name instead of a list of roles.
        super().__init__(**fields)
        self.roles.extend([roles] if isinstance(roles, str) else roles)

    @property
    def password(self):
        raise AttributeError("User.password is write-only; use check_password() to test one")

    @password.setter
    def password(self, value: str | None) -> None:
        if value is None:
            self._password_hash = None
            return
        if not isinstance(value, str) or not value:
            raise ModelError("User.password must be non-empty text")
        self._password_hash = hash_secret(value)

    def set_password(self, value: str) -> None:
        """Old (3.x) spelling of ``user.password = value``."""
        self.password = value

    @hybrid_property
    def secret_hash(self) -> str | None:
        """The stored hash, never the password: tokens are bound to it (see security.tokens)."""
        return self._password_hash

    def check_password(self, value: str) -> bool:
        return verify_secret(self._password_hash, value)

    @classmethod
    def get_by_username(cls, username: str) -> User | None:
        return shell_session().scalars(select(cls).filter_by(username=username)).first()

    getByUsername = get_by_username  # the 3.x shell's name

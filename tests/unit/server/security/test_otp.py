"""TOTP codes: each is accepted once, decided by the database rather than by the copy of the
user a login happens to hold."""

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from vantage6.server.models import User
from vantage6.server.security import otp


def test_a_code_already_accepted_elsewhere_is_refused_to_a_stale_copy(make_database):
    engine = make_database()
    secret = pyotp.random_base32()
    with Session(engine) as session, session.begin():
        session.scalars(select(User)).one().otp_secret = secret
    code = pyotp.TOTP(secret).now()
    with Session(engine, expire_on_commit=False) as late:
        stale = late.scalars(select(User)).one()  # read before the other login accepts
        late.commit()
        assert stale.otp_last_step is None
        with Session(engine) as first, first.begin():
            assert otp.accept_code(first.scalars(select(User)).one(), code)
        assert not otp.accept_code(stale, code)


def test_a_new_secret_starts_afresh(dbsession):
    user = dbsession.scalars(select(User)).one()
    user.otp_last_step = 10**9
    answer = otp.enrol(user, "lab")
    assert user.otp_last_step is None
    assert otp.accept_code(user, pyotp.TOTP(answer["otp_secret"]).now())

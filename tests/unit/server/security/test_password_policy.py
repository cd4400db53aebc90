"""The password rule as the API document states it (a regular expression) admits only
passwords that the server's rule accepts."""

from hypothesis import given, settings
from hypothesis import strategies as st

from vantage6.server.security.login import STRONG_PASSWORD, password_problem


@settings(max_examples=300, deadline=None, database=None)
@given(st.from_regex(STRONG_PASSWORD))
def test_what_the_documented_pattern_admits_is_strong(password):
    assert password_problem(password) is None

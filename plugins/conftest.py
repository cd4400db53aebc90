"""Fixtures for the plugin packages' tests, which run from the repository root (``pytest``
collects ``tests`` and ``plugins``): the same fresh app per test as ``tests/functional/api``,
on the database backend under test."""

from tests.conftest import database_factory, fast_hashing  # noqa: F401 (fixtures)
from tests.functional.api.conftest import make_api  # noqa: F401 (fixture)

import uuid

import pytest
from django.db import connections
from django.test import TransactionTestCase

from tests.factories import AgencyFactory, ProposerFactory, SessionFactory, UserFactory, staff_user


@pytest.fixture
def staff(db):
    return staff_user()


@pytest.fixture
def session(db):
    return SessionFactory()


@pytest.fixture
def agency(db):
    return AgencyFactory()


@pytest.fixture
def liaison(agency):
    user = UserFactory(username="liaison")
    agency.liaisons.add(user)
    return user


@pytest.fixture
def member(session):
    """A proposer with a login."""
    user = UserFactory(username="member", is_staff=True)
    return ProposerFactory(committee=session.committee, user=user, name="陈丽琴")


@pytest.fixture
def cast(db):
    """One user per role around one committee (tests.factories.make_cast); modules that need a
    richer cast define their own fixture of the same name."""
    from tests.factories import make_cast

    return make_cast()


@pytest.fixture(autouse=True)
def _throttle_counts_in_memory(settings):
    """The API's throttles count requests in the cache, by default a database table: on that, every
    request would cost extra queries (which the query-count tests would see) and SQLite write locks.
    Each test gets an empty in-memory cache instead; tests/test_security.py checks the table too."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"test-{uuid.uuid4()}"}}
    # The public's API answers are kept for seconds (config/public_cache.py): a test reading as the
    # public before and after a step would see the first answer again. tests/test_public_cache.py
    # turns it on; the fuzzing gate runs with it on.
    settings.PUBLIC_API_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _default_language():
    """A request in English activates English for the thread; start every test in the default language."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.deactivate()


_flush = TransactionTestCase._fixture_teardown


def _flush_and_restore_the_migrated_rows(self):
    """Every transactional test (the live-server browser tests, the races on real connections)
    ends with a flush. Django's own flush either runs post_migrate, which creates the content
    types and permissions again under new ids (and not the data migrations' rows, such as the
    holiday calendar), so that the next serialized_rollback test collides with them; or, for a
    serialized_rollback test, leaves the tables empty for the tests after it. Here the flush
    never runs post_migrate and the migrated rows are put back as they were, whichever kind of
    test comes next. Without serialized contents (a run of tests none of which asks for
    serialized_rollback) Django's behaviour is kept."""
    aliases = [name for name in self._databases_names(include_mirrors=False)
               if getattr(connections[name], "_test_serialized_contents", None)]
    if not aliases:
        return _flush(self)
    wanted = self.serialized_rollback
    self.serialized_rollback = True  # inhibits post_migrate in the flush
    try:
        _flush(self)
    finally:
        self.serialized_rollback = wanted
    for name in aliases:
        connection = connections[name]
        connection.creation.deserialize_db_from_string(connection._test_serialized_contents)


TransactionTestCase._fixture_teardown = _flush_and_restore_the_migrated_rows

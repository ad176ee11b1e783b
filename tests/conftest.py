import uuid

import pytest

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


@pytest.fixture(autouse=True)
def _default_language():
    """A request in English activates English for the thread; start every test in the default language."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.deactivate()

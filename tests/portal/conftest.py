import pytest

from tests.portal.world import PortalWorld, build_portal_world


@pytest.fixture
def world(db) -> PortalWorld:
    return build_portal_world()

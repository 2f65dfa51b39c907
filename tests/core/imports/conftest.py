import pytest

from tests.factories import make_world


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def importer(world):
    """norfolk_spoc: organisation admin of Norfolk Constabulary, member of the PPO team."""
    return world.norfolk_spoc

"""Fixtures for running novajoin-enroll.sh as an instance would."""

import pytest

from tests.functional.instance.guest import Guest
from tests.functional.instance.metadata_stand_in import MetadataStandIn


@pytest.fixture
def guest(tmp_path):
    return Guest(tmp_path / 'guest')


@pytest.fixture
def metadata():
    stand_in = MetadataStandIn()
    stand_in.start()
    try:
        yield stand_in
    finally:
        stand_in.stop()

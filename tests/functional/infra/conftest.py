"""Fixtures for the tests of the shared functional test fixtures."""

import pytest

from tests.fixtures import keystone
from tests.fixtures import openstack_standin
from tests.fixtures import tls


@pytest.fixture(scope='session')
def test_ca(tmp_path_factory):
    return tls.TestCA(tmp_path_factory.mktemp('ca'))


@pytest.fixture(scope='session')
def ks(tmp_path_factory, test_ca):
    with keystone.run_keystone(tmp_path_factory.mktemp('keystone'),
                               ca=test_ca) as running:
        yield running


@pytest.fixture(scope='session')
def standin(ks, test_ca):
    with openstack_standin.run_openstack_standin(ks, ca=test_ca) as running:
        yield running

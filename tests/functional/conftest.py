"""Session fixtures shared by the functional suites: one throwaway CA, one
real Keystone, one OpenStack API stand-in in its catalog and one memcached
per run.

They start only when a test asks for them.
"""

import pytest

from tests.fixtures import keystone
from tests.fixtures import memcached as memcached_fixture
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
    """Glance, nova and neutron stand-ins in the catalog.

    Registered before any novajoin process fetches its token, and with it
    the catalog.
    """
    with openstack_standin.run_openstack_standin(ks, ca=test_ca) as running:
        yield running


@pytest.fixture(scope='session')
def memcached():
    """A private memcached on a free loopback port."""
    with memcached_fixture.run_memcached() as running:
        yield running

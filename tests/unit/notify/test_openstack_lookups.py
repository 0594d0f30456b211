from unittest import mock

from keystoneauth1 import exceptions as ks_exceptions
from novaclient import exceptions as nova_exceptions
import pytest

from novajoin.openstack import neutron
from novajoin.openstack import nova

INSTANCE = '8c1d4ad6-5c0a-4a57-9a3e-4e8a4f2b8f10'


def status_with(get):
    client = mock.Mock()
    client.servers.get.side_effect = get
    return nova.InstanceStatus(client)


def server(status, vm_state):
    return mock.Mock(status=status, **{'OS-EXT-STS:vm_state': vm_state})


def test_instance_nova_does_not_know_is_gone():
    status = status_with(nova_exceptions.NotFound(404))
    assert status.is_gone(INSTANCE)


@pytest.mark.parametrize('status, vm_state, gone', [
    ('DELETED', 'deleted', True),
    ('ACTIVE', 'active', False),
    ('SOFT_DELETED', 'soft-delete', False),
    ('SHUTOFF', 'stopped', False),
    ('ERROR', 'error', False),
])
def test_only_deleted_state_counts_as_gone(status, vm_state, gone):
    assert status_with([server(status, vm_state)]).is_gone(INSTANCE) is gone


@pytest.mark.parametrize('error', [
    nova_exceptions.ClientException(503),
    nova_exceptions.Unauthorized(401),
    ks_exceptions.ConnectFailure('refused'),
    ks_exceptions.EndpointNotFound('no compute endpoint'),
])
def test_nova_failure_is_unavailable_not_gone(error):
    with pytest.raises(nova.NovaUnavailable):
        status_with(error).is_gone(INSTANCE)


def ports_answering(status_code=200, body=None, error=None):
    session = mock.Mock()
    if error is not None:
        session.get.side_effect = error
    else:
        session.get.return_value = mock.Mock(
            status_code=status_code, json=mock.Mock(return_value=body))
    return neutron.PortLookup(session, 'internal', 'RegionOne'), session


def test_port_lookup_asks_the_network_endpoint_of_the_catalog():
    lookup, session = ports_answering(body={'port': {'device_id':
                                                     INSTANCE}})
    assert lookup.device_id('p1') == INSTANCE
    session.get.assert_called_once_with(
        '/v2.0/ports/p1', raise_exc=False,
        endpoint_filter={'service_type': 'network', 'interface': 'internal',
                         'region_name': 'RegionOne'})


def test_port_that_is_gone_or_unbound_has_no_device():
    assert ports_answering(404)[0].device_id('p1') is None
    assert ports_answering(body={'port': {'device_id': ''}})[0].device_id(
        'p1') is None


@pytest.mark.parametrize('kwargs', [
    {'status_code': 503},
    {'body': {'ports': []}},
    {'error': ks_exceptions.ConnectFailure('refused')},
])
def test_neutron_failure_is_unavailable(kwargs):
    with pytest.raises(neutron.NeutronUnavailable):
        ports_answering(**kwargs)[0].device_id('p1')

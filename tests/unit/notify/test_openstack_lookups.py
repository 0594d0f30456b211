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


@pytest.mark.parametrize('tenant_id, project_id', [
    ('p-1', 'p-1'), (None, None)])
def test_project_of_an_instance(tenant_id, project_id):
    found = mock.Mock(tenant_id=tenant_id)
    if project_id is None:
        with pytest.raises(nova.NovaUnavailable):
            status_with([found]).project_id(INSTANCE)
    else:
        assert status_with([found]).project_id(INSTANCE) == project_id


def test_project_of_an_instance_nova_does_not_know_is_none():
    assert status_with(nova_exceptions.NotFound(404)).project_id(
        INSTANCE) is None


def ports_answering(status_code=200, body=None, error=None):
    session = mock.Mock()
    if error is not None:
        session.get.side_effect = error
    else:
        session.get.return_value = mock.Mock(
            status_code=status_code, json=mock.Mock(return_value=body))
    return neutron.PortLookup(session, 'internal', 'RegionOne', 7.5), session


def test_port_lookup_asks_the_network_endpoint_with_a_timeout():
    lookup, session = ports_answering(body={'port': {
        'device_id': INSTANCE, 'device_owner': 'compute:nova',
        'project_id': 'p-1', 'tenant_id': 'p-1'}})
    assert lookup.get('p1') == neutron.Port('p1', INSTANCE, 'compute:nova',
                                            'p-1')
    session.get.assert_called_once_with(
        '/v2.0/ports/p1', raise_exc=False, timeout=7.5,
        endpoint_filter={'service_type': 'network', 'interface': 'internal',
                         'region_name': 'RegionOne'})


def test_port_that_is_gone_is_none_and_unbound_has_no_device():
    assert ports_answering(404)[0].get('p1') is None
    port = ports_answering(body={'port': {'device_id': '',
                                          'tenant_id': 'p-1'}})[0].get('p1')
    assert port == neutron.Port('p1', None, None, 'p-1')


@pytest.mark.parametrize('kwargs', [
    {'status_code': 503},
    {'body': {'ports': []}},
    {'error': ks_exceptions.ConnectFailure('refused')},
    {'error': ks_exceptions.ConnectTimeout('timed out')},
])
def test_neutron_failure_is_unavailable(kwargs):
    with pytest.raises(neutron.NeutronUnavailable):
        ports_answering(**kwargs)[0].get('p1')

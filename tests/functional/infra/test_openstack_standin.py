"""The stand-in is reached through the real Keystone catalog."""

import uuid

from keystoneauth1 import exceptions as ks_exceptions
from novaclient import client as nova_client
from novaclient import exceptions as nova_exceptions
import pytest
import requests


def _get(sess, service_type, path):
    return sess.get(path, raise_exc=False, endpoint_filter={
        'service_type': service_type, 'interface': 'internal',
        'region_name': 'RegionOne'})


@pytest.fixture
def sess(ks):
    return ks.session_for('novajoin')


def test_glance_image_with_properties_through_the_catalog(standin, sess):
    image_id = str(uuid.uuid4())
    standin.set_image(image_id, {'ipa_enroll': 'True', 'os_distro': 'fedora'})

    resp = _get(sess, 'image', '/v2/images/%s' % image_id)

    assert resp.status_code == 200
    assert resp.json()['id'] == image_id
    assert resp.json()['ipa_enroll'] == 'True'
    assert resp.json()['os_distro'] == 'fedora'
    assert ('GET', '/image/v2/images/%s' % image_id) in standin.requests


def test_deleted_image_is_404(standin, sess):
    image_id = str(uuid.uuid4())
    standin.set_image(image_id, {})
    standin.delete_image(image_id)

    assert _get(sess, 'image', '/v2/images/%s' % image_id).status_code == 404


def test_neutron_port_through_the_catalog(standin, sess):
    port_id, device_id = str(uuid.uuid4()), str(uuid.uuid4())
    standin.set_port(port_id, device_id)

    resp = _get(sess, 'network', '/v2.0/ports/%s' % port_id)
    missing = _get(sess, 'network', '/v2.0/ports/%s' % uuid.uuid4())

    assert resp.status_code == 200
    assert resp.json()['port']['device_id'] == device_id
    assert missing.status_code == 404


def _nova(sess):
    return nova_client.Client('2.1', session=sess, endpoint_type='internal',
                              region_name='RegionOne')


@pytest.mark.parametrize('status,vm_state', [
    ('ACTIVE', 'active'),
    ('DELETED', 'deleted'),
    ('SOFT_DELETED', 'soft-delete'),
])
def test_novaclient_servers_get_reads_status(standin, sess, status,
                                             vm_state):
    server_id = str(uuid.uuid4())
    standin.set_server(server_id, status=status)

    server = _nova(sess).servers.get(server_id)

    assert server.id == server_id
    assert server.status == status
    assert getattr(server, 'OS-EXT-STS:vm_state') == vm_state


def test_novaclient_unknown_server_raises_not_found(standin, sess):
    server_id = str(uuid.uuid4())
    standin.set_server(server_id)
    standin.delete_server(server_id)

    with pytest.raises(nova_exceptions.NotFound):
        _nova(sess).servers.get(server_id)


def test_request_without_token_is_401(standin, test_ca):
    resp = requests.get(standin.url + '/compute/v2.1/servers/x',
                        verify=test_ca.ca_file, timeout=5)

    assert resp.status_code == 401


def test_revoked_token_is_401(ks, standin, test_ca):
    server_id = str(uuid.uuid4())
    standin.set_server(server_id)
    token = ks.token_for('demo')
    ks.revoke_token(token)

    resp = requests.get(standin.url + '/compute/v2.1/servers/' + server_id,
                        headers={'X-Auth-Token': token},
                        verify=test_ca.ca_file, timeout=5)

    assert resp.status_code == 401


def test_down_answers_503_until_back(standin, sess):
    server_id = str(uuid.uuid4())
    standin.set_server(server_id)
    standin.set_down(True)
    try:
        with pytest.raises(nova_exceptions.ClientException) as raised:
            _nova(sess).servers.get(server_id)
        assert raised.value.code == 503
        with pytest.raises(ks_exceptions.ServiceUnavailable):
            sess.get('/v2/images/x', endpoint_filter={
                'service_type': 'image', 'interface': 'internal'})
    finally:
        standin.set_down(False)

    assert _nova(sess).servers.get(server_id).id == server_id

"""ACIError 2100 on the wire: a logged-in principal without write rights.

``ipa-jsonrpc.md`` section 3: ACIError ``Insufficient access: %(info)s``,
``info`` being the directory server's text; section 6: reading hosts is
granted to every authenticated principal. The simulator's read-only login
users (admin endpoint ``POST /users`` with ``"read_only": true``) stand in
for a principal that lacks the write permissions.
"""

import pytest
import requests

from tests.functional.ipasim.conftest import RawIPA

BASEDN = 'dc=example,dc=test'
ZONE = 'example.test'
H1_DN = 'fqdn=h1.example.test,cn=computers,cn=accounts,%s' % BASEDN


def aci_error(info):
    return {'code': 2100, 'name': 'ACIError',
            'message': 'Insufficient access: %s' % info,
            'data': {'info': info}}


@pytest.fixture
def reader(sim, ipa):
    """A logged-in user with read rights only; ``ipa`` is admin."""
    response = requests.post(sim.admin_url + '/users', json={
        'user': 'reader', 'password': 'reader-secret-1', 'read_only': True},
        timeout=30)
    assert response.status_code == 201, response.text
    client = RawIPA(sim)
    client.login('reader', 'reader-secret-1')
    yield client
    client.http.close()


def test_read_only_user_can_read(ipa, reader):
    ipa.result('host_add', 'h1.example.test', force=True)
    envelope = reader.call('host_show', 'h1.example.test')
    assert envelope['error'] is None
    assert envelope['principal'] == 'reader@EXAMPLE.TEST'
    assert reader.result('host_find', 'h1')['count'] == 1
    assert reader.result('dnsrecord_find', ZONE)['count'] == 1


def test_host_add_without_rights_is_aci_error(ipa, reader):
    error = reader.error('host_add', 'h1.example.test', force=True)
    assert error == aci_error(
        "Insufficient 'add' privilege to add the entry '%s'." % H1_DN)
    assert ipa.error('host_show', 'h1.example.test')['code'] == 4001


def test_host_mod_without_rights_is_aci_error(ipa, reader):
    ipa.result('host_add', 'h1.example.test', force=True, description='d')
    error = reader.error('host_mod', 'h1.example.test', description='new')
    assert error == aci_error(
        "Insufficient 'write' privilege to the 'description' attribute of "
        "entry '%s'." % H1_DN)
    shown = ipa.result('host_show', 'h1.example.test')['result']
    assert shown['description'] == ['d']


def test_host_mod_password_without_rights_is_aci_error(ipa, reader):
    ipa.result('host_add', 'h1.example.test', force=True)
    error = reader.error('host_mod', 'h1.example.test', random=True)
    assert error == aci_error(
        "Insufficient 'write' privilege to the 'userPassword' attribute of "
        "entry '%s'." % H1_DN)
    shown = ipa.result('host_show', 'h1.example.test')['result']
    assert shown['has_password'] is False


def test_host_mod_without_change_is_empty_modlist_before_aci(ipa, reader):
    ipa.result('host_add', 'h1.example.test', force=True, description='d')
    error = reader.error('host_mod', 'h1.example.test', description='d')
    assert error['code'] == 4202


def test_host_del_without_rights_is_aci_error(ipa, reader):
    ipa.result('host_add', 'h1.example.test', force=True)
    error = reader.error('host_del', 'h1.example.test')
    assert error == aci_error(
        "Insufficient 'delete' privilege to delete the entry '%s'." % H1_DN)
    assert ipa.result('host_show', 'h1.example.test')['value'] == (
        'h1.example.test')


def test_host_del_of_missing_host_is_not_found_not_aci(reader):
    # Section 6: host_del runs host_show first, which raises NotFound.
    error = reader.error('host_del', 'nope.example.test')
    assert (error['code'], error['name']) == (4001, 'NotFound')


def test_dnsrecord_add_without_rights_is_aci_error(ipa, reader):
    error = reader.error('dnsrecord_add', ZONE, 'www',
                         arecord=['192.0.2.10'])
    assert error == aci_error(
        "Insufficient 'add' privilege to add the entry "
        "'idnsname=www,idnsname=example.test.,cn=dns,%s'." % BASEDN)
    assert ipa.result('dnsrecord_find', ZONE, idnsname='www')['count'] == 0


def test_dnsrecord_del_without_rights_is_aci_error(ipa, reader):
    ipa.result('dnsrecord_add', ZONE, 'www', arecord=['192.0.2.10'])
    error = reader.error('dnsrecord_del', ZONE, 'www', del_all=True)
    assert (error['code'], error['name']) == (2100, 'ACIError')
    assert ipa.result('dnsrecord_find', ZONE, idnsname='www')['count'] == 1


def test_service_add_without_rights_is_aci_error(ipa, reader):
    ipa.result('dnsrecord_add', ZONE, 'h1', arecord=['192.0.2.1'])
    ipa.result('host_add', 'h1.example.test')
    error = reader.error('service_add', 'HTTP/h1.example.test')
    assert (error['code'], error['name']) == (2100, 'ACIError')
    assert error['message'].startswith(
        "Insufficient access: Insufficient 'add' privilege")
    assert ipa.result('service_find')['count'] == 0


def test_host_disable_without_rights_is_aci_error(sim, ipa, reader):
    otp = ipa.result('host_add', 'h1.example.test', force=True,
                     random=True)['result']['randompassword']
    sim.admin.join('h1.example.test', otp)
    error = reader.error('host_disable', 'h1.example.test')
    assert error == aci_error(
        "Insufficient 'write' privilege to the 'krbPrincipalKey' attribute "
        "of entry '%s'." % H1_DN)
    shown = ipa.result('host_show', 'h1.example.test')['result']
    assert shown['has_keytab'] is True


def test_host_add_managedby_without_rights_is_aci_error(ipa, reader):
    ipa.result('host_add', 'h1.example.test', force=True)
    ipa.result('host_add', 'h2.example.test', force=True)
    error = reader.error('host_add_managedby', 'h1.example.test',
                         host=['h2.example.test'])
    assert error == aci_error(
        "Insufficient 'write' privilege to the 'managedBy' attribute of "
        "entry '%s'." % H1_DN)
    shown = ipa.result('host_show', 'h1.example.test')['result']
    assert shown['managedby_host'] == ['h1.example.test']


def test_service_mod_without_rights_is_aci_error(ipa, reader):
    ipa.result('host_add', 'h1.example.test', force=True)
    ipa.result('service_add', 'HTTP/h1.example.test', force=True)
    error = reader.error('service_mod', 'HTTP/h1.example.test',
                         ipakrbokasdelegate=True)
    assert (error['code'], error['name']) == (2100, 'ACIError')


def test_aci_error_in_a_batch_item(ipa, reader):
    envelope = reader.call('batch', {
        'method': 'host_add',
        'params': [['h1.example.test'], {'force': True}]})
    assert envelope['error'] is None
    [item] = envelope['result']['results']
    info = "Insufficient 'add' privilege to add the entry '%s'." % H1_DN
    assert item == {'error': 'Insufficient access: %s' % info,
                    'error_code': 2100, 'error_name': 'ACIError',
                    'error_kw': {'info': info}}


def test_admin_keeps_full_rights(ipa, reader):
    assert ipa.result('host_add', 'h1.example.test',
                      force=True)['value'] == 'h1.example.test'

"""``/ipa/session/login_kerberos`` on the wire, with a real KDC.

``ipa-jsonrpc.md`` section 1: no Negotiate credentials -> 401 with
``WWW-Authenticate: Negotiate`` (Apache runs first) -> Referer (400) ->
200, empty body, session cookie. Section 6: a Kerberos principal that is
not an admin may do what its roles' permissions grant and nothing more
(ACIError 2100); DNS it may not read is not there for it.
"""

import base64

import gssapi
import pytest

from tests.fixtures import ipasim
from tests.fixtures import kdc as kdc_fixture
from tests.fixtures.tls import TestCA
from tests.functional.ipasim.conftest import RawIPA

CLIENT = 'nova/controller.example.test'
# Not an admin: only what IPA roles grant it.
SERVICE = 'nova/other.example.test'


class KerberosSim(object):
    def __init__(self, sim, client_keytab, principal, other=None):
        self.sim = sim
        self.client_keytab = client_keytab
        self.principal = principal
        self.other = other

    def negotiate(self):
        """A fresh ``Negotiate <token>`` for HTTP/<server name>."""
        creds = gssapi.Credentials(
            name=gssapi.Name(self.principal,
                             gssapi.NameType.kerberos_principal),
            usage='initiate',
            store={'client_keytab': self.client_keytab,
                   'ccache': 'MEMORY:ipasim-wire-%s' % self.principal})
        target = gssapi.Name('HTTP@%s' % self.sim.server_name,
                             gssapi.NameType.hostbased_service)
        context = gssapi.SecurityContext(name=target, creds=creds,
                                         usage='initiate')
        token = context.step()
        return 'Negotiate ' + base64.b64encode(token).decode()


@pytest.fixture(scope='module')
def kerberos(tmp_path_factory):
    workdir = tmp_path_factory.mktemp('ipasim-kerberos')
    with kdc_fixture.run_kdc(workdir / 'kdc', realm='EXAMPLE.TEST') as kdc:
        http_keytab = str(workdir / 'http.keytab')
        client_keytab = str(workdir / 'client.keytab')
        kdc.add_principal('HTTP/localhost', http_keytab)
        principal = kdc.add_principal(CLIENT, client_keytab)
        service_keytab = str(workdir / 'service.keytab')
        service = kdc.add_principal(SERVICE, service_keytab)
        ca = TestCA(workdir / 'ca')
        with ipasim.run_ipasim(workdir / 'sim', ca, keytab=http_keytab,
                               admin_principals=[principal]) as sim:
            yield KerberosSim(sim, client_keytab, principal,
                              other=KerberosSim(sim, service_keytab,
                                                service))


@pytest.fixture
def client(kerberos):
    kerberos.sim.admin.reset()
    raw = RawIPA(kerberos.sim)
    yield raw
    raw.http.close()


def test_negotiate_login_is_200_empty_body_and_cookie(kerberos, client):
    response = client.post('/session/login_kerberos', headers={
        'Authorization': kerberos.negotiate()})
    assert response.status_code == 200
    assert response.content == b''
    assert response.headers['Set-Cookie'].startswith('ipa_session=')
    envelope = client.call('ping')
    assert envelope['error'] is None
    assert envelope['principal'] == '%s@EXAMPLE.TEST' % CLIENT


def test_admin_kerberos_principal_may_write(kerberos, client):
    client.post('/session/login_kerberos', headers={
        'Authorization': kerberos.negotiate()})
    output = client.result('host_add', 'h1.example.test', force=True)
    assert output['value'] == 'h1.example.test'


def test_negotiate_login_without_referer_is_400(kerberos, client):
    response = client.post('/session/login_kerberos', referer=None,
                           headers={'Authorization': kerberos.negotiate()})
    assert response.status_code == 400
    assert response.headers['Content-Type'].startswith('text/html')
    assert 'denied' in response.text
    assert 'Set-Cookie' not in response.headers


def test_no_credentials_is_401_even_without_referer(client):
    response = client.post('/session/login_kerberos', referer=None)
    assert response.status_code == 401
    assert response.headers['WWW-Authenticate'] == 'Negotiate'


def test_bad_negotiate_token_is_401(client):
    response = client.post('/session/login_kerberos', headers={
        'Authorization': 'Negotiate ' + base64.b64encode(
            b'not a token').decode()})
    assert response.status_code == 401
    assert response.headers['WWW-Authenticate'] == 'Negotiate'
    assert 'Set-Cookie' not in response.headers


def test_negotiate_login_counts_as_kerberos(kerberos, client):
    kerberos.sim.admin.reset_stats()
    client.post('/session/login_kerberos', headers={
        'Authorization': kerberos.negotiate()})
    assert kerberos.sim.admin.stats()['logins'] == {'password': 0,
                                                    'kerberos': 1}


def _login(raw, kerberos):
    response = raw.post('/session/login_kerberos', headers={
        'Authorization': kerberos.negotiate()})
    assert response.status_code == 200, response.text


@pytest.fixture
def service(kerberos, client):
    """RawIPA logged in as SERVICE (no role yet); ``client`` is admin."""
    client.login()
    kerberos.sim.admin.seed_host('other.example.test')
    client.result('service_add', '%s@EXAMPLE.TEST' % SERVICE, force=True)
    raw = RawIPA(kerberos.sim)
    _login(raw, kerberos.other)
    yield raw
    raw.http.close()


def _grant(admin, *permissions):
    admin.result('privilege_add', 'Test privilege')
    admin.result('privilege_add_permission', 'Test privilege',
                 permission=list(permissions))
    admin.result('role_add', 'Test role')
    admin.result('role_add_privilege', 'Test role',
                 privilege=['Test privilege'])
    out = admin.result('role_add_member', 'Test role',
                       service=['%s@EXAMPLE.TEST' % SERVICE])
    assert out['completed'] == 1, out


def _aci(error):
    assert (error['code'], error['name']) == (2100, 'ACIError'), error
    return error['message']


def test_principal_without_a_role_reads_hosts_and_writes_nothing(
        kerberos, client, service):
    envelope = service.call('host_show', 'localhost')
    assert envelope['error'] is None
    assert envelope['principal'] == '%s@EXAMPLE.TEST' % SERVICE
    assert service.result('service_find')['count'] == 1

    message = _aci(service.error('host_add', 'h1.example.test', force=True))
    assert message == (
        "Insufficient access: Insufficient 'add' privilege to add the entry "
        "'fqdn=h1.example.test,cn=computers,cn=accounts,dc=example,"
        "dc=test'.")
    _aci(service.error('service_del', '%s@EXAMPLE.TEST' % SERVICE))
    # It may not grant itself anything either.
    _aci(service.error('permission_add', 'Mine', ipapermright=['all'],
                       type='host'))
    _aci(service.error('role_add', 'Mine'))
    # DNS needs System: Read DNS Entries: without it there is no zone.
    error = service.error('dnszone_show', 'example.test.')
    assert (error['code'], error['message']) == (
        4001, 'example.test.: DNS zone not found')
    error = service.error('dnsrecord_add', 'example.test', 'www',
                          arecord=['192.0.2.1'])
    assert error['code'] == 4001


def test_role_grants_exactly_its_permissions(kerberos, client, service):
    _grant(client, 'System: Add Hosts', 'System: Modify Hosts')

    assert service.result('host_add', 'h1.example.test', force=True,
                          description='d')['value'] == 'h1.example.test'
    assert service.result('host_mod', 'h1.example.test',
                          userclass='c')['result']['userclass'] == ['c']
    message = _aci(service.error('host_mod', 'h1.example.test',
                                 description='e', userpassword='secret'))
    assert "'userPassword' attribute" in message
    assert client.result('host_show', 'h1.example.test')['result'][
        'description'] == ['d']
    _aci(service.error('host_del', 'h1.example.test'))
    _aci(service.error('host_add_managedby', 'h1.example.test',
                       host=['other.example.test']))

    # A permission taken out of the privilege applies to the next call.
    out = client.result('privilege_remove_permission', 'Test privilege',
                        permission=['System: Add Hosts', 'No such'])
    assert out['completed'] == 1
    assert out['failed']['member']['permission'] == [
        ['No such', 'permission not found']]
    _aci(service.error('host_add', 'h2.example.test', force=True))
    again = client.result('privilege_remove_permission', 'Test privilege',
                          permission=['System: Add Hosts'])
    assert again['failed']['member']['permission'] == [
        ['System: Add Hosts', 'This entry is not a member']]


def test_own_permissions_grant_their_attributes(kerberos, client, service):
    client.result('permission_add', 'Modify host password',
                  ipapermright=['write'], type='host',
                  attrs=['userpassword'])
    _grant(client, 'Modify host password', 'System: Read DNS Entries',
           'System: Update DNS Entries')
    client.result('host_add', 'h1.example.test', force=True)

    assert service.result('host_mod', 'h1.example.test',
                          userpassword='secret')['result'][
        'has_password'] is True
    _aci(service.error('host_mod', 'h1.example.test', description='x'))
    assert service.result('dnszone_show', 'example.test.')['value']
    # Updating a record is allowed, adding a new one is not.
    client.result('dnsrecord_add', 'example.test', 'www',
                  arecord=['192.0.2.1'])
    service.result('dnsrecord_add', 'example.test', 'www',
                   arecord=['192.0.2.2'])
    _aci(service.error('dnsrecord_add', 'example.test', 'new',
                       arecord=['192.0.2.3']))
    _aci(service.error('dnsrecord_del', 'example.test', 'www',
                       del_all=True))

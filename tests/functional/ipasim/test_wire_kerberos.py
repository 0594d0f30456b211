"""``/ipa/session/login_kerberos`` on the wire, with a real KDC.

``ipa-jsonrpc.md`` section 1: no Negotiate credentials -> 401 with
``WWW-Authenticate: Negotiate`` (Apache runs first) -> Referer (400) ->
200, empty body, session cookie.
"""

import base64

import gssapi
import pytest

from tests.fixtures import ipasim
from tests.fixtures import kdc as kdc_fixture
from tests.fixtures.tls import TestCA
from tests.functional.ipasim.conftest import RawIPA

CLIENT = 'nova/controller.example.test'


class KerberosSim(object):
    def __init__(self, sim, client_keytab, principal):
        self.sim = sim
        self.client_keytab = client_keytab
        self.principal = principal

    def negotiate(self):
        """A fresh ``Negotiate <token>`` for HTTP/<server name>."""
        creds = gssapi.Credentials(
            name=gssapi.Name(self.principal,
                             gssapi.NameType.kerberos_principal),
            usage='initiate',
            store={'client_keytab': self.client_keytab,
                   'ccache': 'MEMORY:ipasim-wire-tests'})
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
        ca = TestCA(workdir / 'ca')
        with ipasim.run_ipasim(workdir / 'sim', ca,
                               keytab=http_keytab) as sim:
            yield KerberosSim(sim, client_keytab, principal)


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


def test_kerberos_principal_may_write(kerberos, client):
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

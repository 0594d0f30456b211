"""The shipped uWSGI ini serves the API with TLS 1.2 or newer only.

The host's OpenSSL policy must not decide: the client below offers TLS 1.1
at OpenSSL security level 0 (which Debian's own default would refuse), so a
refusal can only come from the server's settings. A control server that
does allow TLS 1.1 shows the client really can speak it.
"""

from concurrent import futures
import contextlib
import json
import socket
import ssl
import threading

import pytest

from tests.fixtures import novajoin_server
from tests.fixtures import prometheus
from tests.functional.api import conftest

# Old protocol versions are what these tests are about.
pytestmark = pytest.mark.filterwarnings(
    'ignore:ssl.TLSVersion.TLSv1:DeprecationWarning')


@pytest.fixture(scope='module')
def shipped_ini_server(tmp_path_factory, test_ca, ks, ipa, otp_key_file,
                       standin):
    sections = conftest.server_sections(ks, ipa, otp_key_file)
    sections['metrics'] = {'enabled': True, 'api_port_path': True}
    with novajoin_server.run_novajoin_server(
            tmp_path_factory.mktemp('uwsgi-ini'), test_ca, sections,
            runner=novajoin_server.SHIPPED_UWSGI_INI) as server:
        yield server


def _client_context(ca_file, version):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(ca_file)
    context.set_ciphers('ALL:@SECLEVEL=0')
    context.minimum_version = version
    context.maximum_version = version
    return context


def _handshake(port, ca_file, version):
    """The negotiated protocol, or the ssl.SSLError of the refusal."""
    context = _client_context(ca_file, version)
    with socket.create_connection(('127.0.0.1', port), timeout=5) as sock:
        try:
            with context.wrap_socket(sock,
                                     server_hostname='127.0.0.1') as tls:
                return tls.version()
        except ssl.SSLError as error:
            return error


def _port(server):
    return int(server.url.rsplit(':', 1)[1])


@contextlib.contextmanager
def _server_allowing_tls11(test_ca, tmp_path):
    cert, key = test_ca.issue('localhost', ip_addresses=['127.0.0.1'],
                              basename='tls11-control')
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.set_ciphers('ALL:@SECLEVEL=0')
    context.minimum_version = ssl.TLSVersion.TLSv1_1
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(4)

    def serve_one():
        conn, _ = listener.accept()
        with conn:
            try:
                with context.wrap_socket(conn, server_side=True):
                    pass
            except (ssl.SSLError, OSError):
                pass

    thread = threading.Thread(target=serve_one, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()
        thread.join(5)


def test_client_can_speak_tls11_to_a_server_that_allows_it(
        test_ca, tmp_path):
    with _server_allowing_tls11(test_ca, tmp_path) as port:
        assert _handshake(port, test_ca.ca_file,
                          ssl.TLSVersion.TLSv1_1) == 'TLSv1.1'


@pytest.mark.parametrize('version', [ssl.TLSVersion.TLSv1,
                                     ssl.TLSVersion.TLSv1_1])
def test_shipped_ini_refuses_tls_older_than_1_2(shipped_ini_server, version):
    outcome = _handshake(_port(shipped_ini_server),
                         shipped_ini_server.ca_file, version)
    assert isinstance(outcome, ssl.SSLError), outcome


@pytest.mark.parametrize('version, name', [
    (ssl.TLSVersion.TLSv1_2, 'TLSv1.2'), (ssl.TLSVersion.TLSv1_3, 'TLSv1.3')])
def test_shipped_ini_accepts_tls_1_2_and_1_3(shipped_ini_server, version,
                                             name):
    assert _handshake(_port(shipped_ini_server), shipped_ini_server.ca_file,
                      version) == name


def test_shipped_ini_offers_only_forward_secret_aead_on_tls_1_2(
        shipped_ini_server):
    context = _client_context(shipped_ini_server.ca_file,
                              ssl.TLSVersion.TLSv1_2)
    # What a host policy allowing old ciphers would let through.
    context.set_ciphers('AES128-SHA:AES256-SHA:AES128-GCM-SHA256'
                        ':@SECLEVEL=0')
    with socket.create_connection(
            ('127.0.0.1', _port(shipped_ini_server)), timeout=5) as sock:
        with pytest.raises(ssl.SSLError):
            context.wrap_socket(sock, server_hostname='127.0.0.1')


def test_shipped_ini_serves_vendordata_with_a_keystone_token(
        shipped_ini_server, ks, sim):
    response = conftest.caller_for(shipped_ini_server, ks, 'nova').post(
        conftest.vendordata_body())
    assert response.status_code == 200, response.text
    assert response.json()['ipaotp']


def test_shipped_ini_sums_metrics_over_its_workers(shipped_ini_server, ks,
                                                   sim):
    nova = conftest.caller_for(shipped_ini_server, ks, 'nova')
    metrics_url = shipped_ini_server.url + '/metrics'
    name = 'novajoin_vendordata_request_duration_seconds_count'
    before = prometheus.value(prometheus.scrape(
        metrics_url, verify=shipped_ini_server.ca_file), name)
    with futures.ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(nova.post, [conftest.vendordata_body()
                                            for _ in range(12)]))
    assert [a.status_code for a in answers] == [200] * 12
    for _ in range(4):
        after = prometheus.value(prometheus.scrape(
            metrics_url, verify=shipped_ini_server.ca_file), name)
        assert after - before == 12


@pytest.mark.parametrize('size', [70000, 1000000])
def test_shipped_ini_answers_every_oversized_body_413(shipped_ini_server, ks,
                                                      sim, size):
    """Without post-buffering the API answers before uWSGI has read the
    body; the rest is read and dropped first, so no 413 is lost to a TCP
    reset (twenty tries in a row).
    """
    nova = conftest.caller_for(shipped_ini_server, ks, 'nova')
    data = json.dumps(dict(conftest.vendordata_body(),
                           **{'user-data': 'A' * size}))
    for _ in range(20):
        response = nova.post(None, data=data)
        assert response.status_code == 413, response.text
        assert 'larger than' in response.json()['error']['message']
    assert sim.admin.hosts() == []

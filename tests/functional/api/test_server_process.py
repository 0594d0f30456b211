"""The server processes themselves: readiness, TLS, shutdown, start-up log.

These run with ``auth_strategy = noauth`` so they need no Keystone; the
Keystone-protected behaviour is in test_vendordata.py.
"""

import os
import socket
import ssl
import threading
import time
import uuid

import pytest
import requests

from tests.fixtures import novajoin_server


def noauth_sections(ipa, otp_key_file, **extra):
    sections = {
        'DEFAULT': {'auth_strategy': 'noauth'},
        'ipa': {'servers': 'localhost:%d' % ipa.port, 'ca_file': ipa.ca_file,
                'realm': ipa.realm, 'domain': ipa.domain,
                'auth_method': 'password', 'user': 'admin',
                'password': ipa.admin_password},
        'enrollment': {'otp_key_file': otp_key_file},
    }
    for section, options in extra.items():
        sections.setdefault(section, {}).update(options)
    return sections


@pytest.fixture(scope='module', params=novajoin_server.RUNNERS)
def noauth_server(request, tmp_path_factory, test_ca, ipa, otp_key_file):
    with novajoin_server.run_novajoin_server(
            tmp_path_factory.mktemp('noauth-' + request.param), test_ca,
            noauth_sections(ipa, otp_key_file),
            runner=request.param) as server:
        yield server


def _enroll(server, hostname='vm'):
    body = {'instance-id': str(uuid.uuid4()), 'hostname': hostname,
            'metadata': {'ipa_enroll': 'true'}}
    return requests.post(server.url + '/v1', json=body,
                         verify=server.ca_file, timeout=(5, 5))


def test_noauth_serves_and_warns_loudly_at_start(noauth_server, sim):
    assert _enroll(noauth_server).status_code == 200
    log = noauth_server.log_text()
    assert 'WARNING' in log and 'auth_strategy = noauth' in log
    assert 'never in a cloud' in log


def test_start_does_not_flood_the_log_with_deprecations(noauth_server):
    stderr_path = os.path.join(os.path.dirname(noauth_server.log_file),
                               'novajoin.stderr')
    with open(stderr_path, encoding='utf-8', errors='replace') as f:
        stderr = f.read()
    for text in (stderr, noauth_server.log_text()):
        assert 'DeprecationWarning' not in text
        assert 'Eventlet is deprecated' not in text


def test_novajoin_server_notifies_systemd_once_listening(
        tmp_path, test_ca, sim, otp_key_file):
    with novajoin_server.run_novajoin_server(
            tmp_path, test_ca, noauth_sections(sim, otp_key_file)) as server:
        assert server.notified_ready
        health = requests.get(server.url + '/healthcheck',
                              verify=server.ca_file, timeout=5)
        assert health.status_code == 200


def _handshake(url, ca_file, maximum_version):
    host, port = url.split('//')[1].split(':')
    context = ssl.create_default_context(cafile=ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1
    context.maximum_version = maximum_version
    context.set_ciphers('DEFAULT:@SECLEVEL=0')
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        with context.wrap_socket(sock, server_hostname='localhost') as tls:
            return tls.version()


# This client can negotiate TLS 1.1 (SECLEVEL=0), so a refusal is the
# server's doing.
@pytest.mark.filterwarnings('ignore:ssl.TLSVersion.TLSv1:DeprecationWarning')
def test_tls_older_than_1_2_is_refused(noauth_server):
    url, ca_file = noauth_server.url, noauth_server.ca_file
    assert _handshake(url, ca_file, ssl.TLSVersion.TLSv1_2) == 'TLSv1.2'
    with pytest.raises((ssl.SSLError, ConnectionResetError)):
        _handshake(url, ca_file, ssl.TLSVersion.TLSv1_1)


def test_weak_ssl_version_setting_stops_the_start(tmp_path, test_ca, ipa,
                                                  otp_key_file):
    sections = noauth_sections(ipa, otp_key_file,
                               ssl={'version': 'tlsv1_1'})
    with pytest.raises(novajoin_server.ServerError):
        with novajoin_server.run_novajoin_server(tmp_path, test_ca,
                                                 sections):
            pass
    with open(tmp_path / 'novajoin.log') as f:
        assert 'would allow TLS older than 1.2' in f.read()


@pytest.mark.parametrize('runner', novajoin_server.RUNNERS)
def test_sigterm_finishes_in_flight_request_then_exits(tmp_path, test_ca,
                                                       sim, otp_key_file,
                                                       runner):
    with novajoin_server.run_novajoin_server(
            tmp_path, test_ca, noauth_sections(sim, otp_key_file),
            runner=runner) as server:
        sim.admin.control(latency_ms=600)
        answers = []
        request = threading.Thread(
            target=lambda: answers.append(_enroll(server, 'inflight')))
        request.start()
        while sim.admin.stats()['concurrent_now'] == 0:
            assert request.is_alive(), answers
            time.sleep(0.02)
        status = server.stop()
        request.join()
    assert status == 0
    (response,) = answers
    assert response.status_code == 200, response.text
    assert response.json()['ipaotp']


def test_novajoin_server_with_several_workers_serves_and_stops(
        tmp_path, test_ca, sim, otp_key_file):
    sections = noauth_sections(sim, otp_key_file, DEFAULT={'workers': 2})
    with novajoin_server.run_novajoin_server(tmp_path, test_ca,
                                             sections) as server:
        answers = [_enroll(server, 'worker%d' % n) for n in range(4)]
        status = server.stop()
    assert [a.status_code for a in answers] == [200] * 4
    assert len(sim.admin.hosts()) == 4
    assert status == 0

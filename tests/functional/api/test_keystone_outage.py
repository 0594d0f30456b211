"""A Keystone that accepts connections but never answers.

Keystone's processes are stopped with SIGSTOP: the kernel still completes
TCP handshakes, nothing answers. A token novajoin has not validated yet
must get 503 with Retry-After inside nova's 5 s read timeout, also from a
process whose keystonemiddleware has never talked to Keystone (it then
needs several round trips for one token). This module stops a Keystone of
its own, never the shared one. Every runner.
"""

import os
import signal
import time

import pytest
import requests

from tests.fixtures import keystone
from tests.fixtures import novajoin_server
from tests.functional.api import conftest

NOVA_READ_TIMEOUT = 5.0


@pytest.fixture(scope='module')
def own_ks(tmp_path_factory, test_ca):
    with keystone.run_keystone(tmp_path_factory.mktemp('keystone-outage'),
                               ca=test_ca) as running:
        yield running


def _run_server(tmp_path_factory, test_ca, own_ks, ipa, otp_key_file,
                runner):
    sections = conftest.server_sections(own_ks, ipa, otp_key_file)
    # novajoin's own default bound is what is tested here.
    del sections['keystone_authtoken']['http_connect_timeout']
    return novajoin_server.run_novajoin_server(
        tmp_path_factory.mktemp('outage-' + runner), test_ca, sections,
        runner=runner)


@pytest.fixture(scope='module', params=novajoin_server.RUNNERS)
def server(request, tmp_path_factory, test_ca, own_ks, ipa, otp_key_file):
    with _run_server(tmp_path_factory, test_ca, own_ks, ipa, otp_key_file,
                     request.param) as running:
        yield running


@pytest.fixture(params=novajoin_server.RUNNERS)
def cold_server(request, tmp_path_factory, test_ca, own_ks, ipa,
                otp_key_file):
    """A new server process that has validated no token yet."""
    with _run_server(tmp_path_factory, test_ca, own_ks, ipa, otp_key_file,
                     request.param) as running:
        yield running


def _post(server, token):
    headers = dict(conftest.NOVA_HEADERS, **{'X-Auth-Token': token})
    started = time.monotonic()
    response = requests.post(
        server.url + '/v1', json=conftest.vendordata_body(metadata={}),
        headers=headers, verify=server.ca_file,
        timeout=(NOVA_READ_TIMEOUT, NOVA_READ_TIMEOUT))
    return response, time.monotonic() - started


class _Stopped(object):
    """Keystone's uWSGI processes stopped for the block, then resumed."""

    def __init__(self, ks):
        with open(os.path.join(ks.workdir, 'uwsgi.pid')) as f:
            self.group = int(f.read().strip())

    def __enter__(self):
        os.killpg(self.group, signal.SIGSTOP)
        return self

    def __exit__(self, *exc_info):
        os.killpg(self.group, signal.SIGCONT)


def _assert_503_in_time_then_served(server, ks, token):
    with _Stopped(ks):
        try:
            response, elapsed = _post(server, token)
        except requests.RequestException as exc:
            pytest.fail('no answer within nova\'s timeout: %s' % exc)
    assert response.status_code == 503, response.text
    assert int(response.headers['Retry-After']) >= 1
    assert response.json()['error']['code'] == 503
    assert elapsed < NOVA_READ_TIMEOUT
    assert token not in server.log_text()
    # Keystone is back: the same token is validated and served.
    response, _ = _post(server, token)
    assert response.status_code == 200, response.text


def test_hung_keystone_gives_503_within_nova_timeout(server, own_ks, sim):
    # Some of the server's workers have talked to Keystone already.
    for _ in range(4):
        response, _ = _post(server, own_ks.token_for('nova'))
        assert response.status_code == 200, response.text
    _assert_503_in_time_then_served(server, own_ks, own_ks.token_for('nova'))


def test_hung_keystone_gives_503_within_nova_timeout_from_cold_server(
        cold_server, own_ks, sim):
    # Nothing has been validated: discovery, the service's own token and
    # the validation are all still to do when Keystone stops.
    token = own_ks.token_for('nova')
    _assert_503_in_time_then_served(cold_server, own_ks, token)

"""novajoin's auth_token: defaults, malformed headers, the budget."""

import threading
import time

from keystonemiddleware import auth_token
import pytest
import webob
import webob.dec
import webob.exc

from novajoin.api import authtoken
from novajoin.api import deploy


def test_keystone_calls_are_bounded_by_default():
    conf = deploy.load_conf([], default_config_files=[])
    assert conf.keystone_authtoken.http_connect_timeout == 3
    assert conf.keystone_authtoken.http_request_max_retries == 0


def test_operators_can_still_set_the_keystone_timeouts(tmp_path):
    config_file = tmp_path / 'join.conf'
    config_file.write_text('[keystone_authtoken]\nhttp_connect_timeout = 1\n'
                           'http_request_max_retries = 1\n')
    conf = deploy.load_conf([], default_config_files=[str(config_file)])
    assert conf.keystone_authtoken.http_connect_timeout == 1
    assert conf.keystone_authtoken.http_request_max_retries == 1


@pytest.mark.parametrize('headers,malformed', [
    ({}, None),
    ({'X-Auth-Token': 'gAAAAABkZ-9_aZ='}, None),
    ({'X-Auth-Token': 'eyJhbGci.eyJzdWIi.c2lnbmF0dXJl'}, None),
    ({'X-Auth-Token': 'abc\r\n def'}, 'X-Auth-Token'),
    ({'X-Auth-Token': 'abc def'}, 'X-Auth-Token'),
    ({'X-Auth-Token': 'abc\tdef'}, 'X-Auth-Token'),
    ({'X-Auth-Token': 'abcé'}, 'X-Auth-Token'),
    ({'X-Auth-Token': ''}, 'X-Auth-Token'),
    ({'X-Auth-Token': 'ok', 'X-Service-Token': 'x\r\n y'},
     'X-Service-Token'),
    ({'X-Storage-Token': 'x y'}, 'X-Storage-Token'),
])
def test_malformed_token_header(headers, malformed):
    assert authtoken.malformed_token_header(headers) == malformed


# --- validation under the request budget -----------------------------------

class FakeKeystone(object):
    """Stands in for keystonemiddleware's validation."""

    def __init__(self):
        self.delay = 0.0
        self.threads = []

    def validate(self, request):
        self.threads.append(threading.get_ident())
        time.sleep(self.delay)
        request.environ['HTTP_X_USER_ID'] = 'nova-user-id'


@pytest.fixture
def keystone(monkeypatch):
    fake = FakeKeystone()
    monkeypatch.setattr(auth_token.AuthProtocol, 'process_request',
                        lambda protocol, request: fake.validate(request))
    return fake


@pytest.fixture
def protocol():
    conf = deploy.load_conf([], default_config_files=[])
    conf.set_override('request_budget', 0.5, group='api')
    conf.set_override('www_authenticate_uri', 'https://keystone.test/v3',
                      group='keystone_authtoken')

    @webob.dec.wsgify
    def app(request):
        return webob.Response(json_body={
            'user': request.environ.get('HTTP_X_USER_ID')})
    return authtoken.AuthProtocol(app, {'oslo_config_config': conf})


def _get(protocol, token='gAAAAABkZ-9_aZ'):
    request = webob.Request.blank('/v1', headers={'X-Auth-Token': token})
    started = time.monotonic()
    response = request.get_response(protocol)
    return response, time.monotonic() - started


def test_validation_past_the_budget_is_503_by_the_budget(protocol, keystone):
    keystone.delay = 2.0
    response, elapsed = _get(protocol)
    assert response.status_int == 503
    assert int(response.headers['Retry-After']) >= 1
    assert response.json_body['error']['code'] == 503
    assert elapsed < 1.5


def test_validation_in_time_reaches_the_app(protocol, keystone):
    response, _ = _get(protocol)
    assert response.status_int == 200
    assert response.json_body == {'user': 'nova-user-id'}
    assert keystone.threads != [threading.get_ident()]


def test_recently_validated_token_is_validated_in_the_request_thread(
        protocol, keystone):
    _get(protocol)
    response, _ = _get(protocol)
    assert response.json_body == {'user': 'nova-user-id'}
    assert keystone.threads[1] == threading.get_ident()
    # Another token is new again.
    _get(protocol, token='another-token')
    assert keystone.threads[2] != threading.get_ident()


def test_a_token_refused_is_not_remembered(protocol, monkeypatch):
    calls = []

    def refuse(protocol, request):
        calls.append(threading.get_ident())
        raise webob.exc.HTTPUnauthorized()
    monkeypatch.setattr(auth_token.AuthProtocol, 'process_request', refuse)
    for _ in range(2):
        response, _ = _get(protocol)
        assert response.status_int == 401
    assert threading.get_ident() not in calls


def test_a_late_validation_leaves_the_answered_request_alone(protocol,
                                                             keystone):
    keystone.delay = 0.8
    response, _ = _get(protocol)
    assert response.status_int == 503
    time.sleep(0.6)
    # It finished afterwards, in an environ of its own, and is remembered.
    response, _ = _get(protocol)
    assert response.status_int == 200
    assert keystone.threads[1] == threading.get_ident()


class FakeAuthPlugin(object):
    def __init__(self, token):
        self.token = token
        self.sessions = []

    def get_token(self, session):
        self.sessions.append(session)
        return self.token


def test_log_in_gets_the_middlewares_own_token(protocol):
    protocol._auth = FakeAuthPlugin('own-service-token')

    protocol.log_in()

    assert protocol._auth.sessions == [protocol._session]


def test_log_in_without_credentials_does_nothing(protocol):
    protocol._auth = None
    protocol.log_in()

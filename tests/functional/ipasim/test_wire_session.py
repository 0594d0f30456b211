"""The simulator's raw HTTP and JSON-RPC envelope, logins and sessions.

Every expectation comes from ``ipa-jsonrpc.md`` (sections 1 to 3), the
reference the simulator follows; nothing here goes through novajoin's
client.
"""

import json

import pytest

from tests.functional.ipasim.conftest import API_VERSION
from tests.functional.ipasim.conftest import RawIPA

RELEASE = '4.12.2'
JSON_TYPE = 'application/json; charset=utf-8'
COOKIE_ATTRIBUTES = ('path=/ipa', 'httponly', 'secure', 'samesite=strict')


def _is_html(response):
    return response.headers['Content-Type'].startswith('text/html')


def _post_json_body(client, body, **kw):
    headers = {'Content-Type': 'application/json'}
    return client.post('/session/json', data=body, headers=headers, **kw)


# Section 2, envelope: {"result", "error", "id", "principal", "version"};
# "version" is the release, not the API version.

def test_ping_envelope_is_exact(ipa):
    response = ipa.rpc('ping', request_id=7)
    assert response.status_code == 200
    assert response.headers['Content-Type'] == JSON_TYPE
    assert response.json() == {
        'result': {'summary': 'IPA server version %s. API version %s'
                              % (RELEASE, API_VERSION)},
        'error': None, 'id': 7, 'principal': 'admin@EXAMPLE.TEST',
        'version': RELEASE}


def test_method_name_with_version_suffix_is_accepted(ipa):
    envelope = ipa.call('ping/1')
    assert envelope['error'] is None
    assert envelope['result']['summary'].startswith('IPA server version')


def test_id_is_echoed_and_null_when_absent(ipa):
    body = json.dumps({'method': 'ping',
                       'params': [[], {'version': API_VERSION}]})
    response = _post_json_body(ipa, body)
    assert response.status_code == 200
    assert response.json()['id'] is None
    assert ipa.rpc('ping', request_id='abc-1').json()['id'] == 'abc-1'


def test_principal_is_the_logged_in_user(sim, anon):
    sim.admin.add_user('alice', 'alice-secret-1')
    anon.login('alice', 'alice-secret-1')
    envelope = anon.call('ping')
    assert envelope['principal'] == 'alice@EXAMPLE.TEST'


# Section 2, version option.

def test_missing_version_adds_version_missing_warning(ipa):
    response = ipa.rpc('ping', version=None)
    assert response.status_code == 200
    envelope = response.json()
    assert envelope['error'] is None
    assert envelope['result']['messages'] == [{
        'type': 'warning', 'name': 'VersionMissing', 'code': 13001,
        'message': "API Version number was not sent, forward compatibility "
                   "not guaranteed. Assuming server's API version, %s"
                   % API_VERSION,
        'data': {'server_version': API_VERSION}}]


def test_newer_minor_version_is_accepted(ipa):
    response = ipa.rpc('ping', version='2.999')
    envelope = response.json()
    assert envelope['error'] is None
    assert 'messages' not in envelope['result']


@pytest.mark.parametrize('version', ['3.0', '1.254', 'not-a-version'])
def test_other_major_or_bad_version_is_version_error(sim, ipa, version):
    envelope = ipa.rpc('ping', version=version).json()
    assert envelope['result'] is None
    error = envelope['error']
    assert error['code'] == 901
    assert error['name'] == 'VersionError'
    assert error['message'] == (
        "%s client incompatible with %s server at 'https://%s/ipa/xml'"
        % (version, API_VERSION, sim.server_name))


# Section 2, request errors (all HTTP 200, JSON).

def test_unknown_command_is_command_error(ipa):
    error = ipa.error('no_such_command')
    assert error == {'code': 905, 'name': 'CommandError',
                     'message': "unknown command 'no_such_command'",
                     'data': {'name': 'no_such_command'}}


@pytest.mark.parametrize('body,detail', [
    ({'method': 'ping'}, 'Request is missing "params"'),
    ({'method': 'ping', 'params': [[]]},
     'params must contain [args, options]'),
    ({'method': 'ping', 'params': [[], {}, {}]},
     'params must contain [args, options]'),
    ({'method': 'ping', 'params': ['x', {}]},
     'params[0] (aka args) must be a list'),
])
def test_malformed_params_are_json_error(ipa, body, detail):
    response = _post_json_body(ipa, json.dumps(body))
    assert response.status_code == 200
    assert response.headers['Content-Type'] == JSON_TYPE
    envelope = response.json()
    assert envelope['result'] is None
    assert envelope['error'] == {
        'code': 909, 'name': 'JSONError',
        'message': 'Invalid JSON-RPC request: %s' % detail,
        'data': {'error': detail}}


def test_too_many_arguments_is_max_argument_error(ipa):
    error = ipa.error('ping', 'extra')
    assert (error['code'], error['name']) == (3004, 'MaxArgumentError')


def test_unknown_option_is_option_error(ipa):
    error = ipa.error('ping', bogus=True)
    assert (error['code'], error['name']) == (3005, 'OptionError')
    assert error['message'] == 'Unknown option: bogus'


@pytest.mark.parametrize('method,content_type', [
    ('GET', None), ('POST', 'text/plain')])
def test_non_json_request_is_command_error_session_json(
        ipa, method, content_type):
    # Section 1: "a non-JSON Content-Type or GET -> simple_unmarshal treats
    # the name as session/json -> JSON error 905".
    headers = {'Referer': ipa.sim.referer}
    if content_type:
        headers['Content-Type'] = content_type
    response = ipa.http.request(
        method, ipa.sim.url + '/session/json', headers=headers,
        data='{"method": "ping", "params": [[], {}]}' if content_type
        else None, verify=ipa.sim.ca_file, timeout=30)
    assert response.status_code == 200
    envelope = response.json()
    assert envelope['result'] is None
    assert envelope['error']['code'] == 905
    assert envelope['error']['name'] == 'CommandError'
    assert envelope['error']['message'] == "unknown command 'session/json'"


# Section 1, login_password.

def test_login_success_is_200_empty_body_and_session_cookie(anon):
    response = anon.post('/session/login_password', data={
        'user': 'admin', 'password': anon.sim.admin_password})
    assert response.status_code == 200
    assert response.content == b''
    cookie = response.headers['Set-Cookie']
    assert cookie.startswith('ipa_session=')
    attributes = [a.strip().lower() for a in cookie.split(';')[1:]]
    for attribute in COOKIE_ATTRIBUTES:
        assert attribute in attributes
    # SessionMaxAge is commented out: no Expires, no Max-Age.
    assert not any(a.startswith(('expires', 'max-age'))
                   for a in attributes)
    assert anon.call('ping')['error'] is None


def test_login_wrong_password_is_401_invalid_password(anon):
    response = anon.post('/session/login_password', data={
        'user': 'admin', 'password': 'wrong-password'})
    assert response.status_code == 401
    assert _is_html(response)
    assert response.headers['X-IPA-Rejection-Reason'] == 'invalid-password'
    assert 'Set-Cookie' not in response.headers


def test_login_unknown_user_is_401_invalid_password(anon):
    response = anon.post('/session/login_password', data={
        'user': 'nobody', 'password': 'whatever'})
    assert response.status_code == 401
    assert response.headers['X-IPA-Rejection-Reason'] == 'invalid-password'


def test_login_malformed_principal_is_401_denied(anon):
    response = anon.post('/session/login_password', data={
        'user': 'a@b@EXAMPLE.TEST', 'password': 'whatever'})
    assert response.status_code == 401
    assert response.headers['X-IPA-Rejection-Reason'] == 'denied'


def test_login_without_referer_is_400_denied_html(anon):
    response = anon.post('/session/login_password', referer=None, data={
        'user': 'admin', 'password': anon.sim.admin_password})
    assert response.status_code == 400
    assert _is_html(response)
    assert 'denied' in response.text
    assert 'Set-Cookie' not in response.headers


def test_login_with_foreign_referer_is_400(anon):
    response = anon.post('/session/login_password',
                         referer='https://evil.example/ipa', data={
                             'user': 'admin',
                             'password': anon.sim.admin_password})
    assert response.status_code == 400
    assert 'denied' in response.text


def test_login_with_json_content_type_is_400(anon):
    response = anon.post('/session/login_password', json={
        'user': 'admin', 'password': anon.sim.admin_password})
    assert response.status_code == 400
    assert ('Content-Type must be application/x-www-form-urlencoded'
            in response.text)


def test_login_with_get_is_400(anon):
    response = anon.http.get(
        anon.sim.url + '/session/login_password',
        headers={'Referer': anon.sim.referer,
                 'Content-Type': 'application/x-www-form-urlencoded'},
        verify=anon.sim.ca_file, timeout=30)
    assert response.status_code == 400
    assert 'HTTP request method must be POST' in response.text


@pytest.mark.parametrize('body,detail', [
    ('password=x', 'no user specified'),
    ('user=admin', 'no password specified'),
    ('user=admin&password=x&password=y',
     'more than one password parameter'),
])
def test_login_bad_fields_are_400(anon, body, detail):
    response = anon.post(
        '/session/login_password', data=body,
        headers={'Content-Type': 'application/x-www-form-urlencoded'})
    assert response.status_code == 400
    assert detail in response.text


def test_login_kerberos_without_negotiate_is_401(anon):
    response = anon.post('/session/login_kerberos')
    assert response.status_code == 401
    assert response.headers['WWW-Authenticate'] == 'Negotiate'
    assert 'Set-Cookie' not in response.headers


# Section 1, missing or expired session on /ipa/session/json.

def test_no_session_is_401_negotiate_html(anon):
    response = anon.rpc('ping')
    assert response.status_code == 401
    assert response.headers['WWW-Authenticate'] == 'Negotiate'
    assert _is_html(response)
    with pytest.raises(ValueError):
        response.json()


def test_no_session_and_no_referer_is_401(anon):
    # Apache authentication runs before the Referer check.
    assert anon.rpc('ping', referer=None).status_code == 401


def test_unknown_session_cookie_is_401(anon):
    response = anon.rpc('ping', headers={
        'Cookie': 'ipa_session=MagBearerToken=not-a-session'})
    assert response.status_code == 401
    assert response.headers['WWW-Authenticate'] == 'Negotiate'


def test_expired_session_is_401(sim, ipa):
    assert ipa.rpc('ping').status_code == 200
    sim.admin.expire_sessions()
    response = ipa.rpc('ping')
    assert response.status_code == 401
    assert response.headers['WWW-Authenticate'] == 'Negotiate'


@pytest.mark.parametrize('referer', [None, 'https://evil.example/ipa'])
def test_session_with_bad_referer_is_400_denied(ipa, referer):
    response = ipa.rpc('ping', referer=referer)
    assert response.status_code == 400
    assert _is_html(response)
    assert 'denied' in response.text


def test_session_logout_clears_the_session(ipa):
    response = ipa.rpc('session_logout')
    assert response.status_code == 200
    envelope = response.json()
    assert envelope['error'] is None
    assert envelope['result'] == {'result': None}
    assert response.headers['IPASESSION'] == 'MagBearerToken='
    assert ipa.rpc('ping').status_code == 401


def test_other_sessions_survive_a_logout(sim, ipa):
    other = RawIPA(sim)
    other.login()
    try:
        ipa.result('session_logout')
        assert other.rpc('ping').status_code == 200
    finally:
        other.http.close()


def test_there_is_no_logout_path(ipa):
    # Section 1: "There is no /ipa/session/logout handler; unknown paths
    # under /ipa return 404 HTML."
    response = ipa.post('/session/logout')
    assert response.status_code == 404
    assert _is_html(response)
    assert ipa.rpc('ping').status_code == 200

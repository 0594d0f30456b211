"""Behaviour of the API pipeline (noauth variant) with a fake enroller."""

import io
import json
import logging
import time
import types

import pytest
import webob

from novajoin.api import deploy
from novajoin.api import warm_up
from novajoin import exception
from novajoin.policies import enforcer as policy
from tests.unit.api import conftest
from tests.unit.ipa import fakes


def post(app, body, path='/v1', **kwargs):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = webob.Request.blank(path, method='POST', body=raw,
                              content_type='application/json', **kwargs)
    return req.get_response(app)


def assert_json_error(response, status):
    assert response.status_int == status
    assert response.content_type == 'application/json'
    error = response.json_body['error']
    assert error['code'] == status
    assert error['message']
    assert error['request_id'].startswith('req-')
    assert error['request_id'] == response.headers['X-OpenStack-Request-ID']
    return error


@pytest.mark.parametrize('path', ['/v1', '/v1/'])
def test_vendordata_request_returns_enrollment_body(app, enroller, path):
    response = post(app, conftest.vendordata_body(), path=path)
    assert response.status_int == 200
    assert response.json_body == enroller.outcome.body
    assert response.cache_control.no_store
    (request, deadline), = enroller.calls
    assert request.instance_id == conftest.INSTANCE_ID
    assert request.hostname == 'vm1'
    assert request.metadata == {'ipa_enroll': 'True'}
    assert request.boot_roles == ['member', 'reader']


def test_deadline_is_request_budget_from_arrival(conf, app, enroller):
    conf.set_override('request_budget', 2.5, group='api')
    post(app, conftest.vendordata_body())
    (_, deadline), = enroller.calls
    assert 0 < deadline - time.monotonic() <= 2.5


def test_not_requested_answers_empty_object(app, enroller):
    enroller.outcome = conftest.enrollment_result(
        decision='not-requested', body={}, fqdn=None, ipa_calls=0)
    response = post(app, conftest.vendordata_body(metadata={}))
    assert response.status_int == 200
    assert response.json_body == {}


def test_versions_document_lists_v1(app):
    response = webob.Request.blank('/').get_response(app)
    assert response.status_int == 200
    (version,) = response.json_body['versions']
    assert version['id'] == 'v1'
    assert version['links'][0]['href'].endswith('/v1')


def test_healthcheck_needs_nothing(app):
    response = webob.Request.blank('/healthcheck').get_response(app)
    assert response.status_int == 200


@pytest.mark.parametrize('method,path,allow', [
    ('GET', '/v1', 'POST'),
    ('PUT', '/v1/', 'POST'),
    ('DELETE', '/v1', 'POST'),
    ('POST', '/', 'GET'),
])
def test_wrong_method_is_405_with_allow(app, method, path, allow):
    response = webob.Request.blank(path, method=method).get_response(app)
    assert_json_error(response, 405)
    assert response.headers['Allow'] == allow


@pytest.mark.parametrize('path', ['/v2', '/v1/extra', '/nothing'])
def test_unknown_path_is_json_404(app, path):
    response = webob.Request.blank(path, method='POST').get_response(app)
    assert_json_error(response, 404)


BAD_BODIES = [
    (b'', 'needs a JSON body'),
    (b'not json', 'not JSON'),
    (b'\xff\xfe{}', 'not UTF-8'),
    (b'[1, 2]', 'must be of type object'),
    (b'"text"', 'must be of type object'),
    (b'null', 'must be of type object'),
    (b'[' * 5000 + b']' * 5000, 'nests too deeply'),
    (json.dumps({'instance-id': conftest.INSTANCE_ID}).encode(),
     "missing required key 'hostname'"),
    (json.dumps({'hostname': 'vm1'}).encode(),
     "missing required key 'instance-id'"),
    (json.dumps(conftest.vendordata_body(hostname=7)).encode(),
     "body['hostname']: must be of type string"),
    (json.dumps(conftest.vendordata_body(hostname='')).encode(),
     "body['hostname']: length must be at least 1"),
    (json.dumps(conftest.vendordata_body(
        **{'instance-id': 'x' * 30})).encode(),
     "body['instance-id']: must be a UUID"),
    (json.dumps(conftest.vendordata_body(metadata=[])).encode(),
     "body['metadata']: must be of type object or null"),
    (json.dumps(conftest.vendordata_body(
        metadata={'ipa_enroll': True})).encode(),
     "body['metadata']['ipa_enroll']: must be of type string"),
    (json.dumps(conftest.vendordata_body(
        metadata={'k': [[[[[]]]]]})).encode(),
     "body['metadata']['k']: must be of type string"),
    (json.dumps(conftest.vendordata_body(**{'boot-roles': ['a']})).encode(),
     "body['boot-roles']: must be of type string or null"),
]


@pytest.mark.parametrize('raw,message', BAD_BODIES)
def test_bad_body_is_400_naming_the_problem(app, enroller, raw, message):
    response = post(app, raw)
    error = assert_json_error(response, 400)
    assert message in error['message']
    assert enroller.calls == []


def test_error_message_does_not_echo_large_values(app):
    response = post(app, conftest.vendordata_body(hostname=['x' * 1000]))
    error = assert_json_error(response, 400)
    assert 'xxxx' not in error['message']


def test_declared_body_over_limit_is_413_before_reading(app, enroller):
    req = webob.Request.blank('/v1', method='POST',
                              content_type='application/json')
    req.environ['CONTENT_LENGTH'] = str(64 * 1024 + 1)
    req.environ['wsgi.input'] = io.BytesIO(b'')
    assert_json_error(req.get_response(app), 413)
    assert enroller.calls == []


def test_chunked_body_over_limit_is_413(app, enroller):
    raw = json.dumps(conftest.vendordata_body(
        **{'user-data': 'A' * (64 * 1024)})).encode()
    req = webob.Request.blank('/v1', method='POST',
                              content_type='application/json')
    req.environ.pop('CONTENT_LENGTH', None)
    req.environ['HTTP_TRANSFER_ENCODING'] = 'chunked'
    req.environ['wsgi.input'] = io.BytesIO(raw)
    assert_json_error(req.get_response(app), 413)
    assert enroller.calls == []


def test_chunked_body_under_limit_is_served(app, enroller):
    raw = json.dumps(conftest.vendordata_body()).encode()
    req = webob.Request.blank('/v1', method='POST',
                              content_type='application/json')
    req.environ.pop('CONTENT_LENGTH', None)
    req.environ['HTTP_TRANSFER_ENCODING'] = 'chunked'
    req.environ['wsgi.input'] = io.BytesIO(raw)
    assert req.get_response(app).status_int == 200


def test_body_at_limit_is_accepted(app, enroller):
    body = conftest.vendordata_body()
    filler = 64 * 1024 - len(json.dumps(dict(body, **{'user-data': ''})))
    body['user-data'] = 'A' * filler
    raw = json.dumps(body).encode()
    assert len(raw) == 64 * 1024
    assert post(app, raw).status_int == 200


@pytest.mark.parametrize('error,status', [
    (exception.InvalidRequest('hostname label too long'), 400),
    (exception.InvalidHostname('label "-x" starts with a hyphen'), 400),
    (exception.HostOwnedByOther('vm1.example.test',
                                'belongs to another instance'), 403),
    (exception.HostClassNotAllowed('db', 'demo'), 403),
])
def test_enrollment_refusals_map_to_http(app, enroller, error, status):
    enroller.outcome = error
    response = post(app, conftest.vendordata_body())
    assert assert_json_error(response, status)['message'] == error.message


def test_enrollment_unavailable_is_503_with_retry_after(app, enroller):
    enroller.outcome = exception.EnrollmentUnavailable(
        'IPA is not reachable', retry_after=7)
    response = post(app, conftest.vendordata_body())
    assert_json_error(response, 503)
    assert response.headers['Retry-After'] == '7'


def test_unexpected_error_is_json_500_without_traceback(app, enroller):
    enroller.outcome = KeyError('internal detail')
    response = post(app, conftest.vendordata_body())
    assert_json_error(response, 500)
    assert 'internal detail' not in response.text
    assert 'Traceback' not in response.text


def test_one_log_line_per_request_without_otp(app, enroller, caplog):
    caplog.set_level(logging.INFO, logger='novajoin')
    post(app, conftest.vendordata_body())
    lines = [r.getMessage() for r in caplog.records
             if 'decision=' in r.getMessage()]
    assert len(lines) == 1
    line = lines[0]
    assert 'instance=%s' % conftest.INSTANCE_ID in line
    assert 'fqdn=vm1.example.test' in line
    assert 'decision=created' in line
    assert 'ipa_calls=2' in line
    assert 'duration_ms=' in line
    assert 'request=req-' in line
    assert 'secret-otp-value' not in caplog.text


def test_refusal_is_logged_with_its_decision(app, enroller, caplog):
    caplog.set_level(logging.INFO, logger='novajoin')
    enroller.outcome = exception.HostOwnedByOther(
        'vm1.example.test', 'was not created by novajoin', ipa_calls=1)
    post(app, conftest.vendordata_body())
    (line,) = [r.getMessage() for r in caplog.records
               if 'decision=' in r.getMessage()]
    assert 'decision=refused' in line
    assert 'status=403' in line
    assert 'ipa_calls=1' in line


@pytest.fixture
def refusing_app(enroller, tmp_path):
    policy_file = tmp_path / 'policy.yaml'
    policy_file.write_text('"join:create": "!"\n')
    config_file = tmp_path / 'join.conf'
    config_file.write_text('[DEFAULT]\nauth_strategy = noauth\n'
                           'api_paste_config = %s\n[oslo_policy]\n'
                           'policy_file = %s\n'
                           % (conftest.PASTE_FILE, policy_file))
    conf = deploy.load_conf([], default_config_files=[str(config_file)])
    services = deploy.APIServices(conf, policy.build_enforcer(conf),
                                  enroller)
    return deploy.load_app(conf, services=services)


def _request_line(caplog):
    (line,) = [r.getMessage() for r in caplog.records
               if 'decision=' in r.getMessage()]
    return line


def test_policy_refusal_logs_the_instance_and_enrolls_nothing(
        refusing_app, enroller, caplog):
    caplog.set_level(logging.INFO, logger='novajoin')
    response = post(refusing_app, conftest.vendordata_body())
    assert_json_error(response, 403)
    line = _request_line(caplog)
    assert 'instance=%s' % conftest.INSTANCE_ID in line
    assert 'decision=refused' in line and 'status=403' in line
    assert enroller.calls == []


@pytest.mark.parametrize('raw', [
    b'not json', b'[]', json.dumps({'instance-id': 'x\nforged=1'}).encode(),
    b'{"instance-id": ' + b'"a" ' * 10 + b'}'])
def test_policy_refusal_with_a_bad_body_is_still_403(refusing_app, enroller,
                                                     caplog, raw):
    caplog.set_level(logging.INFO, logger='novajoin')
    assert_json_error(post(refusing_app, raw), 403)
    assert 'instance=None' in _request_line(caplog)
    assert enroller.calls == []


def test_declared_body_over_limit_is_read_and_dropped_before_413(app,
                                                                 enroller):
    # So that a runner closing the connection does not reset it before
    # the client has the 413 (uWSGI without post-buffering).
    raw = b'A' * 70000
    req = webob.Request.blank('/v1', method='POST',
                              content_type='application/json')
    req.environ['CONTENT_LENGTH'] = str(len(raw))
    stream = io.BytesIO(raw)
    req.environ['wsgi.input'] = stream
    assert_json_error(req.get_response(app), 413)
    assert stream.tell() == len(raw)
    assert enroller.calls == []


def test_declared_body_over_one_mib_is_not_read(app, enroller):
    req = webob.Request.blank('/v1', method='POST',
                              content_type='application/json')
    req.environ['CONTENT_LENGTH'] = str(2 * 1024 * 1024)
    stream = io.BytesIO(b'A' * 1024)
    req.environ['wsgi.input'] = stream
    assert_json_error(req.get_response(app), 413)
    assert stream.tell() == 0


@pytest.mark.parametrize('api_port_path,status', [(False, 404), (True, 200)])
def test_metrics_on_the_api_port_need_api_port_path(conf, enroller,
                                                    api_port_path, status):
    conf.set_override('enabled', True, group='metrics')
    conf.set_override('api_port_path', api_port_path, group='metrics')
    services = deploy.APIServices(conf, policy.build_enforcer(conf),
                                  enroller)
    app = deploy.load_app(conf, services=services)
    response = webob.Request.blank('/metrics').get_response(app)
    assert response.status_int == status


def test_the_pipeline_hands_its_logins_to_the_warm_up(conf, enroller):
    conf.set_override('auth_strategy', 'keystone')
    conf.set_override('www_authenticate_uri', 'https://keystone.test/v3',
                      group='keystone_authtoken')
    session = types.SimpleNamespace(get_token=lambda: 'token', auth=object())
    ipa = fakes.make_client(fakes.FakeIPA(),
                            servers=[fakes.SERVER, fakes.SERVER2])
    services = deploy.APIServices(conf, policy.build_enforcer(conf),
                                  enroller, ipa=ipa, session=session)
    logins = warm_up.WarmUp()

    deploy.load_app(conf, services=services, warm_up=logins)

    assert sorted(logins.names) == [
        'IPA login to %s' % fakes.SERVER, 'IPA login to %s' % fakes.SERVER2,
        'Keystone login with [keystone_authtoken]',
        'Keystone login with [service_credentials] and a first Glance '
        'request']


def test_no_keystone_login_at_start_without_service_credentials(conf,
                                                                enroller):
    session = types.SimpleNamespace(get_token=lambda: 'token', auth=None)
    services = deploy.APIServices(conf, policy.build_enforcer(conf),
                                  enroller, session=session)
    logins = warm_up.WarmUp()

    deploy.load_app(conf, services=services, warm_up=logins)

    assert logins.names == []

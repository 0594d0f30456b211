"""The join:create rule and the context built from keystonemiddleware."""

import pytest
import webob

from novajoin.api import context
from novajoin.api import context_middleware
from novajoin import deploy
from novajoin import policies
from novajoin.policies import join
from novajoin import policy


def _context(user_name, project_name, roles):
    return context.RequestContext(user_id='u', user_name=user_name,
                                  project_id='p', project_name=project_name,
                                  roles=roles)


@pytest.mark.parametrize('user,project,roles,allowed', [
    ('nova', 'service', ['member'], True),
    ('someone', 'other', ['service'], True),
    ('nova', 'demo', ['member'], False),
    ('demo', 'service', ['member'], False),
    ('admin', 'admin', ['admin', 'member'], False),
])
def test_default_join_create_rule(conf, user, project, roles, allowed):
    enforcer = policy.build_enforcer(conf)
    assert enforcer.authorize(
        join.CREATE, {}, _context(user, project, roles)) is allowed


def test_rule_is_documented_for_the_sample_generator():
    (rule,) = [r for r in policies.list_rules() if r.name == join.CREATE]
    assert rule.check_str == (
        '(user_name:nova and project_name:service) or role:service')
    assert rule.operations == [{'method': 'POST', 'path': '/v1'}]


def test_policy_file_overrides_default(tmp_path):
    policy_file = tmp_path / 'policy.yaml'
    policy_file.write_text('"join:create": "role:enroller"\n')
    config_file = tmp_path / 'join.conf'
    config_file.write_text('[oslo_policy]\npolicy_file = %s\n' % policy_file)
    conf = deploy.load_conf([], default_config_files=[str(config_file)])
    enforcer = policy.build_enforcer(conf)
    assert not enforcer.authorize(
        join.CREATE, {}, _context('nova', 'service', ['service']))
    assert enforcer.authorize(
        join.CREATE, {}, _context('x', 'y', ['enroller']))


def test_context_filter_reads_keystonemiddleware_headers():
    seen = {}

    def app(environ, start_response):
        seen['context'] = context_middleware.context_of(environ)
        return webob.Response()(environ, start_response)

    middleware = context_middleware.filter_factory({})(app)
    req = webob.Request.blank('/v1', headers={
        'X-Identity-Status': 'Confirmed',
        'X-User-Id': 'uid', 'X-User-Name': 'nova',
        'X-Project-Id': 'pid', 'X-Project-Name': 'service',
        'X-Roles': 'member,service'})
    req.get_response(middleware)
    values = seen['context'].to_policy_values()
    assert values['user_name'] == 'nova'
    assert values['project_name'] == 'service'
    assert values['roles'] == ['member', 'service']


@pytest.mark.parametrize('identity_status', [None, 'Invalid'])
def test_context_filter_answers_401_without_validated_token(identity_status):
    def app(environ, start_response):
        raise AssertionError('reached the application')

    middleware = context_middleware.filter_factory({})(app)
    headers = {'X-User-Name': 'nova', 'X-Roles': 'service'}
    if identity_status:
        headers['X-Identity-Status'] = identity_status
    response = webob.Request.blank('/v1', headers=headers).get_response(
        middleware)
    assert response.status_int == 401
    assert response.json_body['error']['message'].startswith(
        'Authentication required')


def test_get_enforcer_reads_config_file_from_oslopolicy_arguments(
        tmp_path, monkeypatch):
    policy_file = tmp_path / 'policy.yaml'
    policy_file.write_text('"join:create": "role:enroller"\n')
    config_file = tmp_path / 'join.conf'
    config_file.write_text('[oslo_policy]\npolicy_file = %s\n' % policy_file)
    monkeypatch.setattr('sys.argv', [
        'oslopolicy-checker', '--namespace', 'novajoin',
        '--config-file', str(config_file), '--rule', 'join:create'])
    enforcer = policy.get_enforcer()
    assert enforcer.authorize(
        join.CREATE, {}, _context('x', 'y', ['enroller']))

"""The join:create rule and the context built from keystonemiddleware."""

import pytest
import webob

from novajoin.api import context
from novajoin.api import context_middleware
from novajoin.api import deploy
from novajoin import policies
from novajoin.policies import enforcer as policy
from novajoin.policies import join


def _context(user_name, project_name, roles, user_domain='default',
             project_domain='default'):
    return context.RequestContext(user_id='u', user_name=user_name,
                                  project_id='p', project_name=project_name,
                                  user_domain_id=user_domain,
                                  project_domain_id=project_domain,
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


@pytest.mark.parametrize('user_domain,project_domain', [
    ('d2', 'd2'), ('d2', 'default'), ('default', 'd2')])
def test_nova_and_service_of_another_domain_are_refused(
        conf, user_domain, project_domain):
    enforcer = policy.build_enforcer(conf)
    impostor = _context('nova', 'service', ['member'],
                        user_domain=user_domain,
                        project_domain=project_domain)
    assert not enforcer.authorize(join.CREATE, {}, impostor)


def test_nova_service_user_rule_can_name_another_domain(tmp_path):
    policy_file = tmp_path / 'policy.yaml'
    policy_file.write_text(
        '"nova_service_user": "user_name:nova and user_domain_id:svc and '
        'project_name:service and project_domain_id:svc"\n')
    config_file = tmp_path / 'join.conf'
    config_file.write_text('[oslo_policy]\npolicy_file = %s\n' % policy_file)
    conf = deploy.load_conf([], default_config_files=[str(config_file)])
    enforcer = policy.build_enforcer(conf)
    assert enforcer.authorize(join.CREATE, {}, _context(
        'nova', 'service', ['member'], user_domain='svc',
        project_domain='svc'))
    assert not enforcer.authorize(
        join.CREATE, {}, _context('nova', 'service', ['member']))


def test_rules_are_documented_for_the_sample_generator():
    rules = {rule.name: rule for rule in policies.list_rules()}
    assert rules['join:create'].check_str == (
        'rule:nova_service_user or role:service')
    assert rules['join:create'].operations == [
        {'method': 'POST', 'path': '/v1'}]
    assert rules['nova_service_user'].check_str == (
        'user_name:nova and user_domain_id:default and '
        'project_name:service and project_domain_id:default')


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
        'X-User-Domain-Id': 'default',
        'X-Project-Id': 'pid', 'X-Project-Name': 'service',
        'X-Project-Domain-Id': 'default',
        'X-Roles': 'member,service'})
    req.get_response(middleware)
    values = seen['context'].to_policy_values()
    assert values['user_name'] == 'nova'
    assert values['project_name'] == 'service'
    assert values['user_domain_id'] == 'default'
    assert values['project_domain_id'] == 'default'
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

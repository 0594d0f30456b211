"""The Keystone fixture issues the tokens the other suites rely on."""

from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
from oslo_config import cfg
import pytest
import requests

from novajoin.conf import service_credentials


def _role_names(token_body):
    return sorted(role['name'] for role in token_body['roles'])


@pytest.mark.parametrize('name,project,roles', [
    ('nova', 'service', ['member']),
    ('service_role', 'service', ['service']),
    ('demo', 'demo', ['member']),
    ('novajoin', 'service', ['admin', 'service']),
])
def test_each_user_gets_a_token_scoped_to_its_project(ks, name, project,
                                                      roles):
    body = ks.validate_token(ks.token_for(name))

    assert body['user']['name'] == name
    assert body['project']['name'] == project
    assert body['project']['id'] == ks.users[name].project_id
    # Keystone adds the roles that admin and member imply.
    assert set(roles) <= set(_role_names(body))


def test_demo_user_has_no_service_or_admin_role(ks):
    body = ks.validate_token(ks.token_for('demo'))

    assert not {'service', 'admin'} & set(_role_names(body))


def test_keystone_is_served_over_tls_with_the_test_ca(ks, test_ca):
    assert ks.auth_url.startswith('https://127.0.0.1:')
    assert ks.ca_file == test_ca.ca_file
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(ks.auth_url, timeout=5)
    assert requests.get(ks.auth_url, verify=ks.ca_file,
                        timeout=5).status_code == 200


def test_wrong_password_is_refused(ks):
    auth = v3.Password(auth_url=ks.auth_url, username='nova',
                       password='not-the-password', project_name='service',
                       user_domain_name='Default',
                       project_domain_name='Default')
    sess = ks_session.Session(auth=auth, verify=ks.ca_file)

    with pytest.raises(ks_exceptions.Unauthorized):
        sess.get_token()


def test_revoked_token_no_longer_validates(ks):
    token = ks.token_for('demo')
    assert ks.validate_token(token) is not None

    ks.revoke_token(token)

    assert ks.validate_token(token) is None


def test_made_up_token_does_not_validate(ks):
    assert ks.validate_token('gAAAAAnot-a-fernet-token') is None


def test_service_credentials_conf_loads_in_novajoin_config(ks, tmp_path):
    lines = ['[service_credentials]']
    lines += ['%s = %s' % item for item in
              ks.service_credentials_conf().items()]
    config_file = tmp_path / 'join.conf'
    config_file.write_text('\n'.join(lines) + '\n')
    conf = cfg.ConfigOpts()
    service_credentials.register_opts(conf)
    conf([], project='novajoin', default_config_files=[str(config_file)])

    sess = service_credentials.load_session(conf)
    body = ks.validate_token(sess.get_token())

    assert body['user']['name'] == 'novajoin'
    assert {'admin', 'service'} <= set(_role_names(body))


def test_registered_service_appears_in_the_catalog_once(ks):
    ks.register_service('infra-test', 'first', 'https://127.0.0.1:1/first')
    ks.register_service('infra-test', 'second', 'https://127.0.0.1:1/second')

    sess = ks.session_for('demo')
    url = sess.get_endpoint(service_type='infra-test', interface='internal',
                            region_name='RegionOne')

    assert url == 'https://127.0.0.1:1/second'

"""[ipa] options and how the client is built from them."""

from oslo_config import cfg
import pytest

from novajoin import conf as novajoin_conf
from novajoin.conf import ipa as ipa_conf
from novajoin.ipa import auth
from novajoin.ipa import client as ipa_client
from novajoin.ipa import deployment
from novajoin.ipa import errors as ipa_errors

CLIENT_CONF = """\
[global]
basedn = dc=example,dc=test
realm = EXAMPLE.TEST
domain = example.test
server = ipa1.example.test
xmlrpc_uri = https://ipa1.example.test/ipa/xml
"""


def load(tmp_path, text, client_conf=None):
    path = tmp_path / 'join.conf'
    default_conf = tmp_path / 'default.conf'
    if client_conf is not None:
        default_conf.write_text(client_conf)
    path.write_text('[ipa]\ndefault_conf_file = %s\n' % default_conf + text)
    conf = cfg.ConfigOpts()
    novajoin_conf.register_opts(conf)
    conf(['--config-file', str(path)])
    return conf


def test_every_ipa_option_is_listed_for_the_sample_with_help():
    listed = dict(novajoin_conf.list_opts())['ipa']
    names = {opt.name for opt in listed}

    assert names >= {'servers', 'ca_file', 'realm', 'domain', 'api_version',
                     'timeout', 'connect_retries',
                     'max_connections_per_server', 'auth_method', 'keytab',
                     'principal', 'user',
                     'password', 'default_conf_file', 'retry_backoff'}
    assert all(opt.help for opt in listed)
    assert {opt.name for opt in listed if opt.secret} == {'password'}


def test_defaults(tmp_path):
    conf = load(tmp_path, '')

    assert conf.ipa.ca_file == '/etc/ipa/ca.crt'
    assert conf.ipa.auth_method == 'kerberos'
    assert conf.ipa.timeout < 5.0
    assert conf.ipa.keytab == '/etc/novajoin/krb5.keytab'


def test_novajoin_1_3_names_in_default_section_still_work(tmp_path):
    path = tmp_path / 'join.conf'
    path.write_text('[DEFAULT]\nkeytab = /etc/nova/krb5.keytab\n'
                    'connect_retries = 5\n')
    conf = cfg.ConfigOpts()
    ipa_conf.register_opts(conf)
    conf(['--config-file', str(path)])

    assert conf.ipa.keytab == '/etc/nova/krb5.keytab'
    assert conf.ipa.connect_retries == 5


def test_realm_domain_and_server_come_from_ipa_client_conf(tmp_path):
    conf = load(tmp_path, 'auth_method = password\nuser = admin\n'
                          'password = pw\n', CLIENT_CONF)

    ipa = ipa_client.IPAClient.from_conf(conf)
    try:
        assert ipa.realm == 'EXAMPLE.TEST'
        assert ipa.domain == 'example.test'
        assert ipa.transport.servers == [
            deployment.Server('ipa1.example.test', 443)]
    finally:
        ipa.close()


def test_ipa_group_overrides_ipa_client_conf(tmp_path):
    conf = load(tmp_path, 'servers = a.other.test:8443, b.other.test\n'
                          'realm = OTHER.TEST\ndomain = Other.Test.\n'
                          'max_connections_per_server = 3\n'
                          'connect_retries = 0\n',
                CLIENT_CONF)

    ipa = ipa_client.IPAClient.from_conf(conf)
    try:
        assert (ipa.realm, ipa.domain) == ('OTHER.TEST', 'other.test')
        transport = ipa.transport
        assert [s.base_url for s in transport.servers] == [
            'https://a.other.test:8443/ipa', 'https://b.other.test/ipa']
        assert transport.max_connections == 3
        assert transport.max_attempts == 1
        assert isinstance(transport._sessions._authenticator,
                          auth.KerberosLogin)
    finally:
        ipa.close()


def test_missing_realm_and_no_client_conf_is_a_clear_error(tmp_path):
    conf = load(tmp_path, 'servers = ipa1.example.test\n')

    with pytest.raises(ipa_errors.IPAConfigurationError,
                       match='realm, domain.*default.conf'):
        ipa_client.IPAClient.from_conf(conf)


@pytest.mark.parametrize('text', ['ipa1.example.test:http', 'https://x/ipa',
                                  ':443'])
def test_malformed_server_is_rejected(text):
    with pytest.raises(ipa_errors.IPAConfigurationError, match='host'):
        deployment.Server.parse(text)


def test_ipv6_server_literal():
    server = deployment.Server.parse('[2001:db8::1]:8443')

    assert server.base_url == 'https://[2001:db8::1]:8443/ipa'


def test_password_auth_without_password_is_a_clear_error(tmp_path):
    conf = load(tmp_path, 'auth_method = password\nuser = admin\n',
                CLIENT_CONF)

    with pytest.raises(ipa_errors.IPAConfigurationError,
                       match='password'):
        ipa_client.IPAClient.from_conf(conf)


def test_kerberos_login_with_unreadable_keytab_names_it(tmp_path):
    login = auth.KerberosLogin(str(tmp_path / 'missing.keytab'),
                               'nova/c.example.test@EXAMPLE.TEST')

    def post(url, **kwargs):
        raise AssertionError('must not contact IPA')

    with pytest.raises(ipa_errors.IPAAuthenticationError,
                       match='missing.keytab'):
        login.login(post, 'https://ipa1.example.test/ipa')


def test_unknown_auth_method_is_refused(tmp_path):
    with pytest.raises(cfg.ConfigFileValueError):
        load(tmp_path, 'auth_method = basic\n').ipa.auth_method


def test_server_falls_back_to_the_host_of_xmlrpc_uri(tmp_path):
    client_conf = CLIENT_CONF.replace('server = ipa1.example.test\n', '')
    conf = load(tmp_path, '', client_conf.replace(
        'https://ipa1.example.test/ipa/xml',
        'https://ipa9.example.test:8443/ipa/xml'))

    where = deployment.resolve(conf.ipa)

    assert where.servers == [deployment.Server('ipa9.example.test', 8443)]


def test_the_same_server_twice_is_refused(tmp_path):
    conf = load(tmp_path, 'servers = ipa1.example.test, '
                          'ipa1.example.test:443\n', CLIENT_CONF)

    with pytest.raises(ipa_errors.IPAConfigurationError, match='twice'):
        deployment.resolve(conf.ipa)

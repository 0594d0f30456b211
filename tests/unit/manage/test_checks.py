"""novajoin-manage check's order of checks and skips, with every service
it reaches stubbed where the checks call it."""

import contextlib
import io
import ssl
from unittest import mock

from keystoneauth1 import exceptions as ks_exceptions
import pytest

from novajoin.cmd import manage
from novajoin.ipa import deployment
from novajoin.ipa import errors as ipa_errors
from novajoin.manage import checks

NAMES = ['configuration', 'OTP key', 'IPA reachable, certificate trusted',
         'IPA login', 'IPA permissions', 'Keystone credentials',
         'nova (all projects)', 'RabbitMQ', 'token cache']
SERVER = deployment.Server('ipa1.example.test')
BROKERS = [{'hostname': 'rabbit1', 'port': 5672},
           {'hostname': 'rabbit2', 'port': 5672}]


def _conf():
    conf = mock.Mock(config_file=['/etc/novajoin/join.conf'],
                     transport_url='rabbit://', domain='example.test')
    conf.ipa.auth_method = 'password'
    conf.ipa.timeout = 3
    conf.service_credentials.username = 'novajoin'
    conf.enrollment.otp_key_file = '/etc/novajoin/otp.key'
    conf.keystone_authtoken.memcached_servers = []
    return conf


class World(object):
    """Stubs for what the checks reach; all of it works until told not."""

    def __init__(self):
        self.where = mock.Mock(servers=[SERVER], realm='EXAMPLE.TEST')
        self.ipa = mock.Mock(domain='example.test')
        self.keystone = mock.Mock()
        self.nova = mock.Mock()
        self.broker_failures = set()

    def resolve(self, group):
        if isinstance(self.where, Exception):
            raise self.where
        return self.where

    def connection(self, hostname, port, heartbeat):
        connection = mock.Mock()
        if hostname in self.broker_failures:
            connection.connect.side_effect = OSError('refused')
        return connection

    @contextlib.contextmanager
    def patched(self):
        patches = [
            mock.patch('oslo_messaging.get_notification_transport'),
            mock.patch('novajoin.hosts.otp.OTPKey.from_file'),
            mock.patch('novajoin.ipa.deployment.resolve', self.resolve),
            mock.patch('ssl.create_default_context'),
            mock.patch('socket.create_connection'),
            mock.patch('novajoin.ipa.client.IPAClient.from_conf',
                       return_value=self.ipa),
            mock.patch('novajoin.conf.service_credentials.load_session',
                       return_value=self.keystone),
            mock.patch('novajoin.openstack.nova.client_from_conf',
                       return_value=self.nova),
            mock.patch('novajoin.notify.leader.connection_params',
                       return_value=BROKERS),
            mock.patch('kombu.Connection', self.connection),
        ]
        with contextlib.ExitStack() as stack:
            self.mocks = [stack.enter_context(p) for p in patches]
            yield self


@pytest.fixture
def world():
    with World().patched() as stubs:
        yield stubs


def _run():
    return checks.Checker(_conf(), probe_name='novajoin-check-probe').run()


def _statuses(results):
    return [(r.name, r.status) for r in results]


def test_every_check_passes_in_order(world):
    results = _run()

    assert _statuses(results) == [(name, 'pass') for name in NAMES]
    assert [call[0] for call in world.ipa.method_calls] == [
        'ping', 'host_add', 'host_mod', 'host_del', 'close']
    assert results[4].detail == ('added, set an OTP on and deleted '
                                 'novajoin-check-probe.example.test')
    assert results[7].detail == '2 of 2 broker(s) answer'


def test_unresolvable_ipa_skips_every_ipa_check(world):
    world.where = ipa_errors.IPAConfigurationError('no IPA servers')

    results = _run()

    assert results[0].status == 'FAIL'
    assert results[0].detail == 'no IPA servers'
    assert [(r.status, r.detail) for r in results[2:5]] == [
        ('skipped', 'not run: configuration failed')] * 3
    assert results[5].status == 'pass'


def test_untrusted_certificate_skips_login_and_permissions(world):
    failure = ssl.SSLCertVerificationError('verify failed')
    failure.verify_message = 'unable to get local issuer certificate'
    world.mocks[4].side_effect = failure

    results = _run()

    assert results[2].status == 'FAIL'
    assert results[2].detail == ('ipa1.example.test: certificate not '
                                 'trusted: unable to get local issuer '
                                 'certificate')
    assert [(r.status, r.detail) for r in results[3:5]] == [
        ('skipped', 'not run: IPA reachable failed')] * 2
    assert world.ipa.method_calls == []


def test_refused_login_skips_permissions_and_closes_the_client(world):
    world.ipa.ping.side_effect = ipa_errors.IPAAuthenticationError('no')

    results = _run()

    assert (results[3].status, results[3].fix) == (
        'FAIL', 'check [ipa] user and password')
    assert (results[4].status, results[4].detail) == (
        'skipped', 'not run: IPA login failed')
    world.ipa.close.assert_called_once_with()


def test_refused_one_time_password_still_deletes_the_probe(world):
    world.ipa.host_mod.side_effect = ipa_errors.IPACommandError('denied')

    results = _run()

    assert results[4].status == 'FAIL'
    assert results[4].detail.startswith('host_mod (one-time password) '
                                        'novajoin-check-probe.example.test')
    world.ipa.host_del.assert_called_once_with(
        'novajoin-check-probe.example.test', updatedns=True)


def test_keystone_failure_skips_nova(world):
    world.keystone.get_token.side_effect = ks_exceptions.Unauthorized()

    results = _run()

    assert results[5].status == 'FAIL'
    assert (results[6].status, results[6].detail) == (
        'skipped', 'not run: Keystone credentials failed')
    assert results[7].status == 'pass'


def test_one_broker_answering_is_enough(world):
    world.broker_failures = {'rabbit1'}
    assert _run()[7].detail == '1 of 2 broker(s) answer'
    world.broker_failures = {'rabbit1', 'rabbit2'}
    assert _run()[7].detail == ('rabbit1:5672: OSError: refused; '
                                'rabbit2:5672: OSError: refused')


def test_manage_prints_the_table_and_exits_1_on_a_failure(world):
    world.broker_failures = {'rabbit1', 'rabbit2'}
    out = io.StringIO()

    assert manage.do_check(_conf(), out) == 1
    assert out.getvalue().endswith('8 of 9 checks passed\n')
    assert 'fix: check that RabbitMQ runs' in out.getvalue()


@pytest.mark.parametrize('strategy,secret,status', [
    (None, None, 'FAIL'), ('None', 'k' * 40, 'FAIL'), ('MAC', None, 'FAIL'),
    ('ENCRYPT', 'sh0rt!', 'FAIL'), ('mac', 'k3y-' * 10, 'pass'),
    ('ENCRYPT', 'k3y-' * 10, 'pass')])
def test_token_cache_in_memcached_needs_its_protection(
        world, strategy, secret, status):
    conf = _conf()
    conf.keystone_authtoken.memcached_servers = ['127.0.0.1:11211']
    conf.keystone_authtoken.memcache_security_strategy = strategy
    conf.keystone_authtoken.memcache_secret_key = secret
    result = checks.Checker(conf, probe_name='p').run()[-1]
    assert (result.name, result.status) == ('token cache', status)
    if secret:
        assert secret not in result.detail

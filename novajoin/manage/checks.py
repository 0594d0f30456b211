"""``novajoin-manage check``: can this configuration do novajoin's work?

Each check returns a :class:`Result`; a failed one says how to fix it. A
check whose prerequisite failed (login when IPA cannot be reached, say) is
skipped rather than reported as a second, misleading failure. Nothing here
changes IPA except the permission probe, which adds a host named
``novajoin-check-<random>`` in the domain, gives it a one-time password and
deletes it again.
"""

import collections
import secrets
import socket
import ssl

import amqp.exceptions
from keystoneauth1 import exceptions as ks_exceptions
import kombu
from novaclient import exceptions as nova_exceptions
import oslo_messaging

from novajoin.conf import service_credentials
from novajoin import exception
from novajoin.hosts import otp
from novajoin.ipa import client as ipa_client
from novajoin.ipa import deployment
from novajoin.ipa import errors as ipa_errors
from novajoin.notify import leader
from novajoin.openstack import nova

PASS = 'pass'
FAIL = 'FAIL'
SKIP = 'skipped'

Result = collections.namedtuple('Result', ['name', 'status', 'detail',
                                           'fix'])

_PERMISSIONS_FIX = ('grant novajoin\'s principal the "Nova Host Manager" '
                    'role (README, "Permissions in IPA")')


def _passed(name, detail):
    return Result(name, PASS, detail, '')


def _failed(name, detail, fix):
    return Result(name, FAIL, detail, fix)


def _skipped(name, because):
    return Result(name, SKIP, 'not run: %s failed' % because, '')


class Checker(object):
    """Runs every check against one parsed configuration."""

    def __init__(self, conf, probe_name=None):
        self._conf = conf
        self._probe_name = probe_name or 'novajoin-check-%s' % (
            secrets.token_hex(4))

    def run(self):
        # Building a transport registers oslo.messaging's options (it does
        # not connect).
        oslo_messaging.get_notification_transport(self._conf).cleanup()
        results = [self.check_configuration(), self.check_otp_key()]
        where = self._ipa_deployment()
        if where is None:
            results += [_skipped(name, 'configuration') for name in (
                'IPA reachable, certificate trusted', 'IPA login',
                'IPA permissions')]
        else:
            results.append(self.check_ipa_tls(where))
            if results[-1].status != PASS:
                results += [_skipped('IPA login', 'IPA reachable'),
                            _skipped('IPA permissions', 'IPA reachable')]
            else:
                ipa = ipa_client.IPAClient.from_conf(self._conf)
                try:
                    results.append(self.check_ipa_login(ipa))
                    if results[-1].status != PASS:
                        results.append(_skipped('IPA permissions',
                                                'IPA login'))
                    else:
                        results.append(self.check_ipa_permissions(ipa))
                finally:
                    ipa.close()
        results += self.check_openstack()
        results.append(self.check_rabbitmq())
        return results

    def _ipa_deployment(self):
        try:
            return deployment.resolve(self._conf.ipa)
        except ipa_errors.IPAConfigurationError:
            return None

    def check_configuration(self):
        name = 'configuration'
        problems = []
        try:
            where = deployment.resolve(self._conf.ipa)
        except ipa_errors.IPAConfigurationError as exc:
            problems.append(str(exc))
            where = None
        group = self._conf.service_credentials
        if not group.auth_type:
            problems.append('[service_credentials] auth_type is not set')
        if not (self._conf.oslo_messaging_notifications.transport_url
                or self._conf.transport_url):
            problems.append('[DEFAULT] transport_url is not set')
        files = ', '.join(self._conf.config_file) or 'none'
        if problems:
            return _failed(name, '; '.join(problems),
                           'set the options named in %s (see '
                           'etc/novajoin/join.conf.sample)' % files)
        return _passed(name, 'files: %s; IPA servers: %s; realm %s' % (
            files, ', '.join(str(s) for s in where.servers), where.realm))

    def check_otp_key(self):
        name = 'OTP key'
        path = self._conf.enrollment.otp_key_file
        try:
            otp.OTPKey.from_file(path)
        except exception.ConfigurationError as exc:
            return _failed(name, exc.message,
                           'create or fix %s as the message says; every '
                           'novajoin-server and novajoin-notify needs the '
                           'same file' % path)
        return _passed(name, '%s loads' % path)

    def check_ipa_tls(self, where):
        name = 'IPA reachable, certificate trusted'
        ca_file = self._conf.ipa.ca_file
        try:
            context = ssl.create_default_context(cafile=ca_file)
        except (OSError, ssl.SSLError) as exc:
            return _failed(name, 'cannot read [ipa] ca_file %s: %s'
                           % (ca_file, exc),
                           'point [ipa] ca_file at the IPA CA certificate '
                           '(/etc/ipa/ca.crt on an enrolled host)')
        for server in where.servers:
            try:
                with socket.create_connection((server.host, server.port),
                                              timeout=self._conf.ipa.timeout
                                              ) as sock:
                    with context.wrap_socket(sock,
                                             server_hostname=server.host):
                        pass
            except ssl.SSLCertVerificationError as exc:
                return _failed(name, '%s: certificate not trusted: %s'
                               % (server, exc.verify_message),
                               'set [ipa] ca_file to the CA that signed '
                               'the IPA servers\' certificates, and list '
                               'each server by the name in its '
                               'certificate')
            except (OSError, ssl.SSLError) as exc:
                return _failed(name, '%s: %s' % (server, exc),
                               'check that %s answers HTTPS from this host '
                               '(firewall, [ipa] servers)' % server)
        return _passed(name, ', '.join(str(s) for s in where.servers))

    def check_ipa_login(self, ipa):
        name = 'IPA login'
        method = self._conf.ipa.auth_method
        try:
            ipa.ping()
        except ipa_errors.IPAAuthenticationError as exc:
            if method == 'password':
                fix = 'check [ipa] user and password'
            else:
                fix = ('check [ipa] keytab and principal (ipa-getkeytab '
                       'for the nova/<controller> service)')
            return _failed(name, str(exc), fix)
        except ipa_errors.IPAError as exc:
            return _failed(name, '%s: %s' % (type(exc).__name__, exc),
                           'check the IPA servers and [ipa] options')
        return _passed(name, '%s login works' % method)

    def check_ipa_permissions(self, ipa):
        """Add a probe host with a password, then delete it."""
        name = 'IPA permissions'
        fqdn = '%s.%s' % (self._probe_name, self._conf.domain or ipa.domain)
        step = 'host_add'
        try:
            ipa.host_add(fqdn, force=True,
                         description='novajoin-manage check probe')
            step = 'host_mod (one-time password)'
            ipa.host_mod(fqdn, userpassword=secrets.token_urlsafe(24))
        except ipa_errors.IPACommandError as exc:
            failure = _failed(name, '%s %s refused: %s' % (step, fqdn, exc),
                              _PERMISSIONS_FIX)
            if step == 'host_add':
                return failure
        else:
            failure = None
        try:
            ipa.host_del(fqdn, updatedns=True)
        except ipa_errors.IPACommandError as exc:
            return _failed(name, 'host_del %s refused: %s' % (fqdn, exc),
                           _PERMISSIONS_FIX + '; then delete the probe: '
                           'ipa host-del %s' % fqdn)
        return failure or _passed(
            name, 'added, set an OTP on and deleted %s' % fqdn)

    def check_openstack(self):
        keystone = 'Keystone credentials'
        compute = 'nova (all projects)'
        try:
            session = service_credentials.load_session(self._conf)
            session.get_token()
        except ks_exceptions.ClientException as exc:
            return [_failed(keystone, '%s: %s' % (type(exc).__name__, exc),
                            'check [service_credentials] (auth_url, '
                            'username, password, project and domains)'),
                    _skipped(compute, keystone)]
        results = [_passed(keystone, 'token issued for %s'
                           % self._conf.service_credentials.username)]
        client = nova.client_from_conf(self._conf, session)
        try:
            client.servers.list(search_opts={'all_tenants': True},
                                limit=1)
        except ks_exceptions.ClientException as exc:
            results.append(_failed(compute, str(exc),
                                   'check the compute endpoint in the '
                                   'catalog and [service_credentials] '
                                   'interface/region_name'))
        except nova_exceptions.ClientException as exc:
            fix = ('give novajoin\'s user the admin role (listing every '
                   'project\'s servers needs it)'
                   if getattr(exc, 'code', None) == 403 else
                   'check nova and [service_credentials]')
            results.append(_failed(compute, '%s: %s'
                                   % (type(exc).__name__, exc), fix))
        else:
            results.append(_passed(compute, 'servers of every project '
                                   'can be listed'))
        return results

    def check_rabbitmq(self):
        name = 'RabbitMQ'
        try:
            params = leader.connection_params(self._conf)
        except leader.LockUnsupported as exc:
            return _failed(name, str(exc), 'set [DEFAULT] transport_url to '
                           'rabbit://user:password@host:5672/vhost')
        failures = []
        for host in params:
            connection = kombu.Connection(**dict(host, heartbeat=0))
            try:
                connection.connect()
            except (OSError, amqp.exceptions.AMQPError,
                    kombu.exceptions.KombuError) as exc:
                failures.append('%s:%s: %s: %s' % (
                    host['hostname'], host['port'], type(exc).__name__,
                    exc))
            finally:
                connection.release()
        if len(failures) == len(params):
            return _failed(name, '; '.join(failures) or 'no broker host',
                           'check that RabbitMQ runs and [DEFAULT] '
                           'transport_url (host, credentials, vhost)')
        return _passed(name, '%d of %d broker(s) answer'
                       % (len(params) - len(failures), len(params)))

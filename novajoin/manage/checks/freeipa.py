"""Checks of IPA: reachable with a trusted certificate, login, permissions.

Each needs the one before it to pass; the rest are then skipped.
"""

import secrets
import socket
import ssl

from novajoin.ipa import client as ipa_client
from novajoin.ipa import deployment
from novajoin.ipa import errors as ipa_errors
from novajoin.manage.checks import results

TLS = 'IPA reachable, certificate trusted'
LOGIN = 'IPA login'
PERMISSIONS = 'IPA permissions'

_PERMISSIONS_FIX = ('grant novajoin\'s principal the "Nova Host Manager" '
                    'role (admin guide, "Permissions in IPA")')


def check_all(conf, probe_name):
    """The results of :data:`TLS`, :data:`LOGIN` and :data:`PERMISSIONS`.
    """
    try:
        where = deployment.resolve(conf.ipa)
    except ipa_errors.IPAConfigurationError:
        return [results.skipped(name, 'configuration')
                for name in (TLS, LOGIN, PERMISSIONS)]
    reachable = check_tls(conf, where)
    if reachable.status != results.PASS:
        return [reachable, results.skipped(LOGIN, 'IPA reachable'),
                results.skipped(PERMISSIONS, 'IPA reachable')]
    ipa = ipa_client.IPAClient.from_conf(conf)
    try:
        login = check_login(conf, ipa)
        if login.status != results.PASS:
            return [reachable, login,
                    results.skipped(PERMISSIONS, 'IPA login')]
        return [reachable, login, check_permissions(conf, ipa, probe_name)]
    finally:
        ipa.close()


def check_tls(conf, where):
    ca_file = conf.ipa.ca_file
    try:
        context = ssl.create_default_context(cafile=ca_file)
    except (OSError, ssl.SSLError) as exc:
        return results.failed(TLS, 'cannot read [ipa] ca_file %s: %s'
                              % (ca_file, exc),
                              'point [ipa] ca_file at the IPA CA certificate '
                              '(/etc/ipa/ca.crt on an enrolled host)')
    for server in where.servers:
        try:
            with socket.create_connection((server.host, server.port),
                                          timeout=conf.ipa.timeout) as sock:
                with context.wrap_socket(sock, server_hostname=server.host):
                    pass
        except ssl.SSLCertVerificationError as exc:
            return results.failed(TLS, '%s: certificate not trusted: %s'
                                  % (server, exc.verify_message),
                                  'set [ipa] ca_file to the CA that signed '
                                  'the IPA servers\' certificates, and list '
                                  'each server by the name in its '
                                  'certificate')
        except (OSError, ssl.SSLError) as exc:
            return results.failed(TLS, '%s: %s' % (server, exc),
                                  'check that %s answers HTTPS from this '
                                  'host (firewall, [ipa] servers)' % server)
    return results.passed(TLS, ', '.join(str(s) for s in where.servers))


def check_login(conf, ipa):
    method = conf.ipa.auth_method
    try:
        ipa.ping()
    except ipa_errors.IPAAuthenticationError as exc:
        if method == 'password':
            fix = 'check [ipa] user and password'
        else:
            fix = ('check [ipa] keytab and principal (ipa-getkeytab '
                   'for the nova/<controller> service)')
        return results.failed(LOGIN, str(exc), fix)
    except ipa_errors.IPAError as exc:
        return results.failed(LOGIN, '%s: %s' % (type(exc).__name__, exc),
                              'check the IPA servers and [ipa] options')
    return results.passed(LOGIN, '%s login works' % method)


def check_permissions(conf, ipa, probe_name):
    """Add a probe host with a password, then delete it."""
    fqdn = '%s.%s' % (probe_name, conf.domain or ipa.domain)
    step = 'host_add'
    try:
        ipa.host_add(fqdn, force=True,
                     description='novajoin-manage check probe')
        step = 'host_mod (one-time password)'
        ipa.host_mod(fqdn, userpassword=secrets.token_urlsafe(24))
    except ipa_errors.IPACommandError as exc:
        failure = results.failed(PERMISSIONS, '%s %s refused: %s'
                                 % (step, fqdn, exc), _PERMISSIONS_FIX)
        if step == 'host_add':
            return failure
    else:
        failure = None
    try:
        ipa.host_del(fqdn, updatedns=True)
    except ipa_errors.IPACommandError as exc:
        return results.failed(PERMISSIONS, 'host_del %s refused: %s'
                              % (fqdn, exc),
                              _PERMISSIONS_FIX + '; then delete the probe: '
                              'ipa host-del %s' % fqdn)
    return failure or results.passed(
        PERMISSIONS, 'added, set an OTP on and deleted %s' % fqdn)

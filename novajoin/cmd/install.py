"""``novajoin-install``: set up this controller for novajoin.

    novajoin-install --ipa-admin-password-file FILE [--nova-conf FILE]
        [--dry-run] [--glance-metadefs --config-file ADMIN.conf]

In IPA (as an IPA administrator): the permissions, privilege and role of
the admin guide's "Permissions in IPA" and the ``nova/<controller fqdn>``
service as the role's member; then the service keytab (``ipa-getkeytab``),
the OTP key, ``join.conf``, and the nova.conf settings (printed, or applied
to ``--nova-conf``). Every step is idempotent; ``--dry-run`` only reports.
"""

import getpass
import os
import secrets
import socket
import sys
import types

from oslo_config import cfg

from novajoin.cmd import cli_logging
from novajoin.conf import token_cache
from novajoin.install import changes
from novajoin.install import glance_metadefs
from novajoin.install import ini_files
from novajoin.install import ipa_rbac
from novajoin.install import nova_conf
from novajoin.install import secrets_files
from novajoin.ipa import auth
from novajoin.ipa import client as ipa_client
from novajoin.ipa import deployment
from novajoin.ipa import errors as ipa_errors
from novajoin.ipa import transport as ipa_transport

PASSWORD_ENV = 'NOVAJOIN_IPA_ADMIN_PASSWORD'
IPA_CALL_TIMEOUT = 30.0
TOKEN_CACHE_SECRET_BYTES = 48

cli_opts = [
    cfg.BoolOpt('dry-run', default=False,
                help='Print every change that would be made; make none.'),
    cfg.StrOpt('controller-fqdn',
               help='FQDN of this controller, as enrolled in IPA: the '
                    'service principal is nova/<FQDN>. Default: this '
                    'machine\'s FQDN.'),
    cfg.ListOpt('ipa-server', default=[],
                help='IPA servers (host[:port]). Default: from '
                     '/etc/ipa/default.conf.'),
    cfg.StrOpt('ipa-ca-file', default='/etc/ipa/ca.crt',
               help='CA bundle of the IPA servers.'),
    cfg.StrOpt('realm', help='Kerberos realm. Default: from '
                             '/etc/ipa/default.conf.'),
    cfg.StrOpt('domain', help='IPA DNS domain. Default: from '
                              '/etc/ipa/default.conf.'),
    cfg.StrOpt('ipa-admin-user', default='admin',
               help='IPA administrator to log in as with a password.'),
    cfg.StrOpt('ipa-admin-password-file',
               help='File holding the IPA administrator\'s password. '
                    'Without it (and without --ipa-admin-keytab) the '
                    'password is read from $%s or asked for.'
                    % PASSWORD_ENV),
    cfg.StrOpt('ipa-admin-keytab',
               help='Log in with Kerberos from this keytab instead of a '
                    'password.'),
    cfg.StrOpt('ipa-admin-principal',
               help='Principal in --ipa-admin-keytab to log in as. '
                    'Default: its first principal.'),
    cfg.StrOpt('join-conf', default='/etc/novajoin/join.conf',
               help='join.conf to write (only the options novajoin-install '
                    'knows are set; the rest of the file is kept).'),
    cfg.StrOpt('otp-key-file', default='/etc/novajoin/otp.key',
               help='OTP key file to create if missing.'),
    cfg.StrOpt('keytab', default='/etc/novajoin/krb5.keytab',
               help='Keytab of the nova/<controller> principal.'),
    cfg.StrOpt('service-user', default='novajoin',
               help='User the novajoin services run as; owns the keytab, '
                    'the OTP key and join.conf.'),
    cfg.StrOpt('api-url',
               help='URL nova calls novajoin at. Default: '
                    'https://<controller fqdn>:9090/v1.'),
    cfg.ListOpt('memcached-servers', default=[],
                help='memcached servers (host:port) for join.conf: '
                     'keystonemiddleware\'s token cache (with '
                     'memcache_security_strategy = ENCRYPT and a random '
                     'memcache_secret_key, kept when join.conf has them) '
                     'and the nonce cache, shared by the API\'s processes '
                     'and replicas. Needed with more than one API '
                     'process.'),
    cfg.StrOpt('api-ca-file',
               help='CA that signed the novajoin API\'s certificate, for '
                    'nova ([api] vendordata_dynamic_ssl_certfile).'),
    cfg.StrOpt('nova-conf',
               help='nova.conf to edit in place. Without it the settings '
                    'are printed.'),
    cfg.BoolOpt('glance-metadefs', default=False,
                help='Load the OS::Identity::IPA metadata definitions into '
                     'Glance, with the [service_credentials] of the '
                     '--config-file files (an admin, as Glance requires).'),
]


def load_conf(argv):
    conf = cfg.ConfigOpts()
    conf.register_cli_opts(cli_opts)
    cli_logging.register_options(conf)
    glance_metadefs.register_opts(conf)
    conf(argv, project='novajoin', prog='novajoin-install',
         default_config_files=[])
    return conf


def _admin_login(conf):
    if conf.ipa_admin_keytab:
        return auth.KerberosLogin(conf.ipa_admin_keytab,
                                  conf.ipa_admin_principal)
    if conf.ipa_admin_password_file:
        with open(conf.ipa_admin_password_file, encoding='utf-8') as f:
            password = f.read().strip()
    elif os.environ.get(PASSWORD_ENV):
        password = os.environ[PASSWORD_ENV]
    elif sys.stdin.isatty():
        password = getpass.getpass('Password of IPA user %s: '
                                   % conf.ipa_admin_user)
    else:
        raise changes.InstallError(
            'no IPA admin credentials: give --ipa-admin-password-file, '
            '--ipa-admin-keytab or $%s' % PASSWORD_ENV)
    return auth.PasswordLogin(conf.ipa_admin_user, password)


def _ipa_where(conf):
    return deployment.resolve(types.SimpleNamespace(
        servers=conf.ipa_server, realm=conf.realm, domain=conf.domain,
        default_conf_file='/etc/ipa/default.conf'))


def _ipa_admin_client(conf, where):
    transport = ipa_transport.Transport(
        where.servers, _admin_login(conf), conf.ipa_ca_file)
    return ipa_client.IPAClient(transport, where.realm, where.domain,
                                timeout=IPA_CALL_TIMEOUT)


def join_conf_settings(conf, where, principal):
    settings = {
        'ipa': {'servers': ', '.join(str(s) for s in where.servers),
                'ca_file': conf.ipa_ca_file, 'realm': where.realm,
                'domain': where.domain, 'auth_method': 'kerberos',
                'keytab': conf.keytab, 'principal': principal},
        'enrollment': {'otp_key_file': conf.otp_key_file},
    }
    if conf.memcached_servers:
        servers = ','.join(conf.memcached_servers)
        settings['keystone_authtoken'] = dict(
            {'memcached_servers': servers}, **token_cache_protection(
                ini_files.read(conf.join_conf)))
        # The nonce cache, shared by workers, replicas and the listener.
        settings['cache'] = {'enabled': 'true',
                             'backend': 'dogpile.cache.pymemcache',
                             'memcache_servers': servers}
    return settings


def token_cache_protection(join_conf):
    """keystonemiddleware's memcache_security_strategy and secret key.

    An existing strategy (MAC or ENCRYPT) and secret are kept: every API
    process and replica needs the same secret. Otherwise ENCRYPT and a new
    random secret.
    """
    strategy = ini_files.current(join_conf, 'keystone_authtoken',
                                 'memcache_security_strategy')
    secret = ini_files.current(join_conf, 'keystone_authtoken',
                               'memcache_secret_key')
    if (strategy or '').strip().upper() not in token_cache.STRATEGIES:
        strategy = 'ENCRYPT'
    if len((secret or '').strip()) < token_cache.MIN_SECRET_LENGTH:
        secret = secrets.token_urlsafe(TOKEN_CACHE_SECRET_BYTES)
    return {'memcache_security_strategy': strategy.strip(),
            'memcache_secret_key': secret.strip()}


def run(conf, out=print):
    report = changes.Report(conf.dry_run, out)
    fqdn = (conf.controller_fqdn or socket.getfqdn()).lower().rstrip('.')
    where = _ipa_where(conf)
    principal = 'nova/%s@%s' % (fqdn, where.realm)
    owner = secrets_files.service_owner(conf.service_user)
    # Before any change: a planted link or file stops the whole run.
    for path, what in ((conf.keytab, 'keytab'),
                       (conf.otp_key_file, 'OTP key'),
                       (conf.join_conf, 'join.conf')):
        secrets_files.refuse_unsafe(path, owner, what)
    ipa = _ipa_admin_client(conf, where)
    try:
        for step in (ipa_rbac.permission_changes,
                     ipa_rbac.privilege_changes):
            report.apply(step(ipa, report))
        report.apply(ipa_rbac.service_changes(ipa, report, principal))
        report.apply(ipa_rbac.role_changes(ipa, report, principal))
    finally:
        ipa.close()
    report.apply(secrets_files.keytab_changes(
        conf.keytab, where.servers[0].host, principal, owner, report))
    report.apply(secrets_files.otp_key_changes(conf.otp_key_file, owner,
                                               report))
    join_changes = ini_files.update_changes(
        conf.join_conf, join_conf_settings(conf, where, principal),
        mode=0o600, owner=owner, no_links=True)
    if not join_changes:
        report.unchanged(conf.join_conf)
    report.apply(join_changes)
    _nova_conf(conf, fqdn, report)
    if conf.glance_metadefs:
        report.apply(glance_metadefs.metadefs_changes(conf, report))
    out(report.summary())
    return report


def _nova_conf(conf, fqdn, report):
    api_url = conf.api_url or 'https://%s:9090/v1' % fqdn
    updater = ini_files.read(conf.nova_conf)
    wanted, notes = nova_conf.settings(updater, api_url, conf.api_ca_file)
    for note in notes:
        report.note(note)
    if not conf.nova_conf:
        report.out('nova.conf settings for novajoin (nova API and metadata '
                   'service; [oslo_messaging_notifications] and '
                   '[notifications] on every nova service):\n'
                   + nova_conf.as_text(wanted))
        return
    nova_changes = ini_files.update_changes(conf.nova_conf, wanted)
    if not nova_changes:
        report.unchanged(conf.nova_conf)
    report.apply(nova_changes)


def main(argv=None):
    conf = load_conf(sys.argv[1:] if argv is None else argv)
    cli_logging.setup(conf)
    try:
        run(conf)
    except (changes.InstallError, ipa_errors.IPAError, OSError) as error:
        print('novajoin-install: %s' % error, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())

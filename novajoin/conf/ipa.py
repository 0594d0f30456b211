"""[ipa] options: how novajoin reaches and authenticates to FreeIPA."""

from oslo_config import cfg

GROUP = 'ipa'

ipa_group = cfg.OptGroup(
    GROUP, title='FreeIPA',
    help='How novajoin talks to the FreeIPA JSON-RPC API.')

connection_opts = [
    cfg.ListOpt('servers', default=[],
                help='IPA servers as host[:port], tried in order; the '
                     'client fails over to the next one on connection '
                     'errors and HTTP 5xx. Use each server\'s own FQDN: it '
                     'must match the server certificate and FreeIPA '
                     'rejects a Referer naming another host. Default: '
                     '"server" (or the host of "xmlrpc_uri") from '
                     'default_conf_file.'),
    cfg.StrOpt('ca_file', default='/etc/ipa/ca.crt',
               help='PEM file of the CA(s) that signed the IPA servers\' '
                    'certificates. Certificate verification cannot be '
                    'turned off.'),
    cfg.StrOpt('default_conf_file', default='/etc/ipa/default.conf',
               help='FreeIPA client configuration (written by '
                    'ipa-client-install), read for realm, domain and '
                    'server when they are not set here.'),
    cfg.StrOpt('realm',
               help='Kerberos realm of the IPA domain. Default: "realm" '
                    'from default_conf_file.'),
    cfg.StrOpt('domain',
               help='DNS domain of the IPA deployment. Default: "domain" '
                    'from default_conf_file.'),
    cfg.StrOpt('api_version', default='2.230',
               help='FreeIPA API version sent with every command. Only '
                    'the major version must match the server; 2.230 is '
                    'understood by FreeIPA 4.6 and later.'),
    cfg.FloatOpt('timeout', default=3.0, min=0.1,
                 help='Total seconds one IPA call may take, including '
                      'waiting for a connection slot, logging in, retries '
                      'and failover. Keep it well under nova\'s vendordata '
                      'timeout (5 seconds by default).'),
    cfg.IntOpt('connect_retries', default=3, min=0,
               deprecated_opts=[cfg.DeprecatedOpt('connect_retries',
                                                  group='DEFAULT')],
               help='How many times a call is retried after a network '
                    'error or HTTP 5xx (within "timeout"). FreeIPA '
                    'command errors are never retried.'),
    cfg.FloatOpt('retry_backoff', default=0.1, min=0.0,
                 help='Seconds of the first retry delay; each further '
                      'retry waits up to twice as long (exponential '
                      'backoff with full jitter), never beyond the '
                      'call\'s deadline.'),
    cfg.IntOpt('max_connections_per_server', default=4, min=1,
               deprecated_opts=[cfg.DeprecatedOpt('max_connections',
                                                  group=GROUP)],
               help='Concurrent HTTPS connections to each IPA server '
                    '(kept alive and reused), per novajoin process. '
                    'FreeIPA answers JSON-RPC from 4 single-threaded WSGI '
                    'processes per server, so more only queue in its '
                    'httpd; with several novajoin processes per IPA '
                    'server, divide 4 among them. Callers beyond it wait '
                    'for a free connection, earliest deadline first.'),
]

auth_opts = [
    cfg.StrOpt('auth_method', default='kerberos',
               choices=[('kerberos', 'Log in with credentials from '
                                     '"keytab" for "principal" '
                                     '(production)'),
                        ('password', 'Log in with "user" and "password" '
                                     '(sandboxes and sites without a '
                                     'keytab)')],
               help='How novajoin logs in to IPA.'),
    cfg.StrOpt('keytab', default='/etc/novajoin/krb5.keytab',
               deprecated_opts=[cfg.DeprecatedOpt('keytab',
                                                  group='DEFAULT')],
               help='Keytab of the novajoin service principal '
                    '(auth_method = kerberos).'),
    cfg.StrOpt('principal',
               help='Kerberos principal to log in as, e.g. '
                    'nova/controller.example.test@EXAMPLE.TEST '
                    '(auth_method = kerberos). Default: the first '
                    'principal in "keytab".'),
    cfg.StrOpt('user',
               help='IPA user to log in as (auth_method = password).'),
    cfg.StrOpt('password', secret=True,
               help='Password of "user" (auth_method = password).'),
]

ALL_OPTS = connection_opts + auth_opts


def register_opts(conf):
    conf.register_group(ipa_group)
    conf.register_opts(ALL_OPTS, group=ipa_group)


def list_opts():
    return {GROUP: ALL_OPTS}

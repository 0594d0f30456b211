"""[enrollment] options, and novajoin 1.3.0's per-project sections.

novajoin 1.3.0 let a project put hosts into IPA host classes listed in a
section named after the project::

    [my-project]
    allowed_classes = web*,db

Those sections cannot be declared in advance, so
:func:`register_project_opts` registers ``allowed_classes`` in every section
of the configuration files that is not a known option group. It is called
once when the API starts, never while serving a request.
"""

from oslo_config import cfg

GROUP = 'enrollment'

enrollment_opts = [
    cfg.StrOpt('otp_key_file', default='/etc/novajoin/otp.key',
               help='Secret key the one-time passwords are derived from: at '
                    'least 32 bytes of text, e.g. from openssl rand -base64 '
                    '48 (surrounding white space is ignored), not readable '
                    'by other users, and the same file on '
                    'every novajoin-server replica, so that every replica '
                    'answers the same OTP for one boot. Replacing it '
                    'changes the OTPs of instances that have not enrolled '
                    'yet.'),
    cfg.IntOpt('image_cache_ttl', default=300, min=0,
               help='Seconds a Glance image\'s properties (ipa_enroll, '
                    'os_distro, os_version) are remembered.'),
    cfg.IntOpt('project_cache_ttl', default=600, min=0,
               help='Seconds a Keystone project\'s name is remembered '
                    '(used for project subdomains and allowed_classes).'),
    cfg.IntOpt('cache_size', default=4096, min=1,
               help='Most images, and most projects, remembered at once by '
                    'each worker.'),
    cfg.FloatOpt('min_call_time', default=0.25, min=0,
                 help='Seconds that must be left before the answer to nova '
                      'is due for novajoin to start a call to IPA, Glance '
                      'or Keystone; with less, it answers 503 at once '
                      'instead of letting nova time out.'),
    cfg.IntOpt('retry_after', default=5, min=1,
               help='Seconds suggested in Retry-After when enrollment is '
                    'temporarily impossible (HTTP 503).'),
    cfg.IntOpt('unenrolled_host_ttl', default=4 * 3600, min=0,
               help='Seconds a host novajoin added may keep an unused '
                    'one-time password. Reconciliation (novajoin-manage '
                    'reconcile, and the listener every [notify] '
                    'reconcile_interval) deletes hosts that have not '
                    'enrolled by then; a living instance that asks again is '
                    'enrolled afresh with a new OTP. 0 disables the '
                    'expiry.'),
    cfg.ListOpt('reserved_names',
                default=['ipa', 'ipa-ca', 'ipa[0-9]*', 'localhost',
                         'kerberos', 'ldap', 'kdc', 'dns', 'ns',
                         'ns[0-9]*'],
                help='Host names never handed to an instance, as '
                     'shell-style patterns, matched (case-insensitively) '
                     'against the name below the domain (web1, or '
                     'web1.project with project_subdomain) and against the '
                     'whole FQDN. IPA servers, ipa-ca and localhost are '
                     'always refused, whatever this list says.'),
    cfg.BoolOpt('check_dns_records', default=True,
                help='Refuse a new host name that already has DNS records '
                     'in IPA (www, mail, ... made outside novajoin). Costs '
                     'one IPA read per new host, batched with the lookup '
                     'of the host entry; turn off only where IPA manages '
                     'no DNS or the reserved_names list covers its names.'),
    cfg.IntOpt('ipa_servers_cache_ttl', default=600, min=1,
               help='Seconds each worker remembers the list of IPA servers '
                    '(server_find), whose names are never handed out.'),
    cfg.ListOpt('memcached_servers', default=[],
                deprecated_for_removal=True,
                deprecated_reason='Configure the cache in [cache] as for '
                                  'nova and keystone: enabled = true, '
                                  'backend = dogpile.cache.pymemcache, '
                                  'memcache_servers.',
                help='memcached servers (host:port) where workers and '
                     'replicas share the OTP nonce of hosts they just '
                     'created. Read as [cache] backend = '
                     'dogpile.cache.pymemcache with these servers while '
                     '[cache] enabled is false.'),
    cfg.IntOpt('nonce_cache_ttl', default=600, min=1, max=3600,
               help='Seconds the nonce of a just-created host is answered '
                    'from the cache ([cache]; in each process by default) '
                    'without asking IPA: nova\'s config drive and '
                    'cloud-init\'s first minutes. A change made directly '
                    'in IPA (ipa host-del, host-disable) may go unseen for '
                    'this long; changes made by novajoin (rebuild, delete) '
                    'are seen at once where the cache is shared.'),
    cfg.FloatOpt('memcached_timeout', default=0.2, min=0.01,
                 deprecated_for_removal=True,
                 deprecated_reason='Use [cache] socket_timeout.',
                 help='With the deprecated memcached_servers: seconds to '
                      'connect to or wait for memcached before asking IPA '
                      'instead; a server that failed is skipped for 10 '
                      'seconds.'),
    cfg.IntOpt('unshared_nonce_cache_ttl', default=60, min=1, max=3600,
               help='Without a shared [cache] (each API process keeps its '
                    'own), nonces are answered from the cache for at most '
                    'this many seconds (and at most nonce_cache_ttl). The '
                    'listener cannot write its rebuild re-arm into another '
                    'process\'s cache, so an instance rebuilt within this '
                    'long of its first vendordata request would be '
                    'answered its earlier OTP until the entry expires. 60 '
                    's covers nova\'s config-drive burst; later repeats '
                    'cost one IPA read each. Configure a shared [cache] '
                    'for both the API and the listener to keep '
                    'nonce_cache_ttl.'),
    cfg.IntOpt('local_cache_size', default=50000, min=1,
               help='Most entries (nonces and TLS services records) the '
                    'in-process cache of each worker keeps when [cache] is '
                    'not enabled; the oldest go first, which only costs an '
                    'IPA read.'),
]

project_opts = [
    cfg.ListOpt('allowed_classes', default=[],
                help='In a section named after a Keystone project: the IPA '
                     'host classes (ipa_hostclass instance metadata) its '
                     'instances may use; shell-style wildcards, e.g. * for '
                     'any.'),
]


def register_opts(conf):
    conf.register_opts(enrollment_opts, group=GROUP)


def list_opts():
    return {GROUP: enrollment_opts}


def register_project_opts(conf):
    """Register ``allowed_classes`` in each project section; return their
    names.

    A section is a project's when it is in the loaded configuration files
    and is not an option group registered by then (``DEFAULT``, ``ipa``,
    ``keystone_authtoken``...) other than by an earlier call of this
    function. Call after the configuration files are parsed.
    """
    projects = sorted(section for section in conf.list_all_sections()
                      if section != 'DEFAULT'
                      and _is_project_section(conf, section))
    for project_name in projects:
        conf.register_opts(project_opts, group=project_name)
    return projects


def _is_project_section(conf, section):
    if section not in set(conf.keys()):
        return True
    group = conf[section]
    if not isinstance(group, cfg.ConfigOpts.GroupAttr):
        return False
    return set(group.keys()) == {opt.dest for opt in project_opts}


def allowed_classes_by_project(conf, project_names):
    """``{project name: [patterns]}`` for the registered project sections."""
    return {name: list(conf[name].allowed_classes) for name in project_names}

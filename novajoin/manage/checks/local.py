"""Checks of this host's own files: the configuration, the OTP key and
the protection of keystonemiddleware's token cache."""

from novajoin.api import authtoken
from novajoin.conf import token_cache
from novajoin import exception
from novajoin.hosts import otp
from novajoin.ipa import deployment
from novajoin.ipa import errors as ipa_errors
from novajoin.manage.checks import results


def check_configuration(conf):
    name = 'configuration'
    problems = []
    try:
        where = deployment.resolve(conf.ipa)
    except ipa_errors.IPAConfigurationError as exc:
        problems.append(str(exc))
        where = None
    group = conf.service_credentials
    if not group.auth_type:
        problems.append('[service_credentials] auth_type is not set')
    if not (conf.oslo_messaging_notifications.transport_url
            or conf.transport_url):
        problems.append('[DEFAULT] transport_url is not set')
    files = ', '.join(conf.config_file) or 'none'
    if problems:
        return results.failed(name, '; '.join(problems),
                              'set the options named in %s (see '
                              'etc/novajoin/join.conf.sample)' % files)
    return results.passed(name, 'files: %s; IPA servers: %s; realm %s' % (
        files, ', '.join(str(s) for s in where.servers), where.realm))


def check_otp_key(conf):
    name = 'OTP key'
    path = conf.enrollment.otp_key_file
    try:
        otp.OTPKey.from_file(path)
    except exception.ConfigurationError as exc:
        return results.failed(name, exc.message,
                              'create or fix %s as the message says; every '
                              'novajoin-server and novajoin-notify needs the '
                              'same file' % path)
    return results.passed(name, '%s loads' % path)


def check_token_cache(conf):
    """keystonemiddleware's memcached token cache is authenticated."""
    name = 'token cache'
    authtoken.set_defaults(conf)
    group = conf.keystone_authtoken
    unsafe = token_cache.problem(group.memcached_servers,
                                 group.memcache_security_strategy,
                                 group.memcache_secret_key)
    if unsafe:
        return results.failed(name, unsafe,
                              'set both options in [keystone_authtoken]; '
                              'novajoin-server refuses to start without '
                              'them')
    if not group.memcached_servers:
        return results.passed(name, 'in each process (no memcached_servers)')
    return results.passed(name, 'memcached, memcache_security_strategy = %s'
                          % group.memcache_security_strategy.upper())

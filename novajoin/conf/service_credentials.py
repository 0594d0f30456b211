"""[service_credentials]: novajoin's own Keystone credentials.

Used to read Glance images, Keystone project names, nova servers and
neutron ports. The group name is novajoin 1.3.0's.
"""

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

GROUP = 'service_credentials'

# keystoneauth1 waits forever by default: a service that accepts the
# connection and never answers would hold a caller for good.
DEFAULT_TIMEOUT = 10.0

service_credentials_opts = [
    cfg.StrOpt('region_name',
               help='Region of the endpoints to use from the catalog.'),
    cfg.StrOpt('interface', default='internal',
               choices=['public', 'internal', 'admin'],
               help='Endpoint interface to use from the catalog.'),
]


def _session_opts():
    opts = ks_loading.get_session_conf_options()
    cfg.set_defaults(opts, timeout=DEFAULT_TIMEOUT)
    for opt in opts:
        if opt.dest == 'timeout':
            opt.help = ('Seconds to wait for a connection to, and for each '
                        'read from, Keystone, nova, neutron and Glance. '
                        'novajoin-server bounds its calls further by '
                        '[api] request_budget.')
    return opts


def register_opts(conf):
    conf.register_opts(service_credentials_opts, group=GROUP)
    conf.register_opts(_session_opts(), group=GROUP)
    ks_loading.register_auth_conf_options(conf, GROUP)


def list_opts():
    opts = list(service_credentials_opts)
    opts += _session_opts()
    opts += ks_loading.get_auth_common_conf_options()
    opts += ks_loading.get_auth_plugin_conf_options('password')
    seen, unique = set(), []
    for opt in opts:
        if opt.dest not in seen:
            seen.add(opt.dest)
            unique.append(opt)
    return {GROUP: unique}


def load_session(conf):
    """A keystoneauth1 Session authenticated with these credentials."""
    auth = ks_loading.load_auth_from_conf_options(conf, GROUP)
    return ks_loading.load_session_from_conf_options(conf, GROUP, auth=auth)

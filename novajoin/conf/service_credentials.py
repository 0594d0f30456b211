"""[service_credentials]: novajoin's own Keystone credentials.

Used to read Glance images, Keystone project names, nova servers and
neutron ports. The group name is novajoin 1.3.0's.
"""

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

GROUP = 'service_credentials'

service_credentials_opts = [
    cfg.StrOpt('region_name',
               help='Region of the endpoints to use from the catalog.'),
    cfg.StrOpt('interface', default='internal',
               choices=['public', 'internal', 'admin'],
               help='Endpoint interface to use from the catalog.'),
]


def register_opts(conf):
    conf.register_opts(service_credentials_opts, group=GROUP)
    ks_loading.register_session_conf_options(conf, GROUP)
    ks_loading.register_auth_conf_options(conf, GROUP)


def list_opts():
    opts = list(service_credentials_opts)
    opts += ks_loading.get_session_conf_options()
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

"""[services] options: TLS services (subhosts, principals) from metadata."""

from oslo_config import cfg

GROUP = 'services'

services_opts = [
    cfg.ListOpt('managed_service_roles', default=['admin'],
                help='Roles that let the user who booted an instance give '
                     'it managed services (managed_service_* metadata): '
                     'the default join:managed_services policy rule '
                     'allows them when one of these is among nova\'s '
                     'boot-roles of the instance.'),
    cfg.ListOpt('managed_service_projects', default=[],
                help='Project ids whose instances may have managed '
                     'services whoever booted them (the default '
                     'join:managed_services policy rule). This is also '
                     'what allows adding managed services through a '
                     'metadata update, which nova sends without '
                     'boot-roles.'),
    cfg.ListOpt('managed_service_hosts', default=[],
                help='Host names not created by novajoin (shell-style '
                     'patterns, e.g. vip*.internalapi.example.test) that '
                     'managed services may name. Hosts novajoin did not '
                     'create are refused otherwise; IPA servers always.'),
    cfg.IntOpt('max_principals', default=64, min=1,
               help='Most service principals (compact and managed '
                    'together) one instance may ask for; metadata asking '
                    'for more gets none of them.'),
    cfg.IntOpt('server_cache_ttl', default=600, min=0,
               help='Seconds the list of IPA servers (never handed to an '
                    'instance) is remembered.'),
]


def register_opts(conf):
    conf.register_opts(services_opts, group=GROUP)


def list_opts():
    return {GROUP: services_opts}

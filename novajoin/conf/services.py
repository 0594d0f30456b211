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
                     'create are refused otherwise; IPA servers always. '
                     'An absent listed name is created even when it has '
                     'DNS records in IPA (e.g. a VIP the operator made '
                     'them for) or lies outside the project subdomain.'),
    cfg.IntOpt('max_principals', default=64, min=1,
               help='Most service principals (compact and managed '
                    'together) one instance may ask for; metadata asking '
                    'for more gets none of them.'),
    cfg.IntOpt('max_hosts', default=16, min=1,
               help='Most host entries (subhosts and hosts of managed '
                    'services together) one instance may ask for; '
                    'metadata asking for more gets none of them. With '
                    'max_principals it bounds what one request can make '
                    'IPA do: a read of each name (and its DNS checks) and '
                    'at most two writes per name.'),
    cfg.IntOpt('max_reads_per_hour', default=10, min=1,
               help='Most times per hour one instance\'s vendordata '
                    'requests may make an API process read its services '
                    'from IPA. A repeat request whose services metadata '
                    'was satisfied costs no read (record_ttl); a change '
                    'costs one read round trip and at most one write '
                    'round trip. Beyond the budget the services of the '
                    'request are refused and logged; the OTP answer '
                    'stands. Counted per API process.'),
    cfg.IntOpt('record_ttl', default=3600, min=1,
               help='Seconds a vendordata request whose services metadata '
                    'was satisfied is remembered (in novajoin\'s cache, '
                    '[cache]: shared when a shared backend is configured, '
                    'else in the process): an unchanged repeat within that '
                    'time '
                    'costs no IPA call. Also how long after an '
                    'instance\'s first vendordata request the managed '
                    'services its boot-roles allowed stay allowed when '
                    'that request could not create them.'),
    cfg.IntOpt('server_cache_ttl', default=600, min=0,
               help='Seconds the list of IPA servers (never handed to an '
                    'instance) is remembered.'),
]


def register_opts(conf):
    conf.register_opts(services_opts, group=GROUP)


def list_opts():
    return {GROUP: services_opts}

"""[DEFAULT] options, keeping novajoin 1.3.0's names."""

from oslo_config import cfg

api_opts = [
    cfg.HostAddressOpt('join_listen', default='0.0.0.0',
                       help='IP address novajoin-server listens on.'),
    cfg.PortOpt('join_listen_port', default=9090,
                help='Port novajoin-server listens on.'),
    cfg.IntOpt('workers', default=1, min=1,
               help='Number of novajoin-server worker processes.'),
    cfg.StrOpt('api_paste_config', default='join-api-paste.ini',
               help='PasteDeploy file of the API pipeline; a relative '
                    'path is looked up next to the configuration files.'),
    cfg.StrOpt('auth_strategy', default='keystone',
               choices=[('keystone', 'Keystone tokens (production)'),
                        ('noauth', 'No authentication; local sandbox '
                                   'only')],
               help='How API requests are authenticated.'),
]

naming_opts = [
    cfg.StrOpt('domain',
               help='DNS domain of enrolled hosts. Default: the IPA '
                    'domain ([ipa] domain).'),
    cfg.BoolOpt('project_subdomain', default=False,
                help='Put hosts in a subdomain named after their project: '
                     '<hostname>.<project>.<domain>. Only projects of '
                     'project_names_domain_id whose name is a lowercase DNS '
                     'label (letters, digits, hyphens) get one; requests '
                     'of other projects are refused (400).'),
    cfg.StrOpt('project_names_domain_id', default='default',
               help='Keystone domain (id) whose projects are meant by '
                    'project names: in project subdomains and in the '
                    'per-project allowed_classes sections. Project names '
                    'are unique only within a domain, so a same-named '
                    'project of another domain gets neither.'),
    cfg.BoolOpt('normalize_project', default=True,
                deprecated_for_removal=True,
                deprecated_reason='Rewriting project names into DNS labels '
                                  'let several projects share one '
                                  'subdomain. Names that are not lowercase '
                                  'DNS labels are now refused.',
                help='Ignored. novajoin 1.3.0 made project names into DNS '
                     'labels for project_subdomain.'),
]


def register_opts(conf):
    conf.register_opts(api_opts)
    conf.register_opts(naming_opts)


def list_opts():
    return {'DEFAULT': api_opts + naming_opts}

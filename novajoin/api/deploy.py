"""The one factory of the novajoin API application.

``novajoin-server``, ``novajoin.wsgi.api`` (mod_wsgi, uWSGI) and the tests
all get the WSGI application from :func:`load_app`, which loads the paste
pipeline chosen by ``[DEFAULT] auth_strategy``; the pipeline's app factory
calls :func:`build_services` for the objects that depend on configuration
(IPA client, Keystone session, enroller, policy enforcer).
"""

import functools
import os

from oslo_config import cfg
from oslo_log import log as logging
from paste.deploy import loadwsgi

from novajoin.api import authtoken
from novajoin.api import warm_up as warm_up_module
from novajoin import conf as novajoin_conf
from novajoin.conf import service_credentials
from novajoin.hosts import enrollment
from novajoin.ipa import client as ipa_client
from novajoin.openstack import images
from novajoin.policies import enforcer as policy
from novajoin.services import manager as services_manager

LOG = logging.getLogger(__name__)

PIPELINES = {'keystone': 'join', 'noauth': 'join_noauth'}

# global_conf key under which tests hand ready-made APIServices to the app.
SERVICES_KEY = 'novajoin_services'


class APIServices(object):
    """What the handlers use.

    conf, policy enforcer, enroller, and the TLS services of instances
    (None: metadata service keys are ignored).
    """

    def __init__(self, conf, enforcer, enroller, tls_services=None,
                 ipa=None, session=None):
        self.conf = conf
        self.enforcer = enforcer
        self.enroller = enroller
        self.tls_services = tls_services
        self._ipa = ipa
        self._session = session

    def add_logins(self, warm_up):
        """The logins a worker can do before its first request: one per
        IPA server, and ``[service_credentials]``'s Keystone token with a
        first request to Glance (the first image lookup is then a
        round trip on an open connection).
        """
        # Without [service_credentials] there is nothing to log in with.
        if self._session is not None and self._session.auth is not None:
            glance = images.ImageProperties.from_conf(self.conf,
                                                      self._session)
            warm_up.add('Keystone login with [service_credentials] and a '
                        'first Glance request', functools.partial(
                            glance.list_one,
                            self.conf.service_credentials.timeout
                            or service_credentials.DEFAULT_TIMEOUT))
        transport = self._ipa.transport if self._ipa is not None else None
        for server in (transport.servers if transport is not None else ()):
            warm_up.add('IPA login to %s' % server, functools.partial(
                transport.log_in, server, self._ipa.timeout))


def load_conf(args, default_config_files=None):
    """A parsed ConfigOpts with novajoin's and oslo.log's options."""
    conf = cfg.ConfigOpts()
    novajoin_conf.register_opts(conf)
    authtoken.set_defaults(conf)
    logging.register_options(conf)
    if default_config_files is None:
        default_config_files = [
            path for path in novajoin_conf.DEFAULT_CONFIG_FILES
            if os.path.exists(path)]
    conf(args, project='novajoin', prog='novajoin-server',
         default_config_files=default_config_files)
    return conf


def build_services(conf):
    """The conf-dependent objects the API handlers use."""
    ipa = ipa_client.IPAClient.from_conf(conf)
    session = service_credentials.load_session(conf)
    enroller = enrollment.Enroller.from_conf(conf, ipa=ipa, session=session)
    enforcer = policy.build_enforcer(conf)
    return APIServices(
        conf, enforcer, enroller,
        services_manager.TLSServices.from_conf(conf, ipa, enforcer),
        ipa=ipa, session=session)


def load_app(conf, services=None, warm_up=None):
    """The API's WSGI application for ``conf``.

    ``services`` replaces the objects :func:`build_services` would make
    (tests pass a fake enroller). ``warm_up``, a
    :class:`novajoin.api.warm_up.WarmUp`, gets the logins the pipeline can
    do before its first request; whoever loads the app starts it once the
    process serves (after any fork).
    """
    paste_file = find_paste_file(conf)
    pipeline = PIPELINES[conf.auth_strategy]
    LOG.info('Loading pipeline %s from %s', pipeline, paste_file)
    # ConfigLoader directly rather than paste's loadapp(): loadapp copies
    # global_conf into the parser's interpolated defaults, which only takes
    # strings, and keystonemiddleware and oslo.middleware need the
    # ConfigOpts object itself (``oslo_config_config``).
    loader = loadwsgi.ConfigLoader(paste_file)
    global_conf = {'oslo_config_config': conf}
    if services is not None:
        global_conf[SERVICES_KEY] = services
    if warm_up is not None:
        global_conf[warm_up_module.GLOBAL_CONF_KEY] = warm_up
    return loader.get_context(loadwsgi.APP, pipeline, global_conf).create()


def find_paste_file(conf):
    name = conf.api_paste_config
    path = name if os.path.isabs(name) else conf.find_file(name)
    if not path or not os.path.exists(path):
        raise cfg.ConfigFilesNotFoundError([name])
    return os.path.abspath(path)

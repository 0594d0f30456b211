"""Paste app factories of the API.

The conf-dependent objects (policy enforcer, enroller) come from
:mod:`novajoin.api.deploy`, which also loads this pipeline and hands the
ConfigOpts to every factory as ``oslo_config_config`` (keystonemiddleware
and oslo.middleware read it under that name too).
"""

from novajoin.api import deploy
from novajoin.api.handlers import metrics
from novajoin.api import router
from novajoin.api import routes
from novajoin.api import warm_up


def app_factory(global_conf, **local_conf):
    """POST /v1 (paste entry point ``join``)."""
    services = global_conf.get(deploy.SERVICES_KEY)
    if services is None:
        try:
            conf = global_conf['oslo_config_config']
        except KeyError:
            raise RuntimeError('The novajoin API must be loaded through '
                               'novajoin.api.deploy.load_app, which supplies '
                               'its configuration to the paste pipeline.')
        services = deploy.build_services(conf)
    logins = global_conf.get(warm_up.GLOBAL_CONF_KEY)
    if logins is not None:
        services.add_logins(logins)
    return router.Router(routes.JOIN_ROUTES, services)


def versions_app_factory(global_conf, **local_conf):
    """GET /, the version document; needs no authentication."""
    return router.Router(routes.VERSION_ROUTES, None)


def metrics_app_factory(global_conf, **local_conf):
    """GET /metrics; answers 404 unless [metrics] enabled."""
    conf = global_conf['oslo_config_config']
    return router.Router(routes.METRICS_ROUTES,
                         metrics.MetricsEndpoint.from_conf(conf))

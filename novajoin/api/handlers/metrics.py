"""GET /metrics on the API port, with ``[metrics] enabled`` and
``api_port_path``.

Otherwise the path answers 404 as if it did not exist (novajoin-server
serves metrics on a management listener of its own,
:mod:`novajoin.api.metrics_listener`). It needs no token (Prometheus
scrapes without one); the admin guide's "Monitoring" says how to keep it from
untrusted clients.
"""

import webob

from novajoin.api import errors
from novajoin import metrics


class MetricsEndpoint(object):
    """Whether metrics are served, and the registry that holds them."""

    def __init__(self, enabled, registry):
        self.enabled = enabled
        self.registry = registry

    @classmethod
    def from_conf(cls, conf):
        enabled = conf.metrics.enabled and conf.metrics.api_port_path
        return cls(enabled, metrics.build_registry() if enabled else None)


def show_metrics(req, endpoint):
    if not endpoint.enabled:
        raise errors.NotFound('No resource at this path.')
    body, content_type = metrics.exposition(endpoint.registry,
                                            req.headers.get('Accept'))
    response = webob.Response(body=body)
    response.headers['Content-Type'] = content_type
    response.cache_control = 'no-store'
    return response

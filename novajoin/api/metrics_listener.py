"""novajoin-server's /metrics on a management listener of its own.

With ``[metrics] enabled`` novajoin-server serves the API's metrics on
``[metrics] api_listener_host:api_listener_port`` (plain HTTP, 127.0.0.1:9094
by default), never on the tenant-facing API port, which answers /metrics
only with ``[metrics] api_port_path``. With several workers the
multiprocess directory sums them (:func:`novajoin.metrics.build_registry`).
"""

from oslo_log import log as logging
import prometheus_client

from novajoin import metrics

LOG = logging.getLogger(__name__)


def start(conf):
    """Serve /metrics when ``[metrics] enabled``; the server, or None."""
    group = conf.metrics
    if not group.enabled:
        return None
    server, _ = prometheus_client.start_http_server(
        group.api_listener_port, addr=group.api_listener_host,
        registry=metrics.build_registry())
    LOG.info('serving metrics on http://%s:%d/metrics',
             group.api_listener_host, group.api_listener_port)
    return server

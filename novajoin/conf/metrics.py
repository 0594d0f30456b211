"""[metrics] options: Prometheus metrics of both services."""

from oslo_config import cfg

GROUP = 'metrics'

metrics_opts = [
    cfg.BoolOpt('enabled', default=False,
                help='Serve Prometheus metrics: the API at GET /metrics on '
                     'the API port itself (the listener and TLS of POST /v1; '
                     'no token needed, so anyone who reaches that port can '
                     'read them: keep it off, or deny /metrics in front of '
                     'the API, where untrusted clients reach the API port), '
                     'and novajoin-notify on listener_host:listener_port '
                     '(plain HTTP, loopback by default). The '
                     'metrics hold counts and timings only, never a secret '
                     'or instance data. With several API processes set '
                     'PROMETHEUS_MULTIPROC_DIR (README "Monitoring").'),
    cfg.HostAddressOpt('listener_host', default='127.0.0.1',
                       help='Address novajoin-notify serves /metrics on.'),
    cfg.PortOpt('listener_port', default=9093,
                help='Port novajoin-notify serves /metrics on.'),
    cfg.IntOpt('owned_hosts_interval', default=300, min=0,
               help='Seconds between counts of the IPA hosts novajoin owns '
                    'and of those still waiting for enrollment '
                    '(novajoin_owned_hosts), done by novajoin-notify. Each '
                    'count is one host_find and one batch of host_show per '
                    '100 owned hosts. 0 disables the count.'),
]


def register_opts(conf):
    conf.register_opts(metrics_opts, group=GROUP)


def list_opts():
    return {GROUP: metrics_opts}

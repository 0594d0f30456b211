"""[metrics] options: Prometheus metrics of both services."""

from oslo_config import cfg

GROUP = 'metrics'

metrics_opts = [
    cfg.BoolOpt('enabled', default=False,
                help='Collect Prometheus metrics and serve them on a '
                     'management listener of their own, plain HTTP with no '
                     'token, loopback by default: novajoin-server on '
                     'api_listener_host:api_listener_port, novajoin-notify '
                     'on listener_host:listener_port. Under uWSGI or httpd '
                     'the API has no listener of its own: its metrics are '
                     'served only with api_port_path. The metrics hold '
                     'counts and timings only, never a secret or instance '
                     'data. With several API processes set '
                     'PROMETHEUS_MULTIPROC_DIR (admin guide, "Monitoring").'),
    cfg.HostAddressOpt('api_listener_host', default='127.0.0.1',
                       help='Address novajoin-server serves /metrics on '
                            '(plain HTTP; whoever reaches it can read '
                            'them).'),
    cfg.PortOpt('api_listener_port', default=9094,
                help='Port novajoin-server serves /metrics on.'),
    cfg.BoolOpt('api_port_path', default=False,
                help='Also answer GET /metrics on the API port itself (the '
                     'listener and TLS of POST /v1), with no token: anyone '
                     'who reaches the API port can read the metrics. The '
                     'only way to serve them under uWSGI or httpd; deny '
                     '/metrics in front of the API to clients that are not '
                     'yours (admin guide, "Monitoring"). Off: that path '
                     'answers '
                     '404.'),
    cfg.HostAddressOpt('listener_host', default='127.0.0.1',
                       help='Address novajoin-notify serves /metrics on.'),
    cfg.PortOpt('listener_port', default=9093,
                help='Port novajoin-notify serves /metrics on.'),
    cfg.IntOpt('owned_hosts_interval', default=300, min=0,
               help='Seconds between counts of the IPA hosts novajoin owns '
                    'and of those still waiting for enrollment '
                    '(novajoin_owned_hosts), done by novajoin-notify. For '
                    'N owned hosts each count costs about N/250 IPA round '
                    'trips (one batch of host_show per 250 hosts, plus '
                    'the paged owner search: 17 host_find up to about '
                    '22,000 hosts, 258 up to 350,000); memory stays '
                    'flat. 0 disables the count.'),
]


def register_opts(conf):
    conf.register_opts(metrics_opts, group=GROUP)


def list_opts():
    return {GROUP: metrics_opts}

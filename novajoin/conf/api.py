"""[api] options of novajoin-server's enrollment API."""

from oslo_config import cfg

GROUP = 'api'

api_opts = [
    cfg.FloatOpt('request_budget', default=4.0, min=0.5, max=60.0,
                 help='Seconds a vendordata request may spend from its '
                      'arrival, validating its Keystone token, reading '
                      'Glance and Keystone and writing to IPA, before the '
                      'API answers 503. Keep it below nova\'s [api] '
                      'vendordata_dynamic_read_timeout (5 s by default), so '
                      'nova gets our answer, not its own timeout.'),
    cfg.IntOpt('max_request_body_size', default=64 * 1024, min=1024,
               help='Largest vendordata request body accepted, in bytes; '
                    'larger bodies are answered 413.'),
]

# Only novajoin-server reads these; uWSGI and httpd have their own.
server_opts = [
    cfg.IntOpt('max_client_connections', default=4096, min=16,
               help='novajoin-server: client connections served at once '
                    'per worker process (each a green thread and a file '
                    'descriptor). Large, so that idle or slow clients do '
                    'not crowd nova out; the start raises the open files '
                    'limit to fit, or lowers this with a warning. Replaces '
                    'oslo.service\'s [DEFAULT] wsgi_default_pool_size.'),
    cfg.FloatOpt('tls_handshake_timeout', default=5.0, min=0.1,
                 help='novajoin-server: seconds a new connection has to '
                      'complete its TLS handshake; then it is closed with '
                      'one log line.'),
    cfg.FloatOpt('header_timeout', default=10.0, min=0.1,
                 help='novajoin-server: seconds a client has to send a '
                      'request line and all headers, counted from the '
                      'handshake or from the previous response on the same '
                      'connection; then it is closed. Keep it well below '
                      '[DEFAULT] client_socket_timeout.'),
]


def register_opts(conf):
    conf.register_opts(api_opts + server_opts, group=GROUP)


def list_opts():
    return {GROUP: api_opts + server_opts}

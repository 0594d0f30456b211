"""[api] options of novajoin-server's enrollment API."""

from oslo_config import cfg

GROUP = 'api'

api_opts = [
    cfg.FloatOpt('request_budget', default=4.0, min=0.5, max=60.0,
                 help='Seconds a vendordata request may spend, once its '
                      'token is validated, reading Glance and Keystone and '
                      'writing to IPA before the API answers 503. Keep it '
                      'below nova\'s [api] vendordata_dynamic_read_timeout '
                      '(5 s by default) with room for token validation, so '
                      'nova gets our answer, not its own timeout.'),
    cfg.IntOpt('max_request_body_size', default=64 * 1024, min=1024,
               help='Largest vendordata request body accepted, in bytes; '
                    'larger bodies are answered 413.'),
]


def register_opts(conf):
    conf.register_opts(api_opts, group=GROUP)


def list_opts():
    return {GROUP: api_opts}

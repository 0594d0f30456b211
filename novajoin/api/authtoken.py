"""keystonemiddleware's auth_token, bounded in time and answering as JSON.

Three things keystonemiddleware does not do by itself:

- bounded defaults: without ``[keystone_authtoken] http_connect_timeout``
  a Keystone that accepts connections and never answers holds a request
  for as long as the TCP connection lives, and ``http_request_max_retries``
  (3) multiplies whatever the timeout is. :func:`set_defaults` makes one
  validation cost at most 3 s, inside nova's 5 s;
- a Keystone that cannot answer gives 503 with ``Retry-After`` in the
  API's JSON, not a 401 or keystonemiddleware's own body;
- a token header that cannot be a token (folded, CR/LF, spaces, non-ASCII)
  is refused with 401 before anything is sent to Keystone, so the value is
  never echoed into an HTTP library's error, a traceback or a log.

It also stamps the request's arrival, from which ``[api] request_budget``
counts, so the budget includes the validation.
"""

import re
import time

from keystoneauth1 import exceptions as ksa_exceptions
from keystonemiddleware import auth_token
from oslo_log import log as logging
from oslo_middleware import request_id
import webob.exc

from novajoin.api import errors

LOG = logging.getLogger(__name__)

GROUP = 'keystone_authtoken'
ARRIVAL_KEY = 'novajoin.arrival'

# One validation: at most http_connect_timeout × (1 + retries) seconds.
DEFAULTS = {'http_connect_timeout': 3, 'http_request_max_retries': 0}

_TOKEN_HEADERS = ('X-Auth-Token', 'X-Service-Token')
# Fernet and JWS tokens are URL-safe base64 with dots: visible ASCII.
_TOKEN = re.compile(r'[\x21-\x7e]+')


def set_defaults(conf):
    """Register auth_token's options on ``conf`` with novajoin's defaults.

    keystonemiddleware registers the same options again when the pipeline
    is loaded; an equal option registered twice is one option.
    """
    for group, opts in auth_token.list_opts():
        conf.register_opts(opts, group=group)
    for name, value in DEFAULTS.items():
        conf.set_default(name, value, group=GROUP)


def malformed_token_header(headers):
    """The name of a token header that cannot hold a token, or None."""
    for name in _TOKEN_HEADERS:
        value = headers.get(name)
        if value is not None and not _TOKEN.fullmatch(value):
            return name
    return None


class AuthProtocol(auth_token.AuthProtocol):
    """auth_token with ``delay_auth_decision`` off: it answers itself."""

    def __init__(self, application, conf):
        # novajoin.deploy.load_app hands every filter the ConfigOpts.
        self._retry_after = conf['oslo_config_config'].enrollment.retry_after
        super().__init__(application, conf)

    def process_request(self, request):
        request.environ.setdefault(ARRIVAL_KEY, time.monotonic())
        malformed = malformed_token_header(request.headers)
        if malformed:
            LOG.info('request=%s refused: malformed %s header',
                     request.environ.get(request_id.ENV_REQUEST_ID),
                     malformed)
            return self._unauthorized(
                request, 'The %s header is malformed.' % malformed)
        try:
            return super().process_request(request)
        except webob.exc.HTTPUnauthorized:
            return self._unauthorized(
                request, 'Authentication required: send a valid Keystone '
                         'token in X-Auth-Token.')
        except ksa_exceptions.ConnectionError as exc:
            # keystonemiddleware lets a timeout (ConnectTimeout) through.
            LOG.error('request=%s Keystone could not validate a token: %s',
                      request.environ.get(request_id.ENV_REQUEST_ID), exc)
            return self._keystone_unavailable(request)
        except webob.exc.HTTPServiceUnavailable:
            return self._keystone_unavailable(request)

    def _keystone_unavailable(self, request):
        return errors.ServiceUnavailable(
            'Keystone could not validate the token in time; try again '
            'later.', self._retry_after).to_response(request.environ)

    def _unauthorized(self, request, message):
        return errors.json_error_response(
            401, message, request.environ,
            headers={'WWW-Authenticate':
                     'Keystone uri="%s"' % self.www_authenticate_uri})


def filter_factory(global_conf, **local_conf):
    """Paste filter factory, as keystonemiddleware's own."""
    conf = dict(global_conf)
    conf.update(local_conf)

    def auth_filter(application):
        return AuthProtocol(application, conf)
    return auth_filter

"""keystonemiddleware's auth_token, bounded in time and answering as JSON.

Five things keystonemiddleware does not do by itself:

- a token cache in memcached without ``memcache_security_strategy`` and
  ``memcache_secret_key`` is refused at start (ConfigurationError):
  whoever can write to memcached could otherwise make any string a token
  (:mod:`novajoin.conf.token_cache`);

- bounded defaults: without ``[keystone_authtoken] http_connect_timeout``
  a Keystone that accepts connections and never answers holds a request
  for as long as the TCP connection lives, and ``http_request_max_retries``
  (3) multiplies whatever the timeout is. :func:`set_defaults` makes one
  Keystone round trip cost at most 3 s;
- a deadline: a middleware that has not talked to Keystone yet makes
  several round trips for one token (version discovery, its own service
  token, the validation), 6 to 12 s against a hung Keystone. A token
  this process has not validated recently is therefore validated on a
  :class:`~novajoin.api.deadline_pool.DeadlinePool` and the request gets
  its answer by ``[api] request_budget`` from arrival whatever happens;
  a validation still running then finishes on its own, filling the
  cache for nova's next try. Tokens validated recently are answered from
  keystonemiddleware's cache, in the request's own thread;
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
from keystonemiddleware import exceptions as ksm_exceptions
from oslo_log import log as logging
from oslo_middleware import request_id
import webob.exc

from novajoin.api import deadline_pool
from novajoin.api import errors
from novajoin.api import validated_tokens
from novajoin.api import warm_up
from novajoin.conf import token_cache
from novajoin import exception

LOG = logging.getLogger(__name__)

GROUP = 'keystone_authtoken'
ARRIVAL_KEY = 'novajoin.arrival'

# One Keystone round trip: at most http_connect_timeout × (1 + retries)
# seconds.
DEFAULTS = {'http_connect_timeout': 3, 'http_request_max_retries': 0}

_TOKEN_HEADERS = ('X-Auth-Token', 'X-Storage-Token', 'X-Service-Token')
# Fernet and JWS tokens are URL-safe base64 with dots: visible ASCII.
_TOKEN = re.compile(r'[\x21-\x7e]+')

# Validations of new tokens in flight per process. Each ends within its
# round trips' timeouts; a hung Keystone holds at most this many threads.
MAX_VALIDATIONS = 16


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
        # novajoin.api.deploy.load_app hands every filter the ConfigOpts.
        oslo_conf = conf['oslo_config_config']
        self._retry_after = oslo_conf.enrollment.retry_after
        self._budget = oslo_conf.api.request_budget
        try:
            super().__init__(application, conf)
        except ksm_exceptions.ConfigurationError as exc:
            # e.g. a memcache_security_strategy without a secret key.
            raise exception.ConfigurationError(
                '[keystone_authtoken]: %s' % exc) from None
        unsafe = token_cache.problem(
            self._conf.get('memcached_servers'),
            self._conf.get('memcache_security_strategy'),
            self._conf.get('memcache_secret_key'))
        if unsafe:
            raise exception.ConfigurationError(unsafe)
        self._validated = validated_tokens.ValidatedTokens(
            int(self._conf.get('token_cache_time')))
        self._validations = deadline_pool.DeadlinePool(
            MAX_VALIDATIONS, 'token-validation')

    def log_in(self):
        """Log in to Keystone with this middleware's own credentials, as
        the first validation would otherwise do first.
        """
        if self._auth is not None:
            self._auth.get_token(self._session)

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
            return self._validate(request)
        except deadline_pool.DeadlineExceeded:
            LOG.error('request=%s Keystone did not validate a token within '
                      '[api] request_budget (%s s)',
                      request.environ.get(request_id.ENV_REQUEST_ID),
                      self._budget)
            return self._keystone_unavailable(request)
        except deadline_pool.PoolSaturated:
            LOG.error('request=%s token not validated: %d validations '
                      'already wait for Keystone',
                      request.environ.get(request_id.ENV_REQUEST_ID),
                      MAX_VALIDATIONS)
            return self._keystone_unavailable(request)
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

    def _validate(self, request):
        tokens = (request.user_token, request.service_token)
        # Without a token keystonemiddleware answers 401 by itself.
        if not any(tokens) or tokens in self._validated:
            return super().process_request(request)
        # The call may outlive the request: it gets an environ of its own,
        # adopted only when it finishes in time.
        candidate = request.__class__(dict(request.environ))
        deadline = request.environ[ARRIVAL_KEY] + self._budget
        response = self._validations.call(
            deadline, self._validate_new, candidate, tokens)
        request.environ.clear()
        request.environ.update(candidate.environ)
        return response

    def _validate_new(self, request, tokens):
        started = self._validated.start()
        response = super().process_request(request)
        if response is None:
            self._validated.add(tokens, started)
        return response

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
        # keystonemiddleware warns of every key it does not know.
        logins = conf.pop(warm_up.GLOBAL_CONF_KEY, None)
        protocol = AuthProtocol(application, conf)
        if logins is not None:
            logins.add('Keystone login with [keystone_authtoken]',
                       protocol.log_in)
        return protocol
    return auth_filter

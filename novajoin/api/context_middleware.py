"""Paste filters that put a :class:`RequestContext` into the WSGI environ.

``filter_factory`` (paste entry point ``context``) builds the context from
the headers keystonemiddleware's auth_token sets after validating a token.
:mod:`novajoin.api.authtoken` answers 401 before a request without a valid
token gets here; should a pipeline run auth_token with
``delay_auth_decision``, this filter still answers 401 itself, as JSON
with the request id.
``noauth_filter_factory`` is the local sandbox's stand-in for both: it
trusts every caller as nova's service user, so it warns loudly when loaded.
"""

from oslo_log import log as logging
from oslo_middleware import request_id

from novajoin.api import context
from novajoin.api import errors

LOG = logging.getLogger(__name__)

ENVIRON_KEY = 'novajoin.context'


def context_of(environ):
    """The RequestContext a context filter put into ``environ``."""
    return environ[ENVIRON_KEY]


class KeystoneContext(object):
    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        # auth_token drops any X-Identity-Status a client sends, so only a
        # token it validated gets past here.
        if environ.get('HTTP_X_IDENTITY_STATUS') != 'Confirmed':
            response = errors.json_error_response(
                401, 'Authentication required: send a valid Keystone token '
                     'in X-Auth-Token.', environ)
            return response(environ, start_response)
        environ[ENVIRON_KEY] = context.RequestContext.from_environ(environ)
        return self.application(environ, start_response)


class NoAuthContext(object):
    """Every request acts as nova's service user. Sandbox only."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        environ[ENVIRON_KEY] = context.RequestContext(
            user_id='noauth', user_name='nova', project_id='noauth',
            project_name='service', roles=['service'],
            request_id=environ.get(request_id.ENV_REQUEST_ID))
        return self.application(environ, start_response)


def filter_factory(global_conf, **local_conf):
    return KeystoneContext


def noauth_filter_factory(global_conf, **local_conf):
    LOG.warning('auth_strategy = noauth: the novajoin API does NOT check '
                'tokens and hands one-time passwords for IPA hosts to '
                'ANYONE who can reach it. Use this only in a local '
                'sandbox, never in a cloud.')
    return NoAuthContext

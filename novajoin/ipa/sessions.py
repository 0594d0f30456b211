"""IPA login sessions: one ``ipa_session`` cookie per server.

The cookie is shared by every caller; when IPA rejects it, one caller logs
in again while the others wait for the new cookie.
"""

import functools
import logging
import threading

from novajoin.ipa import connections
from novajoin.ipa import errors
from novajoin.ipa import retry

# Logged under the transport's name, as operators filter on it.
LOG = logging.getLogger('novajoin.ipa.transport')

SESSION_COOKIE = 'ipa_session'
REJECTION_REASON = 'X-IPA-Rejection-Reason'


class Sessions(object):
    """Session cookies for ``servers``, got by ``authenticator``'s login.

    ``post`` is :meth:`connections.Connections.post`.
    """

    def __init__(self, servers, authenticator, post):
        self._authenticator = authenticator
        self._post = post
        self._login_locks = {s: threading.Lock() for s in servers}
        self._cookies = {}

    def cookie(self, call, server, stale):
        """A session for ``server`` other than ``stale``.

        Callers that find their session rejected at the same time wait for
        one login instead of each logging in.
        """
        cookie = self._cookies.get(server)
        if cookie is not None and cookie != stale:
            return cookie
        lock = self._login_locks[server]
        if not lock.acquire(timeout=call.deadline.remaining()):
            raise errors.IPAUnavailable(
                'timed out waiting for a login to IPA server %s' % server)
        try:
            cookie = self._cookies.get(server)
            if cookie is not None and cookie != stale:
                return cookie
            self._cookies.pop(server, None)
            cookie = self._login(call, server)
            self._cookies[server] = cookie
            return cookie
        finally:
            lock.release()

    def _login(self, call, server):
        LOG.debug('IPA login server=%s with=%r', server, self._authenticator)
        try:
            response = self._authenticator.login(
                functools.partial(self._post, call, server), server.base_url)
        except retry.Retryable as exc:
            # Only the login was sent: the call itself may go anywhere.
            raise exc.before_the_call() from exc
        if response.status_code == 200:
            cookie = response.cookies.get(SESSION_COOKIE)
            if not cookie:
                raise errors.IPAAuthenticationError(
                    'IPA server %s accepted the login but set no %s cookie'
                    % (server, SESSION_COOKIE), status=200)
            LOG.info('IPA login succeeded server=%s', server)
            return cookie
        if response.status_code == 401:
            reason = response.headers.get(REJECTION_REASON)
            raise errors.IPAAuthenticationError(
                'IPA server %s rejected the login with %r: %s' % (
                    server, self._authenticator,
                    reason or 'no reason given'),
                reason=reason, status=401)
        if response.status_code >= 500:
            raise retry.Retryable(server, 'HTTP %d on login'
                                  % response.status_code)
        raise errors.IPAProtocolError(
            'IPA server %s answered the login with HTTP %d: %s'
            % (server, response.status_code, connections.quote(response)))

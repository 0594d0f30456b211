"""HTTPS to IPA: bounded connection reuse, sessions, failover and retries.

One :class:`Transport` serves every thread (OS or green) of a process. A
call gets one deadline; everything it waits for -- a free connection, a
login another caller is doing, retries, backoff -- comes out of it.

The parts: :mod:`connections` (the HTTPS session and connection slots),
:mod:`sessions` (logins), :mod:`retry` (what is retried, and when) and
:mod:`routing` (which server a call tries first).
"""

import time

import requests
import tenacity

from novajoin.ipa import connections
from novajoin.ipa import deadline as deadlines
from novajoin.ipa import errors
from novajoin.ipa import retry
from novajoin.ipa import routing
from novajoin.ipa import sessions

JSON_PATH = '/session/json'


class Transport(object):
    """``max_connections`` is per server.

    FreeIPA serves JSON-RPC from 4 single-threaded WSGI processes per
    server, so more connections only queue in its httpd.
    """

    def __init__(self, servers, authenticator, ca_file, max_connections=4,
                 connect_retries=3, retry_backoff=0.1, session=None,
                 sleep=time.sleep):
        if not servers:
            raise errors.IPAConfigurationError('no IPA servers configured')
        self.servers = list(servers)
        self.ca_file = ca_file
        self.max_connections = max_connections
        self._connections = connections.Connections(
            self.servers,
            session or connections.build_session(max_connections,
                                                 len(self.servers)),
            ca_file, max_connections)
        self._sessions = sessions.Sessions(self.servers, authenticator,
                                           self._connections.post)
        self._retry = retry.RetryPolicy(connect_retries + 1, retry_backoff,
                                        sleep)
        self._router = routing.Router(self.servers)

    @property
    def max_attempts(self):
        return self._retry.max_attempts

    def close(self):
        self._connections.close()

    def log_in(self, server, seconds):
        """Get ``server`` a session within ``seconds``, unless it has one.

        A process logs in when it starts serving rather than during the
        first request that reaches each server; a server that cannot be
        reached is then tried last by the calls that may go elsewhere.
        """
        call = retry.Call(deadlines.Deadline(seconds), [server])
        try:
            self._sessions.cookie(call, server, stale=None)
        except retry.Retryable as exc:
            self._router.failed(server)
            raise errors.IPAUnavailable('cannot log in to IPA: %s' % exc)
        except requests.RequestException as exc:
            raise errors.IPAProtocolError(
                'unexpected HTTP failure logging in to IPA server %s: %s'
                % (server, exc))

    def post_json(self, body, deadline, key=None, write=False,
                  written=()):
        """POST ``body`` to /ipa/session/json; return the decoded JSON.

        ``key`` (a host's FQDN) picks the server, see :mod:`routing`.
        Logs in first if needed, and again once on a 401. A ``write`` that
        a server may hold without having answered (now or in an earlier
        call) is tried on that server again and never on another;
        ``written`` names the hosts it writes about (default: ``key``),
        each kept on the server that took it (:meth:`routing.Router.wrote`).
        """
        call = retry.Call(deadline, self._router.order(key, write=write))
        try:
            for attempt in self._retry.retrying(call):
                with attempt:
                    return self._attempt(call, body, key, write,
                                         written or [key])
        except tenacity.RetryError as exc:
            last = exc.last_attempt.exception()
            if call.stayed:
                raise errors.IPAUnavailable(
                    'a write about %s stays on IPA server %s, which may hold '
                    'it (or an earlier write about it) and did not answer; '
                    'not sent to another server (%d attempt(s) within '
                    '%.1fs): %s' % (key, call.server, call.attempts,
                                    deadline.seconds, last))
            raise errors.IPAUnavailable(
                'no answer from IPA after %d attempt(s) within %.1fs; '
                'last error: %s' % (call.attempts, deadline.seconds, last))
        except requests.RequestException as exc:
            raise errors.IPAProtocolError(
                'unexpected HTTP failure talking to IPA: %s' % exc)

    def _attempt(self, call, body, key, write, written):
        if call.deadline.remaining() < retry.MIN_ATTEMPT_SECONDS:
            raise errors.IPAUnavailable(
                'no time left for an IPA call (deadline %.2fs)'
                % call.deadline.seconds)
        call.attempts += 1
        server = call.server
        try:
            envelope = self._call_server(call, server, body)
        except retry.Retryable as exc:
            self._router.failed(server)
            if write and exc.may_have_run:
                self._router.wrote(written, server)
            if write and self._router.pinned(key) == server:
                # The write may be on this server and on no other yet:
                # sent elsewhere, the host could get an entry on two
                # replicas.
                call.stay()
                raise
            call.server_failed()
            raise
        self._router.answered(server)
        if write:
            self._router.wrote(written, server)
        return envelope

    def _call_server(self, call, server, body):
        cookie = self._sessions.cookie(call, server, stale=None)
        response = self._post_rpc(call, server, body, cookie)
        if response.status_code == 401:
            cookie = self._sessions.cookie(call, server, stale=cookie)
            response = self._post_rpc(call, server, body, cookie)
            if response.status_code == 401:
                raise errors.IPAAuthenticationError(
                    'IPA server %s refused a session it had just granted'
                    % server,
                    reason=response.headers.get(sessions.REJECTION_REASON),
                    status=401)
        if response.status_code >= 500:
            # 503: not served at all; any other 5xx may come after the
            # command ran (FreeIPA's 500 on a marshalling crash, a
            # proxy's 502 or 504).
            raise retry.Retryable(server, 'HTTP %d' % response.status_code,
                                  may_have_run=response.status_code != 503)
        if response.status_code != 200:
            raise errors.IPAProtocolError(
                'IPA server %s answered HTTP %d to a JSON-RPC call: %s'
                % (server, response.status_code,
                   connections.quote(response)))
        try:
            return response.json()
        except ValueError:
            raise errors.IPAProtocolError(
                'IPA server %s answered a JSON-RPC call with non-JSON '
                '(Content-Type %s): %s' % (
                    server, response.headers.get('Content-Type'),
                    connections.quote(response)))

    def _post_rpc(self, call, server, body, cookie):
        return self._connections.post(
            call, server, server.base_url + JSON_PATH, data=body,
            headers={'Content-Type': 'application/json',
                     'Accept': 'application/json',
                     'Cookie': '%s=%s' % (sessions.SESSION_COOKIE, cookie)})

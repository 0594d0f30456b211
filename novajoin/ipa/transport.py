"""HTTPS to IPA: bounded connection reuse, sessions, failover and retries.

One :class:`Transport` serves every thread (OS or green) of a process. A
call gets one deadline; everything it waits for -- a free connection, a
login another caller is doing, retries, backoff -- comes out of it.
"""

import functools
import http.cookiejar
import logging
import ssl
import threading
import time

import requests
from requests import adapters
import tenacity

from novajoin.ipa import errors
from novajoin.ipa import routing
from novajoin.ipa import slots
from novajoin import metrics

LOG = logging.getLogger(__name__)
# One DEBUG line per HTTPS round trip with how long it held its connection
# slot; set this logger to DEBUG (oslo.log default_log_levels) to see them.
TIMING_LOG = logging.getLogger('novajoin.ipa.timing')

SESSION_COOKIE = 'ipa_session'
JSON_PATH = '/session/json'
REJECTION_REASON = 'X-IPA-Rejection-Reason'

# Below this, an attempt cannot finish a round trip, so do not start one.
MIN_ATTEMPT_SECONDS = 0.05
# Bodies quoted in errors are cut here: enough to recognise an error page.
QUOTE_LIMIT = 200


class _Retryable(Exception):
    """A failure another attempt (maybe on another server) may fix."""

    def __init__(self, server, description):
        super().__init__('%s: %s' % (server, description))
        self.server = server


def build_session(max_connections, server_count):
    """A ``requests.Session``, ``max_connections`` kept alive per server.
    """
    session = requests.Session()
    # No proxies, netrc credentials or CA bundle from the environment: IPA
    # is reached directly and trusted only through [ipa] ca_file.
    session.trust_env = False
    # The ipa_session cookie is carried per server by the transport.
    session.cookies.set_policy(
        http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    session.mount('https://', adapters.HTTPAdapter(
        pool_connections=server_count, pool_maxsize=max_connections,
        pool_block=True, max_retries=0))
    return session


def _certificate_verification_error(exc):
    """The ssl.SSLCertVerificationError somewhere inside ``exc``, if any."""
    seen = set()
    pending = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            return current
        # An SSLError's reason is a string; urllib3's is an exception.
        linked = [current.__cause__, current.__context__,
                  getattr(current, 'reason', None)]
        linked.extend(getattr(current, 'args', ()))
        pending.extend(a for a in linked if isinstance(a, BaseException))
    return None


def _quote(response):
    text = response.text.strip().replace('\n', ' ')
    if len(text) > QUOTE_LIMIT:
        text = text[:QUOTE_LIMIT] + '...'
    return text


class _Call(object):
    """Progress of one call through its servers, in preference order."""

    def __init__(self, deadline, servers):
        self.deadline = deadline
        self.servers = servers
        self.index = 0
        self.tried = set()
        self.attempts = 0

    @property
    def server(self):
        return self.servers[self.index]

    def untried_servers(self):
        return len(self.servers) - len(self.tried)

    def connect_timeout(self):
        # Leave room to fail over: a server that does not answer SYNs
        # must not eat the time the untried servers would need.
        return self.deadline.remaining() / max(1, self.untried_servers())

    def server_failed(self):
        self.tried.add(self.index)
        self.index = (self.index + 1) % len(self.servers)


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
        self.max_attempts = connect_retries + 1
        self._authenticator = authenticator
        self._session = session or build_session(max_connections,
                                                 len(self.servers))
        self._sleep = sleep
        self._backoff = tenacity.wait_random_exponential(
            multiplier=retry_backoff)
        self._router = routing.Router(self.servers)
        self._slots = {s: slots.DeadlineSlots(max_connections,
                                              name='ipa-%s' % s)
                       for s in self.servers}
        self._login_locks = {s: threading.Lock() for s in self.servers}
        self._cookies = {}

    def close(self):
        for server_slots in self._slots.values():
            server_slots.close()
        self._session.close()

    def post_json(self, body, deadline, key=None):
        """POST ``body`` to /ipa/session/json; return the decoded JSON.

        ``key`` (a host's FQDN) picks the server, see :mod:`routing`.
        Logs in first if needed, and again once on a 401.
        """
        call = _Call(deadline, self._router.order(key))
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_Retryable),
            stop=tenacity.stop_any(
                tenacity.stop_after_attempt(self.max_attempts),
                functools.partial(self._out_of_time, call)),
            wait=functools.partial(self._delay_before_retry, call),
            sleep=self._sleep,
            before_sleep=self._log_retry)
        try:
            for attempt in retrying:
                with attempt:
                    return self._attempt(call, body)
        except tenacity.RetryError as exc:
            last = exc.last_attempt.exception()
            raise errors.IPAUnavailable(
                'no answer from IPA after %d attempt(s) within %.1fs; '
                'last error: %s' % (call.attempts, deadline.seconds, last))
        except requests.RequestException as exc:
            raise errors.IPAProtocolError(
                'unexpected HTTP failure talking to IPA: %s' % exc)

    def _out_of_time(self, call, retry_state):
        return call.deadline.remaining() < MIN_ATTEMPT_SECONDS

    def _delay_before_retry(self, call, retry_state):
        if call.untried_servers() > 0:
            return 0.0
        delay = self._backoff(retry_state)
        budget = call.deadline.remaining() - MIN_ATTEMPT_SECONDS
        return max(0.0, min(delay, budget))

    def _log_retry(self, retry_state):
        LOG.warning('IPA attempt failed attempt=%d error=%s retry_in=%.2fs',
                    retry_state.attempt_number,
                    retry_state.outcome.exception(),
                    retry_state.next_action.sleep)

    def _attempt(self, call, body):
        if call.deadline.remaining() < MIN_ATTEMPT_SECONDS:
            raise errors.IPAUnavailable(
                'no time left for an IPA call (deadline %.2fs)'
                % call.deadline.seconds)
        call.attempts += 1
        server = call.server
        try:
            envelope = self._call_server(call, server, body)
        except _Retryable:
            call.server_failed()
            self._router.failed(server)
            raise
        self._router.answered(server)
        return envelope

    def _call_server(self, call, server, body):
        cookie = self._session_cookie(call, server, stale=None)
        response = self._post_rpc(call, server, body, cookie)
        if response.status_code == 401:
            cookie = self._session_cookie(call, server, stale=cookie)
            response = self._post_rpc(call, server, body, cookie)
            if response.status_code == 401:
                raise errors.IPAAuthenticationError(
                    'IPA server %s refused a session it had just granted'
                    % server, reason=response.headers.get(REJECTION_REASON),
                    status=401)
        if response.status_code >= 500:
            raise _Retryable(server, 'HTTP %d' % response.status_code)
        if response.status_code != 200:
            raise errors.IPAProtocolError(
                'IPA server %s answered HTTP %d to a JSON-RPC call: %s'
                % (server, response.status_code, _quote(response)))
        try:
            return response.json()
        except ValueError:
            raise errors.IPAProtocolError(
                'IPA server %s answered a JSON-RPC call with non-JSON '
                '(Content-Type %s): %s' % (
                    server, response.headers.get('Content-Type'),
                    _quote(response)))

    def _post_rpc(self, call, server, body, cookie):
        return self._post(call, server, server.base_url + JSON_PATH,
                          data=body,
                          headers={'Content-Type': 'application/json',
                                   'Accept': 'application/json',
                                   'Cookie': '%s=%s' % (SESSION_COOKIE,
                                                        cookie)})

    def _session_cookie(self, call, server, stale):
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
        response = self._authenticator.login(
            functools.partial(self._post, call, server), server.base_url)
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
            raise _Retryable(server, 'HTTP %d on login'
                             % response.status_code)
        raise errors.IPAProtocolError(
            'IPA server %s answered the login with HTTP %d: %s'
            % (server, response.status_code, _quote(response)))

    def _post(self, call, server, url, headers=None, **kwargs):
        """One POST in one connection slot, freed after the body is read."""
        headers = dict(headers or {})
        headers['Referer'] = server.base_url
        asked = time.perf_counter()
        timing = []

        def round_trip():
            sent = time.perf_counter()
            metrics.IPA_CONNECTION_WAITS.labels(outcome='acquired').observe(
                sent - asked)
            try:
                return self._send(call, server, url, headers, kwargs)
            finally:
                timing.extend((sent, time.perf_counter()))

        try:
            response, held = self._slots[server].run(call.deadline,
                                                     round_trip)
        except slots.NoSlot:
            metrics.IPA_CONNECTION_WAITS.labels(outcome='timeout').observe(
                time.perf_counter() - asked)
            raise errors.IPAUnavailable(
                'no free connection to IPA server %s within %.1fs '
                '(max_connections_per_server=%d)'
                % (server, call.deadline.seconds, self.max_connections))
        if TIMING_LOG.isEnabledFor(logging.DEBUG):
            sent, answered = timing
            TIMING_LOG.debug(
                'IPA slot server=%s waited_ms=%.2f held_ms=%.2f '
                'wire_ms=%.2f', server, (sent - asked) * 1000, held * 1000,
                (answered - sent) * 1000)
        return response

    def _send(self, call, server, url, headers, kwargs):
        timeout = (max(call.connect_timeout(), MIN_ATTEMPT_SECONDS),
                   max(call.deadline.remaining(), MIN_ATTEMPT_SECONDS))
        try:
            response = self._session.post(
                url, headers=headers, timeout=timeout, verify=self.ca_file,
                allow_redirects=False, **kwargs)
            response.content
            return response
        except requests.exceptions.SSLError as exc:
            failure = _certificate_verification_error(exc)
            if failure is not None:
                raise errors.IPATLSError(
                    'certificate of IPA server %s did not verify against '
                    'CA file %s: %s' % (server, self.ca_file,
                                        failure.verify_message or failure))
            raise _Retryable(server, 'TLS failure: %s' % exc)
        except (requests.ConnectionError, requests.Timeout,
                requests.exceptions.ChunkedEncodingError) as exc:
            raise _Retryable(server, exc)
        except requests.RequestException:
            raise
        except OSError as exc:
            # requests raises a bare OSError for a missing CA file.
            raise errors.IPATLSError(
                'cannot verify IPA server %s with CA file %s: %s'
                % (server, self.ca_file, exc))

"""HTTPS connections to IPA servers: the session and one POST in a slot.

At most ``max_connections`` requests per server are in flight; a caller
waits for a free slot out of its call's deadline. Network failures, TLS
handshakes included, come out as :class:`retry.Retryable`; an untrusted
certificate or an unreadable CA file as :class:`errors.IPATLSError`, which
no retry can fix.
"""

import http.cookiejar
import logging
import ssl
import time

import requests
from requests import adapters
from urllib3 import exceptions as urllib3_exceptions

from novajoin.ipa import errors
from novajoin.ipa import retry
from novajoin.ipa import slots
from novajoin import metrics

# One DEBUG line per HTTPS round trip with how long it held its connection
# slot; set this logger to DEBUG (oslo.log default_log_levels) to see them.
TIMING_LOG = logging.getLogger('novajoin.ipa.timing')

# Bodies quoted in errors are cut here: enough to recognise an error page.
QUOTE_LIMIT = 200


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


def quote(response):
    """The start of ``response``'s body, on one line, for an error."""
    text = response.text.strip().replace('\n', ' ')
    if len(text) > QUOTE_LIMIT:
        text = text[:QUOTE_LIMIT] + '...'
    return text


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


def _never_sent(exc):
    """Whether ``exc`` failed the connection itself (refused, no route,
    connect timeout): the server cannot have seen the request.
    """
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0] if exc.args else None, 'reason', None)
    return isinstance(reason, (urllib3_exceptions.NewConnectionError,
                               urllib3_exceptions.ConnectTimeoutError))


class Connections(object):
    """POSTs to ``servers`` over ``session``, verified with ``ca_file``."""

    def __init__(self, servers, session, ca_file, max_connections):
        self.ca_file = ca_file
        self.max_connections = max_connections
        self._session = session
        self._slots = {s: slots.DeadlineSlots(max_connections,
                                              name='ipa-%s' % s)
                       for s in servers}

    def close(self):
        for server_slots in self._slots.values():
            server_slots.close()
        self._session.close()

    def post(self, call, server, url, headers=None, **kwargs):
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
        timeout = (max(call.connect_timeout(), retry.MIN_ATTEMPT_SECONDS),
                   max(call.deadline.remaining(), retry.MIN_ATTEMPT_SECONDS))
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
            # Maybe the handshake, maybe cut off after the request.
            raise retry.Retryable(server, 'TLS failure: %s' % exc,
                                  may_have_run=True)
        except (requests.ConnectionError, requests.Timeout,
                requests.exceptions.ChunkedEncodingError) as exc:
            raise retry.Retryable(server, exc,
                                  may_have_run=not _never_sent(exc))
        except requests.RequestException:
            raise
        except OSError as exc:
            # requests raises a bare OSError for a missing CA file.
            raise errors.IPATLSError(
                'cannot verify IPA server %s with CA file %s: %s'
                % (server, self.ca_file, exc))

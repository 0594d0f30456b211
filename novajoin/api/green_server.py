"""How novajoin-server's eventlet server treats each client connection.

oslo.service's server wraps the listening socket in TLS and lets the
handshake and the request wait on a client for ``client_socket_timeout``
(900 s) in one of ``wsgi_default_pool_size`` (100) green threads: a hundred
connections that send nothing stop the API for everyone. Here each
connection does its TLS handshake in its own green thread within
``[api] tls_handshake_timeout`` and must deliver every request line and
headers within ``[api] header_timeout``; the pool is ``[api]
max_client_connections`` large, so idle and slow clients wait in green
threads of their own, each costing a socket and a few kilobytes.

A failed or abandoned handshake (a port scan, a TCP health check, a TLS 1.1
client) is logged in one line, without a traceback.
"""

import io
import socket
import ssl

import eventlet
from eventlet import wsgi
from oslo_log import log as logging

LOG = logging.getLogger(__name__)


# [ssl] ciphers when unset (doc/source/admin/tls-policy.rst): TLS 1.2
# suites of Mozilla's "intermediate" profile, forward secret AEAD only, for
# EC and RSA keys.
# oslo.service's option has no default and no public way to give it one,
# so it is applied here. TLS 1.3 suites are OpenSSL's, all AEAD.
DEFAULT_CIPHERS = ':'.join([
    'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256',
    'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384',
    'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305'])


class _HandshakeTimeout(Exception):
    pass


class _HeaderTimeout(Exception):
    pass


def tls_context(ssl_conf):
    """The server's TLS context from ``[ssl]``: TLS 1.2 or newer.

    ``[ssl] ciphers`` replaces :data:`DEFAULT_CIPHERS` (TLS 1.2 only).
    Session tickets are off (their keys would live as long as the process).
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(ssl_conf.cert_file, ssl_conf.key_file)
    if ssl_conf.ca_file:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(ssl_conf.ca_file)
    context.set_ciphers(ssl_conf.ciphers or DEFAULT_CIPHERS)
    context.options |= ssl.OP_NO_TICKET
    return context


def protocol_class(context, handshake_timeout, header_timeout):
    """An eventlet HttpProtocol class with these TLS settings and limits.

    ``context`` None serves plain HTTP (only the header deadline applies).
    """
    return type('GuardedProtocol', (GuardedProtocol,), {
        'tls_context': context,
        'handshake_timeout': handshake_timeout,
        'header_timeout': header_timeout})


class GuardedProtocol(wsgi.HttpProtocol):
    """eventlet's HTTP protocol with deadlines for the client's part."""

    tls_context = None
    handshake_timeout = 5.0
    header_timeout = 10.0

    def setup(self):
        # Runs in this connection's green thread: a slow handshake delays
        # no one else.
        self._refused = False
        self._header_timer = None
        if self.tls_context is not None:
            try:
                self.request = self._handshake(self.request)
                self.conn_state[1] = self.request
            except (_HandshakeTimeout, OSError) as exc:
                LOG.info('client=%s TLS handshake failed: %s',
                         _peer(self.client_address), _describe(exc))
                # Nothing to read or answer; finish() only closes.
                self._refused = True
                self.connection = self.request
                self.rfile = io.BytesIO()
                self.wfile = io.BytesIO()
                return
        super().setup()

    def _handshake(self, raw):
        with eventlet.Timeout(self.handshake_timeout, _HandshakeTimeout):
            return self.tls_context.wrap_socket(raw, server_side=True)

    def handle(self):
        if not self._refused:
            super().handle()

    def handle_one_request(self):
        self._header_timer = eventlet.Timeout(self.header_timeout,
                                              _HeaderTimeout)
        try:
            super().handle_one_request()
        except _HeaderTimeout:
            LOG.info('client=%s sent no complete request headers within '
                     '%ss; connection closed', _peer(self.client_address),
                     self.header_timeout)
            self.close_connection = 1
        except ssl.SSLError as exc:
            LOG.info('client=%s TLS error: %s', _peer(self.client_address),
                     _describe(exc))
            self.close_connection = 1
        finally:
            self._header_timer.cancel()

    def get_environ(self):
        # The headers are in: the application's time is not the client's.
        self._header_timer.cancel()
        environ = super().get_environ()
        if self.tls_context is not None:
            environ['wsgi.url_scheme'] = 'https'
            environ['HTTPS'] = 'on'
        return environ

    def finish(self):
        try:
            super().finish()
        except OSError as exc:
            LOG.debug('client=%s closing: %s', _peer(self.client_address),
                      _describe(exc))


def _peer(address):
    if isinstance(address, tuple) and len(address) >= 2:
        return '%s:%s' % address[:2]
    return str(address)


def _describe(exc):
    if isinstance(exc, _HandshakeTimeout):
        return 'no handshake within the timeout'
    if isinstance(exc, ssl.SSLError) and exc.reason:
        return exc.reason
    if isinstance(exc, socket.timeout):
        return 'timed out'
    return str(exc) or type(exc).__name__

"""The HTTPS side: TLS, keep-alive, routes under ``/ipa``, outages.

:class:`IPASimulator` ties together the directory, the JSON-RPC engine,
logins, the controls and the admin endpoint; it can run in-process
(``start()``/``stop()``) or from ``python -m tests.ipasim``.
"""

import http.server
import json
import logging
import ssl
import threading
import time
import urllib.parse

from tests.ipasim import admin
from tests.ipasim import auth
from tests.ipasim import commands
from tests.ipasim import controls
from tests.ipasim import rbac
from tests.ipasim import sockets
from tests.ipasim import state

LOG = logging.getLogger('ipasim')

HTML = 'text/html; charset=utf-8'
JSON = 'application/json; charset=utf-8'
HANDSHAKE_TIMEOUT = 10.0
# Idle keep-alive connections are closed after this long.
IDLE_TIMEOUT = 120.0

_UNAUTHORIZED_PAGE = (
    '<html><head><title>IPA: Identity Policy Audit</title></head><body>'
    '<h1>Unable to verify your Kerberos credentials</h1>'
    '<p>Please make sure that you have valid Kerberos tickets (obtainable '
    'via kinit), and that you have configured your browser correctly.</p>'
    '</body></html>')


def _page(title, text):
    return ('<html><head><title>%s</title></head><body><h1>%s</h1><p>%s</p>'
            '</body></html>' % (title, title, text))


class _TLSServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, address, simulator):
        self.simulator = simulator
        super().__init__(address, _IPAHandler)

    def get_request(self):
        sock, address = self.socket.accept()
        # The handshake runs in the request thread (finish_request), so a
        # slow client cannot stall the accept loop.
        tls = self.simulator.ssl_context.wrap_socket(
            sock, server_side=True, do_handshake_on_connect=False)
        self.simulator.connections.opened(tls)
        return tls, address

    def finish_request(self, request, client_address):
        request.settimeout(HANDSHAKE_TIMEOUT)
        request.do_handshake()
        request.settimeout(None)
        super().finish_request(request, client_address)

    def close_request(self, request):
        self.simulator.connections.closed(request)
        super().close_request(request)

    def handle_error(self, request, client_address):
        LOG.debug('connection from %s:%s ended with an error',
                  *client_address[:2], exc_info=True)


class _IPAHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'ipasim'
    wbufsize = sockets.RESPONSE_BUFFER

    def setup(self):
        sockets.no_delay(self.request)
        super().setup()

    def version_string(self):
        return self.server_version
    timeout = IDLE_TIMEOUT

    ROUTES = {
        '/ipa/session/login_password': '_login_password',
        '/ipa/session/login_kerberos': '_login_kerberos',
        '/ipa/session/json': '_session_json',
    }

    def do_GET(self):
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def log_request(self, code='-', size='-'):
        """Requests are logged once, with the command, in _dispatch."""

    def log_error(self, fmt, *args):
        LOG.warning('%s: ' + fmt, self.client_address[0], *args)

    @property
    def sim(self):
        return self.server.simulator

    def _dispatch(self):
        started = time.monotonic()
        self.command_name = None
        self.response_status = None
        path = urllib.parse.urlsplit(self.path).path
        try:
            body = self._read_body()
            if body is None:
                return
            if self.sim.outage == '503':
                self._send(503, _page('Service Unavailable',
                                      'The server is temporarily unable to '
                                      'service your request.'))
                return
            route = self.ROUTES.get(path)
            if route is None:
                self._send(404, _page('Not Found', 'The requested URL was '
                                      'not found on this server.'))
                return
            with self.sim.gate.slot():
                getattr(self, route)(body)
        finally:
            LOG.info('%s %s command=%s status=%s duration_ms=%.1f',
                     self.command, path, self.command_name or '-',
                     self.response_status,
                     (time.monotonic() - started) * 1000.0)

    def _read_body(self):
        if self.headers.get('Transfer-Encoding'):
            self.close_connection = True
            self._send(411, _page('Length Required',
                                  'Send a Content-Length header.'))
            return None
        try:
            length = int(self.headers.get('Content-Length') or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            self._send(400, _page('Bad Request', 'Invalid Content-Length.'))
            return None
        return self.rfile.read(length) if length else b''

    def _send(self, status, body, content_type=HTML, headers=()):
        data = body.encode('utf-8') if isinstance(body, str) else body
        self.response_status = status
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(data)

    def _referer_ok(self):
        return (self.headers.get('Referer') or '').startswith(
            self.sim.referer_prefix)

    def _deny_referer(self):
        self._send(400, _page('Bad Request', 'Request denied: missing or '
                              'invalid HTTP Referer'))

    def _content_type(self):
        return (self.headers.get('Content-Type') or '').split(';')[0] \
            .strip().lower()

    # Routes.

    def _login_password(self, body):
        if not self._referer_ok():
            self._deny_referer()
            return
        try:
            principal = auth.password_login(
                self.sim.users, self.command,
                self.headers.get('Content-Type'), body)
        except auth.LoginRejected as e:
            headers = []
            if e.reason:
                headers.append(('X-IPA-Rejection-Reason', e.reason))
            title = 'Unauthorized' if e.status == 401 else 'Bad Request'
            self._send(e.status, _page(title, e.detail), headers=headers)
            return
        self._start_session(principal, 'password', headers=())

    def _login_kerberos(self, body):
        negotiate = ('WWW-Authenticate', 'Negotiate')
        authorization = self.headers.get('Authorization')
        if not authorization or self.sim.kerberos is None:
            self._send(401, _UNAUTHORIZED_PAGE, headers=[negotiate])
            return
        try:
            principal, reply = self.sim.kerberos.accept(authorization)
        except auth.LoginRejected as e:
            LOG.info('kerberos login rejected: %s', e.detail)
            self._send(401, _UNAUTHORIZED_PAGE, headers=[negotiate])
            return
        if not self._referer_ok():
            self._deny_referer()
            return
        headers = [('WWW-Authenticate', 'Negotiate ' + reply)] if reply else []
        self._start_session(principal, 'kerberos', headers)

    def _start_session(self, principal, kind, headers):
        token = self.sim.sessions.create(principal)
        self.sim.logins.count(kind)
        LOG.info('login kind=%s principal=%s', kind, principal)
        self._send(200, b'', headers=list(headers) + [
            ('Set-Cookie', auth.session_cookie(token))])

    def _session_json(self, body):
        token = auth.token_from_cookie_header(self.headers.get('Cookie'))
        principal = self.sim.sessions.principal(token)
        if principal is None:
            self._send(401, _UNAUTHORIZED_PAGE,
                       headers=[('WWW-Authenticate', 'Negotiate')])
            return
        if not self._referer_ok():
            self._deny_referer()
            return
        ended = []

        def end_session():
            self.sim.sessions.end(token)
            ended.append(True)

        caller = commands.Caller(principal, end_session,
                                 self.sim.users.access_of(
                                     principal, self.sim.rights_of))
        if self.command != 'POST' or self._content_type() != \
                'application/json':
            response = self.sim.engine.handle_non_json(caller)
        else:
            response, self.command_name = self.sim.engine.handle(body,
                                                                 caller)
        headers = []
        if ended:
            headers = [('IPASESSION', 'MagBearerToken='),
                       ('Set-Cookie', auth.cleared_session_cookie())]
        self._send(200, json.dumps(response), JSON, headers)


class IPASimulator(object):
    def __init__(self, host, port, cert, key, realm, domain, admin_password,
                 latency_ms=0, read_latency_ms=None, write_latency_ms=None,
                 max_concurrency=None, server_name='localhost',
                 admin_port=0, keytab=None, api_version='2.254',
                 release='4.12.2', admin_principals=()):
        self.host = host
        self.port = port
        self.server_name = server_name
        self.realm = realm
        self.domain = domain
        self.admin_port = admin_port
        self.initial_controls = {'latency_ms': latency_ms,
                                 'read_latency_ms': read_latency_ms,
                                 'write_latency_ms': write_latency_ms,
                                 'max_concurrency': max_concurrency,
                                 'directory_sizelimit': None,
                                 'outage': 'none'}
        self.ssl_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ssl_context.load_cert_chain(cert, key)
        self.directory = state.Directory(realm, domain, server_name)
        self.users = auth.Users(realm, admin_password, admin_principals)
        self.sessions = auth.SessionStore()
        self.kerberos = auth.KerberosAcceptor(keytab) if keytab else None
        self.gate = controls.CallGate(max_concurrency)
        self.connections = controls.ConnectionTracker()
        self.logins = controls.LoginCounter()
        self.latency = controls.Latency(latency_ms, read_latency_ms,
                                        write_latency_ms)
        self.outage = 'none'
        self.api_version = api_version
        self.release = release
        self.engine = commands.Engine(
            self.directory, api_version, release,
            'https://%s/ipa/xml' % server_name, self.latency)
        self._server = None
        self._thread = None
        self._admin = None
        self._listen_lock = threading.Lock()

    def rights_of(self, principal):
        """The rights ``principal``'s roles grant it (under the directory
        lock, which the command checking them holds).
        """
        with self.directory.lock:
            return rbac.rights_of(self.directory, principal)

    @property
    def url(self):
        return 'https://%s:%d/ipa' % (self.server_name, self.port)

    @property
    def referer_prefix(self):
        if self.port == 443:
            return 'https://%s/ipa' % self.server_name
        return 'https://%s:%d/ipa' % (self.server_name, self.port)

    @property
    def admin_url(self):
        return 'http://127.0.0.1:%d' % self._admin.server_address[1]

    def start(self):
        self._listen()
        self._admin = admin.AdminServer(('127.0.0.1', self.admin_port), self)
        self._admin.start()

    def stop(self):
        if self._admin is not None:
            self._admin.stop()
        with self._listen_lock:
            self._unlisten()
        self.connections.close_all()

    def _listen(self):
        self._server = _TLSServer((self.host, self.port), self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={'poll_interval': 0.2},
            name='ipasim-https', daemon=True)
        self._thread.start()

    def _unlisten(self):
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self._server = self._thread = None

    # Controls (admin endpoint).

    def apply_controls(self, changes):
        self.latency.update(changes)
        if 'max_concurrency' in changes:
            self.gate.set_limit(changes['max_concurrency'])
        if 'directory_sizelimit' in changes:
            self.directory.directory_sizelimit = changes[
                'directory_sizelimit']
        if 'outage' in changes:
            self._set_outage(changes['outage'])
        LOG.info('controls %s', changes)

    def _set_outage(self, mode):
        with self._listen_lock:
            self.outage = mode
            if mode == 'refuse':
                self._unlisten()
                self.connections.close_all()
            elif self._server is None:
                self._listen()

    def stats(self):
        out = {'calls': self.engine.calls.snapshot(),
               'calls_by_principal': self.engine.calls.by_principal(),
               'logins': self.logins.snapshot(),
               'host_visits': self.directory.host_visits}
        out.update(self.gate.snapshot())
        out.update(self.connections.snapshot())
        return out

    def reset_stats(self):
        self.engine.calls.reset()
        self.logins.reset()
        self.directory.host_visits = 0
        self.gate.reset_peak()
        self.connections.reset()

    def reset(self):
        """Directory, users and controls back to how the process started."""
        self.directory.reset()
        self.users.reset()
        self.apply_controls(dict(self.initial_controls))

"""The control endpoint: plain HTTP on 127.0.0.1, JSON in and out, no auth.

It runs on its own listener, so it keeps answering during outages.
"""

import http.server
import json
import logging
import threading

from tests.ipasim import controls
from tests.ipasim import dns
from tests.ipasim import hosts
from tests.ipasim import rpc
from tests.ipasim import services
from tests.ipasim import sockets

LOG = logging.getLogger('ipasim.admin')


class BadRequest(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def _require_str(body, key, required=True):
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise BadRequest(400, '%s must be a non-empty string' % key)
    return value


def _require_bool(body, key):
    value = body.get(key, False)
    if not isinstance(value, bool):
        raise BadRequest(400, '%s must be true or false' % key)
    return value


def get_stats(sim, body):
    return 200, sim.stats()


def reset_stats(sim, body):
    sim.reset_stats()
    return 200, sim.stats()


def post_control(sim, body):
    try:
        changes = controls.validate_control(body)
    except ValueError as e:
        raise BadRequest(400, str(e))
    sim.apply_controls(changes)
    return 200, dict(sim.latency.snapshot(), outage=sim.outage)


def expire_sessions(sim, body):
    sim.sessions.expire_all()
    return 200, {'expired': True}


def join(sim, body):
    fqdn = _require_str(body, 'fqdn')
    otp = _require_str(body, 'otp')
    try:
        enrolled = hosts.enroll(sim.directory, fqdn, otp)
    except hosts.JoinRefused as e:
        raise BadRequest(e.status, e.reason)
    LOG.info('join fqdn=%s enrolled=true', enrolled)
    return 200, {'fqdn': enrolled, 'enrolled': True}


def list_hosts(sim, body):
    """The hosts added since the start state: every host but the
    server's own entry (which ``host_find``/``host_show`` do show).
    """
    directory = sim.directory
    server = directory.server_name.lower().rstrip('.')
    with directory.lock:
        managing = directory.managing_index()
        entries = [hosts.view(directory, h, hosts.ALL_KEYS, managing)
                   for h in sorted(directory.each_host(),
                                   key=lambda h: h.fqdn)
                   if h.fqdn != server]
    return 200, entries


def list_dns(sim, body):
    return 200, dns.snapshot(sim.directory)


def _seed_one(sim, body):
    fqdn = _require_str(body, 'fqdn')
    description = _require_str(body, 'description', required=False)
    try:
        return hosts.seed(sim.directory, fqdn, description,
                          enrolled=_require_bool(body, 'enrolled'),
                          ipa_master=_require_bool(body, 'ipa_master'))
    except rpc.DuplicateEntry as e:
        raise BadRequest(409, e.message)
    except rpc.ValidationError as e:
        raise BadRequest(400, e.message)


def seed_host(sim, body):
    host = _seed_one(sim, body)
    with sim.directory.lock:
        return 201, hosts.view(sim.directory, host, hosts.ALL_KEYS)


def seed_hosts(sim, body):
    """Many seed_host bodies at once (``{"hosts": [...]}``), for tests
    that need thousands of hosts; stops at the first refused one.
    """
    entries = body.get('hosts')
    if not isinstance(entries, list) or not all(
            isinstance(entry, dict) for entry in entries):
        raise BadRequest(400, 'hosts must be a list of objects')
    for entry in entries:
        _seed_one(sim, entry)
    return 201, {'seeded': len(entries)}


def list_servers(sim, body):
    with sim.directory.lock:
        return 200, sim.directory.masters()


def seed_server(sim, body):
    """An IPA master: an enrolled host that server_find lists and that
    host_del/host_disable refuse.
    """
    body = dict(body, enrolled=True, ipa_master=True)
    return seed_host(sim, body)


def seed_zone(sim, body):
    zone = _require_str(body, 'zone')
    dns.seed(sim.directory, zone)
    return 201, {'zone': zone.lower().rstrip('.') + '.'}


def seed_records(sim, body):
    """Records not tied to any host: ``{"zone", "name", "records":
    {"arecord": [...], ...}}``; the zone is created if missing.
    """
    zone = _require_str(body, 'zone')
    name = _require_str(body, 'name')
    records = body.get('records')
    if not isinstance(records, dict) or not all(
            isinstance(v, list) for v in records.values()):
        raise BadRequest(400, 'records must map a record type to a list')
    try:
        dns.seed(sim.directory, zone, name, records)
    except (ValueError, rpc.ValidationError) as e:
        raise BadRequest(400, str(e))
    return 201, dns.snapshot(sim.directory)[zone.lower().rstrip('.') + '.']


def service_keytab(sim, body):
    """Play ipa-getkeytab for a service: it then has a keytab."""
    principal = _require_str(body, 'principal')
    directory = sim.directory
    with directory.lock:
        try:
            service = services.get_service(directory, principal)
        except rpc.NotFound as e:
            raise BadRequest(404, e.message)
        except (rpc.ValidationError, rpc.RealmMismatch) as e:
            raise BadRequest(400, e.message)
        service.keytab = True
        return 200, services.view(directory, service, services.ALL_KEYS)


def add_user(sim, body):
    user = _require_str(body, 'user')
    password = _require_str(body, 'password')
    read_only = _require_bool(body, 'read_only')
    try:
        sim.users.add(user, password, read_only=read_only)
    except ValueError as e:
        raise BadRequest(400, str(e))
    return 201, {'user': user, 'read_only': read_only}


def reset(sim, body):
    sim.reset()
    return 200, {'reset': True}


ROUTES = {
    '/stats': {'GET': get_stats},
    '/stats/reset': {'POST': reset_stats},
    '/control': {'POST': post_control},
    '/sessions/expire': {'POST': expire_sessions},
    '/join': {'POST': join},
    '/hosts': {'GET': list_hosts, 'POST': seed_host},
    '/hosts/bulk': {'POST': seed_hosts},
    '/dns': {'GET': list_dns},
    '/dns/zones': {'POST': seed_zone},
    '/dns/records': {'POST': seed_records},
    '/servers': {'GET': list_servers, 'POST': seed_server},
    '/services/keytab': {'POST': service_keytab},
    '/users': {'POST': add_user},
    '/reset': {'POST': reset},
}


class _AdminHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'ipasim-admin'
    wbufsize = sockets.RESPONSE_BUFFER

    def setup(self):
        sockets.no_delay(self.request)
        super().setup()

    def version_string(self):
        return self.server_version

    def do_GET(self):
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_GET

    def log_request(self, code='-', size='-'):
        LOG.debug('admin %s %s %s', self.command, self.path, code)

    def log_error(self, fmt, *args):
        LOG.warning('admin: ' + fmt, *args)

    def _dispatch(self):
        methods = ROUTES.get(self.path.split('?')[0])
        try:
            body = self._read_json()
            if methods is None:
                raise BadRequest(404, 'no such admin resource: %s'
                                 % self.path)
            handler = methods.get(self.command)
            if handler is None:
                raise BadRequest(405, 'use %s' % ', '.join(sorted(methods)))
            status, payload = handler(self.server.simulator, body)
        except BadRequest as e:
            status, payload = e.status, {'error': e.message}
        data = json.dumps(rpc.encode(
            payload, rpc.NO_VERSION_CAPABILITY)).encode('utf-8')
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        if methods is not None and status == 405:
            self.send_header('Allow', ', '.join(sorted(methods)))
        self.end_headers()
        self.wfile.write(data)

    def _read_json(self):
        length = int(self.headers.get('Content-Length') or 0)
        if not length:
            return {}
        try:
            body = json.loads(self.rfile.read(length))
        except ValueError as e:
            raise BadRequest(400, 'body is not JSON: %s' % e)
        if not isinstance(body, dict):
            raise BadRequest(400, 'body must be a JSON object')
        return body


class AdminServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, address, simulator):
        self.simulator = simulator
        super().__init__(address, _AdminHandler)
        self._thread = None

    def start(self):
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={'poll_interval': 0.2},
            name='ipasim-admin', daemon=True)
        self._thread.start()

    def stop(self):
        self.shutdown()
        self.server_close()
        self._thread.join()

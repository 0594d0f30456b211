"""A nova and neutron API stand-in for the listener tests.

It answers only what ``novajoin-notify`` asks: ``GET
/compute/v2.1/servers/{id}`` and ``GET /network/v2.0/ports/{id}``, over TLS,
and requires a token (which it does not validate: Keystone is real, the
catalog entries point here). Unknown servers and ports are 404, like a
deleted instance.
"""

import http.server
import json
import re
import ssl
import threading

SERVER_PATH = re.compile(r'^/compute/v2\.1/servers/([^/]+)$')
PORT_PATH = re.compile(r'^/network/v2\.0/ports/([^/]+)$')


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, fmt, *args):
        pass

    def _answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        standin = self.server.standin
        standin.requests.append(self.path)
        if standin.down:
            return self._answer(503, {'error': 'stand-in is down'})
        if not self.headers.get('X-Auth-Token'):
            return self._answer(401, {'error': 'no token'})
        match = SERVER_PATH.match(self.path)
        if match:
            server = standin.servers.get(match.group(1))
            if server is None:
                return self._answer(404, {'itemNotFound': {
                    'code': 404, 'message': 'Instance could not be found'}})
            return self._answer(200, {'server': server})
        match = PORT_PATH.match(self.path)
        if match:
            port = standin.ports.get(match.group(1))
            if port is None:
                return self._answer(404, {'NeutronError': {
                    'type': 'PortNotFound', 'message': 'not found'}})
            return self._answer(200, {'port': port})
        return self._answer(404, {'error': 'no route %s' % self.path})


class OpenStackStandin(object):

    def __init__(self, cert, key):
        self.servers = {}
        self.ports = {}
        self.down = False
        self.requests = []
        self._httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                      _Handler)
        self._httpd.daemon_threads = True
        self._httpd.standin = self
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self._httpd.socket = context.wrap_socket(self._httpd.socket,
                                                 server_side=True)
        self.url = 'https://localhost:%d' % self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def set_server(self, server_id, status='ACTIVE', vm_state='active'):
        self.servers[server_id] = {'id': server_id, 'status': status,
                                   'OS-EXT-STS:vm_state': vm_state}

    def delete_server(self, server_id):
        self.servers.pop(server_id, None)

    def set_port(self, port_id, device_id):
        self.ports[port_id] = {'id': port_id, 'device_id': device_id,
                               'device_owner': 'compute:nova'}

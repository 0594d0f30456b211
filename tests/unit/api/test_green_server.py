"""novajoin-server's connection protocol: deadlines and one-line refusals.

Runs the protocol on real loopback sockets with eventlet, in-process.
"""

import subprocess
import sys
import textwrap

import pytest

from tests.fixtures import tls

_SCRIPT = textwrap.dedent(r'''
    import eventlet
    eventlet.monkey_patch()
    import socket, ssl, sys, time, logging
    from eventlet import wsgi
    from novajoin.api import green_server

    logging.basicConfig(stream=sys.stdout, level=logging.INFO,
                        format='%(levelname)s %(name)s %(message)s')
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[1], sys.argv[2])
    protocol = green_server.protocol_class(context, 0.5, 0.5)
    listener = eventlet.listen(('127.0.0.1', 0))
    port = listener.getsockname()[1]

    def app(environ, start_response):
        start_response('200 OK', [('Content-Length', '2')])
        return [environ['wsgi.url_scheme'].encode()[:2]]

    eventlet.spawn(wsgi.server, listener, app, protocol=protocol,
                   log_output=False)
    eventlet.sleep(0.1)
    # A probe that closes at once, one that never speaks, one that
    # handshakes and sends half a request line.
    probe = socket.create_connection(('127.0.0.1', port)); probe.close()
    idle = socket.create_connection(('127.0.0.1', port))
    client = ssl.create_default_context()
    client.check_hostname = False
    client.verify_mode = ssl.CERT_NONE
    slow = client.wrap_socket(socket.create_connection(('127.0.0.1', port)))
    slow.send(b'GET / HT')
    eventlet.sleep(1.5)
    fresh = client.wrap_socket(socket.create_connection(('127.0.0.1', port)))
    fresh.sendall(b'GET / HTTP/1.1\r\nHost: x\r\n'
                  b'Connection: close\r\n\r\n')
    answer = b''
    while True:
        chunk = fresh.recv(4096)
        if not chunk:
            break
        answer += chunk
    print('ANSWER', answer.split(b'\r\n')[-1].decode())
''')


@pytest.fixture(scope='module')
def protocol_run(tmp_path_factory):
    ca = tls.TestCA(tmp_path_factory.mktemp('ca'))
    cert, key = ca.issue('localhost', ip_addresses=['127.0.0.1'])
    result = subprocess.run([sys.executable, '-c', _SCRIPT, cert, key],
                            capture_output=True, text=True, timeout=60)
    return result


def test_deadlines_close_idle_and_slow_clients(protocol_run):
    out = protocol_run.stdout
    assert 'ANSWER ht' in out, protocol_run.stderr
    assert out.count('TLS handshake failed') == 2, out
    assert out.count('sent no complete request headers') == 1, out


def test_failures_log_no_traceback(protocol_run):
    assert 'Traceback' not in protocol_run.stdout + protocol_run.stderr

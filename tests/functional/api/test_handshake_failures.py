"""Connections that never complete TLS cost one log line, no traceback.

Port scans and TCP health checks connect and close; old clients offer
only TLS 1.1. Both runners.
"""

import os
import socket
import ssl
import time
from urllib import parse

import pytest


def _address(server):
    url = parse.urlsplit(server.url)
    return url.hostname, url.port


def _logs(server):
    """Every log the runner writes: novajoin's, stderr, uWSGI's."""
    directory = os.path.dirname(server.log_file)
    text = []
    for name in ('novajoin.log', 'novajoin.stderr', 'uwsgi.log'):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            with open(path, encoding='utf-8', errors='replace') as f:
                text.append(f.read())
    return '\n'.join(text)


def _lines_about(text, port):
    return [line for line in text.splitlines()
            if ':%d' % port in line]


def _tls11_client():
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.TLSv1
    context.maximum_version = ssl.TLSVersion.TLSv1_1
    context.set_ciphers('DEFAULT:@SECLEVEL=0')
    return context


def _connect_and_close(address):
    sock = socket.create_connection(address, timeout=5)
    port = sock.getsockname()[1]
    sock.close()
    return port


def _tls11_attempt(address):
    sock = socket.create_connection(address, timeout=5)
    port = sock.getsockname()[1]
    try:
        with pytest.raises((ssl.SSLError, OSError)):
            _tls11_client().wrap_socket(sock).close()
    finally:
        sock.close()
    return port


@pytest.mark.parametrize('attempt', [_connect_and_close, _tls11_attempt],
                         ids=['tcp-probe', 'tls1.1'])
def test_failed_handshake_is_one_line_without_traceback(novajoin, attempt):
    before = _logs(novajoin)
    client_port = attempt(_address(novajoin))
    time.sleep(1.0)
    new = _logs(novajoin)[len(before):]
    assert 'Traceback' not in new
    assert len(_lines_about(new, client_port)) <= 1, new

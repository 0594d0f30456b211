"""Connections that never complete TLS cost one log line, no traceback.

Port scans and TCP health checks connect and close; old clients offer
only TLS 1.1. Both runners.
"""

import socket
import ssl
import time

import pytest


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
    before = novajoin.every_log_text()
    client_port = attempt(novajoin.address)
    time.sleep(1.0)
    new = novajoin.every_log_text()[len(before):]
    assert 'Traceback' not in new
    assert len(_lines_about(new, client_port)) <= 1, new

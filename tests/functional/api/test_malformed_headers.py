"""Malformed request headers: a JSON 4xx, never a 500, nothing leaked.

Sent over a raw TLS socket, byte for byte, since HTTP client libraries
refuse to send them. Every runner; httpd refuses a bare CR itself, with
its own 400.
"""

import json
import socket
import ssl

import pytest

from tests.functional.api import conftest

SECRET = 'S3cr3tT0k3nV4lu3'

# (name, header lines as bytes, expected status)
TOKEN = b'gAAAA' + SECRET.encode()

# (name, header lines as bytes, expected status)
CASES = [
    ('folded-token', b'X-Auth-Token: %s\r\n continued' % TOKEN, 401),
    ('folded-token-tab', b'X-Auth-Token: %s\r\n\tcontinued' % TOKEN, 401),
    ('bare-cr-in-token', b'X-Auth-Token: gAAAA\r%s' % SECRET.encode(), 401),
    ('space-in-token', b'X-Auth-Token: gAAAA %s' % SECRET.encode(), 401),
    ('non-ascii-token', b'X-Auth-Token: gAAAA\xc3\xa9%s' % SECRET.encode(),
     401),
    ('folded-service-token',
     b'X-Auth-Token: %s\r\nX-Service-Token: x\r\n y' % TOKEN, 401),
]


def _raw_post(server, header_lines, body):
    context = ssl.create_default_context(cafile=server.ca_file)
    context.check_hostname = False
    request = (b'POST /v1 HTTP/1.1\r\nHost: localhost\r\n'
               b'Content-Type: application/json\r\nConnection: close\r\n'
               + header_lines + b'\r\n'
               + b'Content-Length: %d\r\n\r\n' % len(body) + body)
    with socket.create_connection(server.address,
                                  timeout=10) as sock:
        with context.wrap_socket(sock) as tls:
            tls.sendall(request)
            chunks = []
            while True:
                try:
                    chunk = tls.recv(65536)
                except (ssl.SSLError, OSError):
                    break
                if not chunk:
                    break
                chunks.append(chunk)
    return b''.join(chunks)


def _parse(raw):
    head, _, body = raw.partition(b'\r\n\r\n')
    status_line, *header_lines = head.decode('latin-1').split('\r\n')
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(':')
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


REFUSED_BEFORE_THE_APPLICATION = {('httpd', 'bare-cr-in-token')}


@pytest.mark.parametrize('name,header_lines,expected', CASES,
                         ids=[case[0] for case in CASES])
def test_malformed_header_is_a_json_4xx(novajoin, sim, name, header_lines,
                                        expected):
    log_before = len(novajoin.every_log_text())
    body = json.dumps(conftest.vendordata_body()).encode()
    status, headers, answer = _parse(_raw_post(novajoin, header_lines, body))
    if (novajoin.runner, name) in REFUSED_BEFORE_THE_APPLICATION:
        # httpd refuses a bare CR in a header line itself, with its own
        # HTML 400, before mod_wsgi hands anything to novajoin.
        assert status == 400, answer
    else:
        assert status == expected, answer
        assert headers['content-type'].startswith('application/json')
        assert json.loads(answer)['error']['code'] == expected
    new_log = novajoin.every_log_text()[log_before:]
    assert 'Traceback' not in new_log
    assert SECRET not in new_log
    assert sim.admin.hosts() == []

"""A vendordata body sent with ``Transfer-Encoding: chunked`` is read
whole, and held to the size limit, by novajoin-server and httpd (which
needs ``WSGIChunkedRequest On`` for it).

uWSGI's ``https-socket`` hands the application the chunked framing
undecoded, so it is not run here; nova sends a Content-Length.
"""

import json

import pytest

from tests.fixtures import novajoin_server
from tests.functional.api import conftest


@pytest.fixture(scope='module', params=['novajoin-server', 'httpd'])
def nova(request, tmp_path_factory, test_ca, ks, ipa, otp_key_file,
         standin):
    with novajoin_server.run_novajoin_server(
            tmp_path_factory.mktemp('chunked-' + request.param), test_ca,
            conftest.server_sections(ks, ipa, otp_key_file),
            runner=request.param) as server:
        yield conftest.caller_for(server, ks, 'nova')


def _chunks(document, size=100):
    data = json.dumps(document).encode()
    for start in range(0, len(data), size):
        yield data[start:start + size]


def test_chunked_request_body_is_read_whole(nova, sim):
    body = conftest.vendordata_body()
    response = nova.post(None, data=_chunks(body))
    assert response.request.headers.get('Transfer-Encoding') == 'chunked'
    assert response.status_code == 200, response.text
    assert response.json()['hostname'].startswith(body['hostname'] + '.')


def test_oversized_chunked_body_is_413_as_json(nova, sim):
    body = dict(conftest.vendordata_body(), **{'user-data': 'A' * 70000})
    response = nova.post(None, data=_chunks(body, size=8192))
    assert response.status_code == 413, response.text
    assert response.headers['Content-Type'].startswith('application/json')
    assert sim.admin.hosts() == []

"""One simulator per test module (starting one costs a second), reset to
its start state before every test."""

import pytest
import requests

from tests.fixtures.ipasim import run_ipasim
from tests.fixtures.tls import TestCA

API_VERSION = '2.254'


class RawIPA(object):
    """Plain ``requests`` against the simulator; returns raw responses.

    ``verify`` is passed on every request: a session-level ``verify`` loses
    to ``REQUESTS_CA_BUNDLE`` in requests.
    """

    def __init__(self, sim):
        self.sim = sim
        self.http = requests.Session()

    def post(self, path, referer=True, **kw):
        headers = kw.pop('headers', {})
        if referer is True:
            headers.setdefault('Referer', self.sim.referer)
        elif referer:
            headers['Referer'] = referer
        return self.http.post(self.sim.url + path, headers=headers,
                              verify=self.sim.ca_file, timeout=30, **kw)

    def login(self, user='admin', password=None):
        response = self.post('/session/login_password', data={
            'user': user, 'password': password or self.sim.admin_password})
        assert response.status_code == 200, response.text
        return response

    def rpc(self, method, args=(), options=None, version=API_VERSION,
            request_id=0, **kw):
        options = dict(options or {})
        if version is not None:
            options['version'] = version
        body = {'method': method, 'params': [list(args), options],
                'id': request_id}
        return self.post('/session/json', json=body, **kw)

    def call(self, method, *args, **options):
        """The envelope of a successful-HTTP JSON-RPC call."""
        response = self.rpc(method, args, options)
        assert response.status_code == 200, response.text
        assert response.headers['Content-Type'].startswith(
            'application/json')
        return response.json()

    def result(self, method, *args, **options):
        envelope = self.call(method, *args, **options)
        assert envelope['error'] is None, envelope['error']
        return envelope['result']

    def error(self, method, *args, **options):
        envelope = self.call(method, *args, **options)
        assert envelope['result'] is None, envelope
        return envelope['error']


@pytest.fixture(scope='module')
def sim(tmp_path_factory):
    workdir = tmp_path_factory.mktemp('ipasim')
    ca = TestCA(workdir / 'ca')
    with run_ipasim(workdir, ca) as handle:
        yield handle


@pytest.fixture
def ipa(sim):
    sim.admin.reset()
    sim.admin.control(outage='none', latency_ms=0, read_latency_ms=None,
                      write_latency_ms=None, max_concurrency=None)
    client = RawIPA(sim)
    client.login()
    yield client
    client.http.close()


@pytest.fixture
def anon(sim):
    """A client that has not logged in."""
    sim.admin.reset()
    client = RawIPA(sim)
    yield client
    client.http.close()

"""Test doubles for the IPA transport: an HTTP session and a clock."""

import json
import threading

import requests
from requests import cookies as requests_cookies
from requests import structures

from novajoin.ipa import auth
from novajoin.ipa import client as ipa_client
from novajoin.ipa import deployment
from novajoin.ipa import sessions as ipa_sessions
from novajoin.ipa import transport as ipa_transport

SERVER = deployment.Server('ipa1.example.test', 443)
SERVER2 = deployment.Server('ipa2.example.test', 8443)
PASSWORD = 'Secret-admin-pw-4711'


def response(status=200, body=b'', headers=None, cookies=None):
    r = requests.Response()
    r.status_code = status
    r._content = body if isinstance(body, bytes) else json.dumps(
        body).encode()
    r.headers = structures.CaseInsensitiveDict(headers or {})
    r.encoding = 'utf-8'
    r.cookies = requests_cookies.cookiejar_from_dict(cookies or {})
    return r


def envelope(result=None, error=None):
    return response(200, {'result': result, 'error': error, 'id': 0,
                          'principal': 'admin@EXAMPLE.TEST',
                          'version': '4.12.2'},
                    headers={'Content-Type': 'application/json'})


def ok(result=None, value=None, summary=None):
    return envelope({'result': result or {}, 'value': value,
                     'summary': summary})


class FakeClock(object):
    """Time that moves only by sleeping or by ``advance``."""

    def __init__(self):
        self.now = 1000.0
        self.slept = []
        self._lock = threading.Lock()

    def __call__(self):
        return self.now

    def advance(self, seconds):
        with self._lock:
            self.now += seconds

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.advance(seconds)


class Request(object):
    def __init__(self, url, headers, data, timeout, auth, verify):
        self.url = url
        self.headers = headers
        self.data = data
        self.timeout = timeout
        self.auth = auth
        self.verify = verify

    @property
    def body(self):
        return json.loads(self.data)

    @property
    def cookie(self):
        value = self.headers.get('Cookie', '')
        prefix = ipa_sessions.SESSION_COOKIE + '='
        return value[len(prefix):] if value.startswith(prefix) else None


class FakeIPA(object):
    """A requests.Session stand-in that plays a FreeIPA server.

    ``rpc(request)`` answers /ipa/session/json; logins hand out cookies
    ``s1``, ``s2``...; ``valid_cookies`` are those it accepts.
    """

    def __init__(self, rpc=None, login=None):
        self.requests = []
        self.logins = 0
        self.cookie_format = 's%d'
        self.valid_cookies = set()
        self._lock = threading.Lock()
        self.rpc = rpc or (lambda request: ok())
        self.login = login or self.grant_session

    def grant_session(self, request):
        with self._lock:
            self.logins += 1
            cookie = self.cookie_format % self.logins
            self.valid_cookies.add(cookie)
        return response(200, cookies={'ipa_session': cookie})

    def post(self, url, headers=None, data=None, timeout=None, auth=None,
             verify=None, allow_redirects=True):
        assert allow_redirects is False
        request = Request(url, headers or {}, data, timeout, auth, verify)
        with self._lock:
            self.requests.append(request)
        if url.endswith('/session/json'):
            if request.cookie not in self.valid_cookies:
                return response(401, b'<html>Unauthorized</html>',
                                headers={'WWW-Authenticate': 'Negotiate'})
            return self.rpc(request)
        if url.endswith('/session/login_password'):
            return self.login(request)
        raise AssertionError('unexpected URL %s' % url)

    def rpc_requests(self):
        return [r for r in self.requests if r.url.endswith('/session/json')]

    def close(self):
        pass


def make_client(fake, servers=(SERVER,), clock=None, timeout=3.0,
                connect_retries=3, max_connections=4, backoff=0.1):
    clock = clock or FakeClock()
    transport = ipa_transport.Transport(
        list(servers), auth.PasswordLogin('admin', PASSWORD),
        '/etc/test/ca.crt', max_connections=max_connections,
        connect_retries=connect_retries, retry_backoff=backoff,
        session=fake, sleep=clock.sleep)
    return ipa_client.IPAClient(transport, 'EXAMPLE.TEST', 'example.test',
                                api_version='2.251', timeout=timeout,
                                clock=clock)

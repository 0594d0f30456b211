"""Sessions, re-login, retries, deadlines and failover, against a fake
server and a fake clock (no real waiting)."""

import logging
import ssl
import threading

import pytest
import requests
from urllib3 import exceptions as urllib3_errors

from novajoin.ipa import auth
from novajoin.ipa import client as ipa_client
from novajoin.ipa import errors as ipa_errors
from novajoin.ipa import routing
from novajoin.ipa import transport as ipa_transport
from tests.unit.ipa import fakes


def refused(request):
    raise requests.ConnectionError('[Errno 111] Connection refused')


def test_logs_in_once_and_reuses_the_session_cookie():
    fake = fakes.FakeIPA()
    ipa = fakes.make_client(fake)

    ipa.ping()
    ipa.ping()

    assert fake.logins == 1
    [login] = [r for r in fake.requests if 'login' in r.url]
    assert login.url == 'https://ipa1.example.test/ipa/session/login_password'
    assert login.data == {'user': 'admin', 'password': fakes.PASSWORD}
    assert login.headers['Referer'] == 'https://ipa1.example.test/ipa'
    assert [r.cookie for r in fake.rpc_requests()] == ['s1', 's1']


def test_expired_session_is_renewed_once_and_the_call_retried():
    fake = fakes.FakeIPA(rpc=lambda r: fakes.ok(value='pong'))
    ipa = fakes.make_client(fake)
    ipa.ping()
    fake.valid_cookies.clear()

    assert ipa.ping()['value'] == 'pong'

    assert fake.logins == 2
    assert [r.cookie for r in fake.rpc_requests()] == ['s1', 's1', 's2']


def test_session_refused_right_after_login_is_an_auth_error():
    fake = fakes.FakeIPA()
    fake.grant_session = lambda request: fakes.response(
        200, cookies={'ipa_session': 'never-valid'})
    fake.login = fake.grant_session

    with pytest.raises(ipa_errors.IPAAuthenticationError,
                       match='refused a session'):
        fakes.make_client(fake).ping()


def test_rejected_login_carries_the_rejection_reason():
    fake = fakes.FakeIPA(login=lambda request: fakes.response(
        401, b'<html>Unauthorized</html>',
        headers={'X-IPA-Rejection-Reason': 'invalid-password'}))

    with pytest.raises(ipa_errors.IPAAuthenticationError) as caught:
        fakes.make_client(fake).ping()

    assert caught.value.reason == 'invalid-password'
    assert caught.value.status == 401
    assert 'invalid-password' in str(caught.value)
    assert fakes.PASSWORD not in str(caught.value)
    assert len(fake.requests) == 1, 'a rejected login is not retried'


def test_login_without_session_cookie_is_an_auth_error():
    fake = fakes.FakeIPA(login=lambda request: fakes.response(200))

    with pytest.raises(ipa_errors.IPAAuthenticationError,
                       match='no ipa_session cookie'):
        fakes.make_client(fake).ping()


class CountingLock(object):
    """A lock that tells how many callers have asked for it."""

    def __init__(self):
        self._lock = threading.Lock()
        self._asked = 0
        self._changed = threading.Condition()

    def acquire(self, timeout=-1):
        with self._changed:
            self._asked += 1
            self._changed.notify_all()
        return self._lock.acquire(timeout=timeout)

    def release(self):
        self._lock.release()

    def wait_for_askers(self, count):
        with self._changed:
            return self._changed.wait_for(lambda: self._asked >= count, 10)


def test_concurrent_callers_with_an_expired_session_cause_one_login():
    callers = 8
    all_rejected = threading.Barrier(callers, timeout=10)
    fake = fakes.FakeIPA(rpc=lambda request: fakes.ok(value=request.cookie))
    ipa = fakes.make_client(fake, max_connections=callers)
    ipa.ping()
    lock = CountingLock()
    ipa.transport._sessions._login_locks[fakes.SERVER] = lock
    original_post = fake.post

    def post(url, **kwargs):
        if 'login' in url:
            # Hold the login until every caller is queued for it.
            assert lock.wait_for_askers(callers)
        answer = original_post(url, **kwargs)
        if answer.status_code == 401:
            # Every caller holds a 401 before any of them logs in again.
            all_rejected.wait()
        return answer

    fake.post = post
    fake.valid_cookies.clear()
    results, failures = [], []

    def caller():
        try:
            results.append(ipa.ping()['value'])
        except Exception as exc:  # reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=caller) for _ in range(callers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)

    assert failures == []
    assert results == ['s2'] * callers
    assert fake.logins == 2


def test_network_errors_are_retried_with_backoff_until_success():
    answers = [refused, refused, lambda r: fakes.ok(value='pong')]
    fake = fakes.FakeIPA(rpc=lambda r: answers.pop(0)(r))
    clock = fakes.FakeClock()
    ipa = fakes.make_client(fake, clock=clock)

    assert ipa.ping()['value'] == 'pong'

    assert len(fake.rpc_requests()) == 3
    assert len(clock.slept) == 2
    assert all(0 <= s <= 3.0 for s in clock.slept)


def test_logins_and_retries_are_logged_under_the_transport_logger(caplog):
    answers = [refused, lambda r: fakes.ok(value='pong')]
    fake = fakes.FakeIPA(rpc=lambda r: answers.pop(0)(r))
    ipa = fakes.make_client(fake)

    with caplog.at_level(logging.DEBUG, logger='novajoin.ipa.transport'):
        ipa.ping()

    logged = [(r.name, r.levelname, r.getMessage().split(' ')[:3])
              for r in caplog.records if r.name.startswith('novajoin.ipa.t')]
    assert logged == [
        ('novajoin.ipa.transport', 'DEBUG', ['IPA', 'login', 'server=%s'
                                             % fakes.SERVER]),
        ('novajoin.ipa.transport', 'INFO', ['IPA', 'login', 'succeeded']),
        ('novajoin.ipa.transport', 'WARNING', ['IPA', 'attempt', 'failed']),
    ]


def test_503_is_retried_up_to_connect_retries_then_unavailable():
    fake = fakes.FakeIPA(rpc=lambda r: fakes.response(503, b'busy'))
    clock = fakes.FakeClock()
    ipa = fakes.make_client(fake, clock=clock, connect_retries=2,
                            timeout=30.0)

    with pytest.raises(ipa_errors.IPAUnavailable,
                       match='3 attempt.*HTTP 503'):
        ipa.ping()

    assert len(fake.rpc_requests()) == 3
    assert len(clock.slept) == 2


def test_retries_never_outlast_the_call_deadline():
    clock = fakes.FakeClock()
    start = clock()

    def slow_refusal(request):
        assert request.timeout[1] <= 3.0 - (clock() - start) + 1e-9
        clock.advance(0.7)
        raise requests.ConnectTimeout('timed out')

    fake = fakes.FakeIPA(rpc=slow_refusal)
    ipa = fakes.make_client(fake, clock=clock, connect_retries=100,
                            backoff=0.5)

    with pytest.raises(ipa_errors.IPAUnavailable):
        ipa.ping()

    assert clock() - start <= 3.0 + 0.7
    assert 2 <= len(fake.rpc_requests()) < 101


def test_timeout_argument_shortens_the_deadline():
    fake = fakes.FakeIPA()
    ipa = fakes.make_client(fake, timeout=3.0)

    ipa.host_show('vm.example.test', timeout=0.5)

    connect, read = fake.rpc_requests()[-1].timeout
    assert 0 < read <= 0.5 and 0 < connect <= 0.5


def test_timeout_argument_cannot_extend_the_deadline():
    fake = fakes.FakeIPA()
    ipa = fakes.make_client(fake, timeout=1.0)

    ipa.host_show('vm.example.test', timeout=10)

    assert fake.rpc_requests()[-1].timeout[1] <= 1.0


def test_no_time_left_fails_without_contacting_ipa():
    fake = fakes.FakeIPA()

    with pytest.raises(ipa_errors.IPAUnavailable, match='no time left'):
        fakes.make_client(fake).ping(timeout=0)
    assert fake.requests == []


def test_connection_error_fails_over_to_next_server_without_waiting():
    def rpc(request):
        if 'ipa1' in request.url:
            return refused(request)
        return fakes.ok(value='from-ipa2')

    fake = fakes.FakeIPA(rpc=rpc)
    clock = fakes.FakeClock()
    ipa = fakes.make_client(fake, servers=[fakes.SERVER, fakes.SERVER2],
                            clock=clock)

    assert ipa.ping()['value'] == 'from-ipa2'
    assert ipa.ping()['value'] == 'from-ipa2'

    hosts = [r.url.split('/')[2] for r in fake.rpc_requests()]
    assert hosts == ['ipa1.example.test', 'ipa2.example.test:8443',
                     'ipa2.example.test:8443']
    assert sum(clock.slept) == 0


def test_connect_timeout_leaves_time_for_untried_servers():
    fake = fakes.FakeIPA(rpc=refused)
    ipa = fakes.make_client(fake, servers=[fakes.SERVER, fakes.SERVER2])

    with pytest.raises(ipa_errors.IPAUnavailable):
        ipa.ping()

    first = fake.rpc_requests()[0]
    assert first.timeout[0] <= 1.5


def _verification_failure():
    failure = ssl.SSLCertVerificationError(
        1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: '
           'unable to get local issuer certificate')
    failure.verify_message = 'unable to get local issuer certificate'
    return requests.exceptions.SSLError(urllib3_errors.MaxRetryError(
        None, '/ipa/session/login_password',
        reason=urllib3_errors.SSLError(failure)))


def test_untrusted_certificate_names_ca_file_and_server_and_is_final():
    def untrusted(request):
        raise _verification_failure()

    fake = fakes.FakeIPA(login=untrusted)
    ipa = fakes.make_client(fake, servers=[fakes.SERVER, fakes.SERVER2])

    with pytest.raises(ipa_errors.IPATLSError) as caught:
        ipa.ping()

    message = str(caught.value)
    assert '/etc/test/ca.crt' in message
    assert 'ipa1.example.test' in message
    assert 'unable to get local issuer certificate' in message
    assert len(fake.requests) == 1


def _stale_openssl_error():
    # ssl.SSLError.reason is a string ("NO_START_LINE"), seen when OpenSSL
    # reports an error an earlier call left in the thread's error queue.
    stale = ssl.SSLError(9, '[PEM: NO_START_LINE] no start line')
    stale.reason = 'NO_START_LINE'
    return requests.exceptions.SSLError(urllib3_errors.MaxRetryError(
        None, '/ipa/session/json', reason=urllib3_errors.SSLError(stale)))


@pytest.mark.parametrize('failure', [
    lambda: requests.exceptions.SSLError('EOF occurred in violation of '
                                         'protocol'),
    _stale_openssl_error,
], ids=['eof', 'stale-openssl-error'])
def test_other_tls_failures_are_retried(failure):
    answers = [failure()]

    def flaky(request):
        if answers:
            raise answers.pop()
        return fakes.ok(value='pong')

    fake = fakes.FakeIPA(rpc=flaky)

    assert fakes.make_client(fake).ping()['value'] == 'pong'


def test_waiting_for_a_connection_slot_counts_against_the_deadline():
    release = threading.Event()
    entered = threading.Event()

    def blocking(request):
        entered.set()
        release.wait(10)
        return fakes.ok()

    fake = fakes.FakeIPA(rpc=blocking)
    # Real clock: the second caller really waits for the slot.
    transport = ipa_transport.Transport(
        [fakes.SERVER], auth.PasswordLogin('admin', fakes.PASSWORD),
        '/etc/test/ca.crt', max_connections=1, session=fake)
    ipa = ipa_client.IPAClient(transport, 'EXAMPLE.TEST', 'example.test')
    holder = threading.Thread(target=ipa.ping)
    holder.start()
    try:
        assert entered.wait(10)
        with pytest.raises(ipa_errors.IPAUnavailable,
                           match='max_connections_per_server=1'):
            ipa.ping(timeout=0.2)
    finally:
        release.set()
        holder.join(10)


def test_waiting_for_another_callers_login_counts_against_the_deadline():
    fake = fakes.FakeIPA()
    transport = ipa_transport.Transport(
        [fakes.SERVER], auth.PasswordLogin('admin', fakes.PASSWORD),
        '/etc/test/ca.crt', session=fake)
    ipa = ipa_client.IPAClient(transport, 'EXAMPLE.TEST', 'example.test')
    login_in_progress = transport._sessions._login_locks[fakes.SERVER]
    login_in_progress.acquire()
    try:
        with pytest.raises(ipa_errors.IPAUnavailable,
                           match='waiting for a login'):
            ipa.ping(timeout=0.1)
    finally:
        login_in_progress.release()
    assert fake.requests == []


def _server_of(request):
    return request.url.split('/')[2].split(':')[0]


def test_calls_about_one_host_stay_on_one_server_and_fail_over_together():
    down = set()

    def rpc(request):
        if _server_of(request) in down:
            return refused(request)
        return fakes.ok(value=_server_of(request))

    fake = fakes.FakeIPA(rpc=rpc)
    ipa = fakes.make_client(fake, servers=[fakes.SERVER, fakes.SERVER2])
    hosts = ['vm%d.example.test' % n for n in range(20)]
    home = {h: ipa.host_show(h)['value'] for h in hosts}
    assert set(home.values()) == {'ipa1.example.test', 'ipa2.example.test'}
    for host in hosts:
        assert ipa.host_mod(host)['value'] == home[host]
        assert ipa.service_show('HTTP/%s@EXAMPLE.TEST' % host)[
            'value'] == home[host]

    down.add('ipa1.example.test')
    assert {ipa.host_show(h)['value'] for h in hosts} == {
        'ipa2.example.test'}
    down.clear()
    moved = [h for h in hosts if home[h] == 'ipa1.example.test']
    # Still marked down: ipa1's hosts stay on ipa2 meanwhile, except
    # those written on ipa1 a moment ago (the write may not have
    # replicated yet; see test_a_host_just_written_stays_...).
    read_only = [h for h in ('new%d.example.test' % n for n in range(20))
                 if routing.preference(h, [fakes.SERVER, fakes.SERVER2])[0]
                 == fakes.SERVER]
    assert read_only
    assert {ipa.host_show(h)['value'] for h in read_only} == {
        'ipa2.example.test'}
    assert {ipa.host_show(h)['value'] for h in moved} == {
        'ipa1.example.test'}


def test_routing_key_is_the_host_a_call_is_about():
    key = ipa_client.routing_key
    assert key('host_add', ['VM1.Example.Test.']) == 'vm1.example.test'
    assert key('host_del', [['vm1.example.test', 'vm2.example.test']]) == \
        'vm1.example.test'
    assert key('service_add', ['HTTP/vm1.example.test@EXAMPLE.TEST']) == \
        'vm1.example.test'
    assert key('dnsrecord_add', ['example.test.', 'vm1']) == \
        'vm1.example.test'
    assert key('batch', [[{'method': 'ping', 'params': [[], {}]},
                          {'method': 'host_show',
                           'params': [['vm1.example.test'], {}]}]]) == \
        'vm1.example.test'
    assert key('ping', []) is None


def test_connection_slots_are_counted_per_server():
    release = threading.Event()
    entered = threading.Event()

    def rpc(request):
        if 'ipa1' in request.url:
            entered.set()
            release.wait(10)
        return fakes.ok(value=_server_of(request))

    fake = fakes.FakeIPA(rpc=rpc)
    transport = ipa_transport.Transport(
        [fakes.SERVER, fakes.SERVER2],
        auth.PasswordLogin('admin', fakes.PASSWORD), '/etc/test/ca.crt',
        max_connections=1, session=fake)
    ipa = ipa_client.IPAClient(transport, 'EXAMPLE.TEST', 'example.test')
    on_ipa1 = next(h for h in ('vm%d.example.test' % n for n in range(50))
                   if transport._router.order(h)[0] == fakes.SERVER)
    on_ipa2 = next(h for h in ('vm%d.example.test' % n for n in range(50))
                   if transport._router.order(h)[0] == fakes.SERVER2)
    holder = threading.Thread(target=ipa.host_show, args=(on_ipa1,))
    holder.start()
    try:
        assert entered.wait(10)
        assert ipa.host_show(on_ipa2, timeout=1)['value'] == \
            'ipa2.example.test'
        with pytest.raises(ipa_errors.IPAUnavailable,
                           match='ipa1.example.test'):
            ipa.host_show(on_ipa1, timeout=0.2)
    finally:
        release.set()
        holder.join(10)


def test_log_in_gets_each_server_a_session_that_calls_then_reuse():
    fake = fakes.FakeIPA()
    ipa = fakes.make_client(fake, servers=[fakes.SERVER, fakes.SERVER2])

    for server in ipa.transport.servers:
        ipa.transport.log_in(server, 3.0)
    ipa.transport.log_in(fakes.SERVER, 3.0)
    ipa.ping()

    logins = [r.url.split('/')[2] for r in fake.requests if 'login' in r.url]
    assert logins == ['ipa1.example.test', 'ipa2.example.test:8443']
    assert fake.rpc_requests()[0].cookie in fake.valid_cookies


def test_log_in_to_a_refusing_server_is_unavailable_not_retried_elsewhere():
    fake = fakes.FakeIPA(login=refused)
    ipa = fakes.make_client(fake, servers=[fakes.SERVER, fakes.SERVER2])

    with pytest.raises(ipa_errors.IPAUnavailable) as caught:
        ipa.transport.log_in(fakes.SERVER, 3.0)

    assert 'ipa1.example.test' in str(caught.value)
    assert all('ipa1' in r.url for r in fake.requests)


def _refused_for_real(request):
    # As requests raises it: the connection never opened.
    raise requests.ConnectionError(urllib3_errors.MaxRetryError(
        None, '/ipa/session/json', reason=urllib3_errors.NewConnectionError(
            None, '[Errno 111] Connection refused')))


def _two_server_client(rpc):
    fake = fakes.FakeIPA(rpc=rpc)
    return fake, fakes.make_client(fake, servers=[fakes.SERVER,
                                                  fakes.SERVER2])


def _home_of(ipa, fqdn):
    return routing.preference(fqdn, ipa.transport.servers)[0].host


@pytest.mark.parametrize('failure', [
    requests.ReadTimeout('read timed out'),
    requests.ConnectionError('Connection aborted: RemoteDisconnected'),
    fakes.response(504, b'gateway timeout'),
])
def test_a_write_the_server_may_have_run_is_not_sent_elsewhere(failure):
    """The write may still land on its home server: run on another one
    too, the host would have an entry on two replicas.
    """
    fqdn = 'vm1.example.test'
    home = []

    def rpc(request):
        if _server_of(request) == home[0]:
            if isinstance(failure, Exception):
                raise failure
            return failure
        return fakes.ok(value=_server_of(request))

    fake, ipa = _two_server_client(rpc)
    home.append(_home_of(ipa, fqdn))

    with pytest.raises(ipa_errors.IPAUnavailable, match='may hold it'):
        ipa.host_add(fqdn, force=True)
    # Tried again on the same server (a stale keep-alive connection fails
    # the same way), never on the other.
    sent = [_server_of(r) for r in fake.rpc_requests()]
    assert len(sent) > 1 and set(sent) == set(home)
    # The server is marked failed, but the host's writes still go there.
    with pytest.raises(ipa_errors.IPAUnavailable):
        ipa.batch([('host_show', [fqdn], {}), ('host_add', [fqdn], {})])
    assert {_server_of(r) for r in fake.rpc_requests()} == set(home)
    # Reads may go elsewhere: they create nothing.
    assert ipa.host_show(fqdn)['value'] != home[0]


def test_a_write_retried_on_its_server_succeeds_there():
    fqdn = 'vm1.example.test'
    home, failures = [], []

    def rpc(request):
        if _server_of(request) == home[0] and not failures:
            failures.append(request)
            raise requests.ConnectionError(
                'Connection aborted: RemoteDisconnected')
        return fakes.ok(value=_server_of(request))

    fake, ipa = _two_server_client(rpc)
    home.append(_home_of(ipa, fqdn))

    assert ipa.host_add(fqdn, force=True)['value'] == home[0]
    assert [_server_of(r) for r in fake.rpc_requests()] == home * 2


def _client_refused_at_home_of(fqdn):
    """(fake, client, [home server], refusing): the home server of
    ``fqdn`` refuses connections while ``refusing`` is not empty.
    """
    home, refusing = [], []

    def rpc(request):
        if _server_of(request) == home[0] and refusing:
            return _refused_for_real(request)
        return fakes.ok(value=_server_of(request))

    fake, ipa = _two_server_client(rpc)
    home.append(_home_of(ipa, fqdn))
    return fake, ipa, home, refusing


def test_a_write_pinned_to_a_server_that_now_refuses_stays_there():
    """The host was written there a moment ago, maybe not replicated yet:
    on another server it would get a second entry.
    """
    fqdn = 'vm1.example.test'
    fake, ipa, home, refusing = _client_refused_at_home_of(fqdn)
    assert ipa.host_add(fqdn, force=True)['value'] == home[0]
    refusing.append(True)

    with pytest.raises(ipa_errors.IPAUnavailable, match='may hold it'):
        ipa.host_mod(fqdn, random=True)
    assert {_server_of(r) for r in fake.rpc_requests()} == set(home)
    # Another host, never written, fails over.
    other = next('vm%d.example.test' % n for n in range(2, 50)
                 if _home_of(ipa, 'vm%d.example.test' % n) == home[0])
    assert ipa.host_add(other, force=True)['value'] != home[0]


def test_a_write_ignores_servers_another_call_marked_failed():
    """Every process sends a host's writes to the same server: one that
    saw the server fail for another host must not create this one
    elsewhere.
    """
    fqdn = 'vm1.example.test'
    fake, ipa, home, refusing = _client_refused_at_home_of(fqdn)
    refusing.append(True)
    ipa.ping()
    ipa.ping()
    refusing.clear()

    assert ipa.host_show(fqdn)['value'] != home[0]
    assert ipa.host_add(fqdn, force=True)['value'] == home[0]


def test_a_login_that_times_out_lets_the_write_fail_over():
    """Only the login was sent: the write itself ran nowhere."""
    fqdn = 'vm1.example.test'
    home = []

    def login(request):
        if _server_of(request) == home[0]:
            raise requests.ReadTimeout('read timed out')
        return fake.grant_session(request)

    fake = fakes.FakeIPA(rpc=lambda r: fakes.ok(value=_server_of(r)),
                         login=login)
    ipa = fakes.make_client(fake, servers=[fakes.SERVER, fakes.SERVER2])
    home.append(_home_of(ipa, fqdn))

    assert ipa.host_add(fqdn, force=True)['value'] != home[0]
    assert ipa.transport._router.pinned(fqdn) != home[0]


def test_a_write_refused_at_connect_fails_over_at_once():
    fqdn = 'vm1.example.test'
    home = []

    def rpc(request):
        if _server_of(request) == home[0]:
            return _refused_for_real(request)
        return fakes.ok(value=_server_of(request))

    fake, ipa = _two_server_client(rpc)
    home.append(_home_of(ipa, fqdn))

    assert ipa.host_add(fqdn, force=True)['value'] != home[0]


def test_a_503_is_not_run_so_a_write_fails_over():
    fqdn = 'vm1.example.test'
    home = []

    def rpc(request):
        if _server_of(request) == home[0]:
            return fakes.response(503, b'busy')
        return fakes.ok(value=_server_of(request))

    fake, ipa = _two_server_client(rpc)
    home.append(_home_of(ipa, fqdn))

    assert ipa.host_add(fqdn, force=True)['value'] != home[0]


def test_a_host_just_written_stays_on_its_server_when_another_fails_it():
    """Another host's timeout marks the server failed; a host created
    there a moment ago must not be created again on another replica.
    """
    slow = set()

    def rpc(request):
        fqdn = request.body['params'][0][0]
        if fqdn in slow and _server_of(request) == 'ipa1.example.test':
            raise requests.ReadTimeout('read timed out')
        return fakes.ok(value=_server_of(request))

    fake, ipa = _two_server_client(rpc)
    hosts = ['vm%d.example.test' % n for n in range(20)]
    home = {h: ipa.host_add(h, force=True)['value'] for h in hosts}
    assert set(home.values()) == {'ipa1.example.test', 'ipa2.example.test'}
    victim = next(h for h in hosts if home[h] == 'ipa1.example.test')
    slow.add(victim)
    # A read fails over, and ipa1 is marked failed.
    assert ipa.host_show(victim)['value'] == 'ipa2.example.test'
    assert ipa.host_show('new.example.test')['value'] == 'ipa2.example.test'
    slow.clear()

    for fqdn in hosts:
        assert ipa.host_add(fqdn, force=True)['value'] == home[fqdn]


def test_calls_tell_writes_from_reads():
    writes = ipa_client.writes
    assert writes('host_add', ['vm1.example.test'])
    assert writes('host_del', [['vm1.example.test']])
    assert writes('dnsrecord_add', ['example.test.', 'vm1'])
    assert not writes('host_show', ['vm1.example.test'])
    assert not writes('host_find', [])
    assert not writes('ping', [])
    assert not writes('batch', [[{'method': 'host_show',
                                  'params': [['vm1'], {}]},
                                 {'method': 'host_find',
                                  'params': [[], {}]}]])
    assert writes('batch', [[{'method': 'host_show', 'params': [['vm1'], {}]},
                             {'method': 'host_add', 'params': [['vm1'], {}]}]])


def test_a_batch_keeps_every_host_it_writes_about_on_its_server():
    """Service hosts are added in one batch, routed by the first: each of
    them stays on the server that took it, not on its own by the hash.
    """
    fake, ipa = _two_server_client(lambda r: fakes.ok(value=_server_of(r)))
    hosts = ['vm%d.example.test' % n for n in range(12)]
    first = _home_of(ipa, 'db.example.test')
    moved = [h for h in hosts if _home_of(ipa, h) != first]
    assert moved

    ipa.call('batch', [[{'method': 'host_show',
                         'params': [['db.example.test'], {}]}]
                       + [{'method': 'host_add', 'params': [[h], {}]}
                          for h in hosts]])

    for host in hosts:
        assert ipa.transport._router.pinned(host).host == first
    assert ipa.transport._router.pinned('db.example.test') is None
    assert ipa.host_mod(moved[0], random=True)['value'] == first

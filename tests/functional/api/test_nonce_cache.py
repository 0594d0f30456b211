"""The shared nonce cache between replicas, on real processes: IPA calls
per boot, and every case where the cache could answer a wrong OTP
(rebuild, delete and re-create, expiry, disable, memcached down, values
written into memcached by someone else).

Two replicas (novajoin-server, and uWSGI with two worker processes) share
one memcached through oslo.cache's ``[cache]`` and the simulator; requests
of one boot alternate between them, as nova's metadata processes behind a
load balancer do. A third replica still has the deprecated ``[enrollment]
memcached_servers``. The cache TTL is short (TTL seconds) so the expiry
cases run in real time.
"""

import os
import time

import pytest

from pymemcache.client import base as memcache_base
from pymemcache import serde as memcache_serde

from novajoin.hosts import nonce_cache
from novajoin.hosts import otp
from novajoin.hosts import rearm
from tests.fixtures import novajoin_server
from tests.functional.api.conftest import caller_for
from tests.functional.api.conftest import server_sections
from tests.functional.api.conftest import vendordata_body
from tests.functional.api import ipa_access

TTL = 6
REQUESTS_PER_BOOT = 6    # nova building a config drive
WRITES = ('host_add', 'host_mod')
# The first request of a boot adds the host in the batch of its checks.
ADDS = ('batch:host_add',)


# A paused memcached costs each replica one socket timeout, then it is
# skipped for DEAD seconds.
DEAD = 1


def _sections(ks, ipa, otp_key_file, memcached, **enrollment):
    sections = server_sections(ks, ipa, otp_key_file)
    sections['enrollment'].update(nonce_cache_ttl=TTL, **enrollment)
    sections['cache'] = {'enabled': 'true',
                         'backend': 'dogpile.cache.pymemcache',
                         'memcache_servers': memcached.server,
                         'socket_timeout': 0.2,
                         'hashclient_retry_attempts': 1,
                         'hashclient_dead_timeout': DEAD}
    return sections


def _legacy_sections(ks, ipa, otp_key_file, memcached):
    """A join.conf of before [cache]: [enrollment] memcached_servers."""
    sections = server_sections(ks, ipa, otp_key_file)
    sections['enrollment'].update(nonce_cache_ttl=TTL,
                                  memcached_servers=memcached.server)
    return sections


@pytest.fixture(scope='module')
def replicas(tmp_path_factory, test_ca, ks, ipa, otp_key_file, standin,
             memcached):
    sections = _sections(ks, ipa, otp_key_file, memcached)
    workdir = tmp_path_factory.mktemp('replicas')
    with novajoin_server.run_novajoin_server(
            workdir / 'a', test_ca, sections, name='replica-a') as a:
        with novajoin_server.run_novajoin_server(
                workdir / 'b', test_ca, sections, name='replica-b',
                runner='uwsgi') as b:
            yield [a, b]


@pytest.fixture(scope='module')
def legacy_replica(tmp_path_factory, test_ca, ks, ipa, otp_key_file,
                   standin, memcached):
    with novajoin_server.run_novajoin_server(
            tmp_path_factory.mktemp('legacy'), test_ca,
            _legacy_sections(ks, ipa, otp_key_file, memcached),
            name='legacy') as server:
        yield server


@pytest.fixture
def callers(replicas, ks, memcached):
    memcached.flush()
    return [caller_for(server, ks, 'nova') for server in replicas]


@pytest.fixture
def listener(replicas):
    """The listener's view: its IPA client, OTP key and nonce cache."""
    access = ipa_access.IPAAccess(replicas[0].conf_file)
    yield access
    access.close()


def boot(callers, body, count=REQUESTS_PER_BOOT):
    """nova's requests for one boot, alternating between the replicas."""
    answers = []
    for number in range(count):
        response = callers[number % len(callers)].post(body)
        assert response.status_code == 200, response.text
        answers.append(response.json())
    return answers


def round_trips(sim):
    """IPA calls made, a batch counting once (its sub-calls not)."""
    return sum(count for command, count in sim.admin.stats()['calls'].items()
               if not command.startswith('batch:'))


def counts(sim, commands):
    calls = sim.admin.stats()['calls']
    return sum(calls.get(command, 0) for command in commands)


def fqdn_of(sim, body):
    return '%s.%s' % (body['hostname'], sim.domain)


def test_a_boot_costs_one_round_trip_across_replicas(callers, sim):
    boots = 5
    for _ in range(boots):
        body = vendordata_body()
        sim.admin.reset_stats()
        answers = boot(callers, body)
        assert all(answer == answers[0] for answer in answers)
        calls = sim.admin.stats()['calls']
        # One batch: the DNS checks of the new name and the add.
        assert round_trips(sim) == 1 and counts(sim, ADDS) == 1, calls
        sim.admin.join(fqdn_of(sim, body), answers[0]['ipaotp'])


def test_rebuild_answers_the_new_otp_at_once(callers, sim, listener):
    body = vendordata_body()
    fqdn = fqdn_of(sim, body)
    old = boot(callers, body)[0]['ipaotp']
    sim.admin.join(fqdn, old)
    # The listener's rebuild: disable, re-arm (writes the cache through).
    listener.disable(fqdn)
    assert rearm.rearm_host(listener.ipa, listener.otp_key, listener.nonces,
                            body['instance-id'], fqdn) == rearm.REARMED
    sim.admin.reset_stats()
    answers = boot(callers, body)
    assert round_trips(sim) == 0
    new = answers[0]['ipaotp']
    assert new != old and all(a['ipaotp'] == new for a in answers)
    assert sim.admin.try_join(fqdn, old)[0] == 403
    sim.admin.join(fqdn, new)


def test_delete_by_novajoin_and_recreate_gives_a_new_otp(callers, sim,
                                                         listener):
    body = vendordata_body()
    fqdn = fqdn_of(sim, body)
    old = boot(callers, body)[0]['ipaotp']
    listener.ipa.host_del(fqdn, updatedns=True)
    assert rearm.forget_host(listener.nonces, body['instance-id'], fqdn)
    new = boot(callers, body)[0]['ipaotp']
    assert new != old
    sim.admin.join(fqdn, new)


def test_delete_in_ipa_directly_is_seen_once_the_ttl_ran_out(callers, sim,
                                                             listener):
    body = vendordata_body()
    fqdn = fqdn_of(sim, body)
    old = boot(callers, body)[0]['ipaotp']
    listener.ipa.host_del(fqdn)
    # The documented window: the cache has not seen the delete yet.
    assert boot(callers, body, 1)[0]['ipaotp'] == old
    # A sealed value expires at the whole second after TTL.
    time.sleep(TTL + 1.5)
    new = boot(callers, body)[0]['ipaotp']
    assert new != old
    sim.admin.join(fqdn, new)


def test_expired_nonce_is_read_back_from_ipa_with_the_same_otp(callers,
                                                               sim):
    body = vendordata_body()
    first = boot(callers, body)[0]
    time.sleep(TTL + 1.5)
    sim.admin.reset_stats()
    assert boot(callers, body) == [first] * REQUESTS_PER_BOOT
    # One batch after expiry (its host_add finds the entry), then the
    # cache again.
    assert round_trips(sim) == 1 and counts(sim, WRITES) == 0
    sim.admin.join(fqdn_of(sim, body), first['ipaotp'])


def test_disable_in_ipa_gives_no_otp_once_the_ttl_ran_out(callers, sim,
                                                          listener):
    body = vendordata_body()
    fqdn = fqdn_of(sim, body)
    old = boot(callers, body)[0]['ipaotp']
    sim.admin.join(fqdn, old)
    listener.disable(fqdn)
    # Within the window the answer can be the OTP just used: IPA refuses it.
    for answer in boot(callers, body, 2):
        if 'ipaotp' in answer:
            assert sim.admin.try_join(fqdn, answer['ipaotp'])[0] == 403
    time.sleep(TTL + 1.5)
    assert boot(callers, body) == [
        {'hostname': fqdn, 'krb_realm': sim.realm}] * REQUESTS_PER_BOOT


def test_memcached_not_answering_falls_back_to_ipa(callers, sim, memcached):
    body = vendordata_body()
    first = boot(callers, body, 1)[0]
    memcached.pause()
    try:
        started = time.monotonic()
        sim.admin.reset_stats()
        answers = boot(callers, body)
        elapsed = time.monotonic() - started
        other = vendordata_body()
        created = boot(callers, other)
    finally:
        memcached.resume()
        # The replicas try it again once it has been dead DEAD seconds.
        time.sleep(DEAD + 0.5)
    assert answers == [first] * REQUESTS_PER_BOOT
    # Each replica waited for memcached once, then skipped it.
    assert elapsed < 5
    assert counts(sim, WRITES) == 0
    assert all(answer == created[0] for answer in created)
    sim.admin.join(fqdn_of(sim, body), first['ipaotp'])
    sim.admin.join(fqdn_of(sim, other), created[0]['ipaotp'])


def _write_raw(memcached, key, value):
    """What any memcached client can do: store a value under a key."""
    client = memcached.client()
    try:
        assert client.set(key, value, expire=60, noreply=False)
    finally:
        client.close()


class _Exploit(object):
    """A pickle that creates ``path`` when it is loaded."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, 'w'))


def _write_pickle(memcached, key, value):
    """What a memcached writer can do: a value with pymemcache's pickle
    flag, which a client that unpickles by flags would load.
    """
    client = memcache_base.Client(('127.0.0.1', memcached.port),
                                  serde=memcache_serde.pickle_serde)
    try:
        assert client.set(key, value, expire=60, noreply=False)
    finally:
        client.close()


def _forgeries(instance_id, fqdn, stolen):
    """Values a memcached writer can put under the key of ``fqdn``.

    A plain nonce of its choice, one sealed with a key of its own, and
    novajoin's own sealed entry of another instance (``stolen``).
    """
    key = nonce_cache.cache_key(instance_id, fqdn)
    own_key = otp.OTPKey(otp.new_nonce().encode() * 4)
    sealed = nonce_cache.SealedClient(None, own_key)._seal(
        key, b'chosen-by-the-writer', 60)
    return key, [b'chosen-by-the-writer', sealed, stolen]


def test_a_pickle_written_into_memcached_is_never_loaded(callers, sim,
                                                         memcached,
                                                         tmp_path):
    body = vendordata_body()
    fqdn = fqdn_of(sim, body)
    first = boot(callers, body, 1)[0]
    marker = str(tmp_path / 'unpickled')
    _write_pickle(memcached, nonce_cache.cache_key(body['instance-id'],
                                                   fqdn), _Exploit(marker))
    sim.admin.reset_stats()
    # A miss on each replica, answered from IPA; nothing was unpickled.
    assert boot(callers, body) == [first] * REQUESTS_PER_BOOT
    assert round_trips(sim) >= 1
    assert not os.path.exists(marker)
    sim.admin.join(fqdn, first['ipaotp'])


def test_a_forged_nonce_entry_causes_only_a_miss(callers, sim, memcached):
    donor = vendordata_body()
    boot(callers, donor, 1)
    client = memcached.client()
    try:
        stolen = client.get(nonce_cache.cache_key(donor['instance-id'],
                                                  fqdn_of(sim, donor)))
    finally:
        client.close()
    assert stolen is not None

    # An instance that has its host: every forgery is a miss; the answer
    # is the host's OTP and IPA is not written.
    body = vendordata_body()
    fqdn = fqdn_of(sim, body)
    first = boot(callers, body, 1)[0]
    entry = sim.admin.host(fqdn)
    key, forgeries = _forgeries(body['instance-id'], fqdn, stolen)
    for value in forgeries:
        _write_raw(memcached, key, value)
        sim.admin.reset_stats()
        assert boot(callers, body, 2) == [first] * 2
        assert counts(sim, WRITES) == 0
        assert sim.admin.host(fqdn) == entry
    sim.admin.join(fqdn, first['ipaotp'])

    # A new instance whose key was forged before its first request: its
    # host is created, and the OTP answered is the one IPA accepts.
    for value in range(3):
        body = vendordata_body()
        fqdn = fqdn_of(sim, body)
        key, forgeries = _forgeries(body['instance-id'], fqdn, stolen)
        _write_raw(memcached, key, forgeries[value])
        answers = boot(callers, body)
        assert all(answer == answers[0] for answer in answers)
        assert sim.admin.host(fqdn) is not None
        sim.admin.join(fqdn, answers[0]['ipaotp'])
    for replica in callers:
        assert 'Traceback' not in replica.server.log_text()


@pytest.fixture(scope='module')
def replica_without_dns_check(tmp_path_factory, test_ca, ks, ipa,
                              otp_key_file, standin, memcached):
    sections = _sections(ks, ipa, otp_key_file, memcached,
                         check_dns_records=False)
    with novajoin_server.run_novajoin_server(
            tmp_path_factory.mktemp('no-dns-check'), test_ca, sections,
            name='no-dns-check') as server:
        yield server


def test_without_the_dns_check_a_boot_costs_one_round_trip(
        replica_without_dns_check, ks, sim, memcached):
    caller = caller_for(replica_without_dns_check, ks, 'nova')
    boot([caller], vendordata_body())      # reads the IPA server list
    for _ in range(3):
        body = vendordata_body()
        sim.admin.reset_stats()
        answers = boot([caller], body)
        assert all(answer == answers[0] for answer in answers)
        # The batch: does the instance own a host under another name, and
        # the add.
        assert round_trips(sim) == 1 and counts(sim, ADDS) == 1
        sim.admin.join(fqdn_of(sim, body), answers[0]['ipaotp'])


def test_deprecated_memcached_servers_still_shares_the_nonces(
        callers, legacy_replica, ks, sim):
    # [enrollment] memcached_servers is read as [cache] pymemcache: a
    # replica configured the old way shares the boot with the others.
    legacy = caller_for(legacy_replica, ks, 'nova')
    for _ in range(3):
        body = vendordata_body()
        sim.admin.reset_stats()
        answers = boot([legacy] + callers, body)
        assert all(answer == answers[0] for answer in answers)
        assert round_trips(sim) == 1
        sim.admin.join(fqdn_of(sim, body), answers[0]['ipaotp'])
    assert 'memcached_servers is deprecated' in legacy_replica.log_text()

"""The shared nonce cache: repeats without IPA calls, misses on anything
unusual, and what the cache cannot see bounded by its TTL."""

import logging

from oslo_config import cfg
from pymemcache import exceptions as memcache_errors
from pymemcache.test import utils as memcache_utils
import pytest

from novajoin import conf as novajoin_conf
from novajoin import exception
from novajoin.hosts import cache_store
from novajoin.hosts import enrollment
from novajoin.hosts import nonce_cache
from novajoin.hosts import otp
from novajoin.hosts import reserved_names
from tests.unit.hosts import conftest
from tests.unit.hosts.conftest import make_request

FQDN = 'web1.example.test'


class DownClient(object):
    """A memcached client whose server does not answer."""

    def __init__(self):
        self.calls = 0

    def _fail(self, *args, **kwargs):
        self.calls += 1
        raise memcache_errors.MemcacheUnexpectedCloseError()

    get = set = add = delete = _fail


@pytest.fixture
def memcached():
    return memcache_utils.MockMemcacheClient()


@pytest.fixture
def nonces(memcached, clock, otp_key):
    return nonce_cache.NonceCache(memcached, ttl=10, otp_key=otp_key,
                                  clock=clock)


@pytest.fixture
def cached_enroller(make_enroller, nonces):
    def make(check_dns_records=True, cache=None):
        names = reserved_names.ReservedNames(
            (), ['example.test'], check_dns_records=check_dns_records)
        return make_enroller(names=names, nonces=cache or nonces)
    return make


def test_repeats_of_a_boot_make_no_ipa_call(cached_enroller, enroll, ipa):
    enroller = cached_enroller()
    first = enroll(enroller=enroller)
    assert ipa.commands() == ['batch']
    del ipa.calls[:]
    repeats = [enroll(enroller=enroller) for _ in range(5)]
    assert ipa.calls == []
    assert {r.decision for r in repeats} == {enrollment.REPEAT}
    assert all(r.body == first.body and r.ipa_calls == 0 for r in repeats)


def test_replica_sharing_memcached_answers_the_same_otp_without_ipa(
        cached_enroller, enroll, ipa, make_enroller, memcached, clock,
        key_bytes):
    first = enroll(enroller=cached_enroller())
    del ipa.calls[:]
    replica = cached_enroller(cache=nonce_cache.NonceCache(
        memcached, 10, otp.OTPKey(key_bytes), clock))
    assert enroll(enroller=replica).body == first.body
    assert ipa.calls == []


def test_without_dns_check_a_boot_is_one_round_trip(
        cached_enroller, enroll, ipa):
    enroller = cached_enroller(check_dns_records=False)
    enroll(make_request(hostname='warmup', instance_id='other'),
           enroller=enroller)
    del ipa.calls[:]
    enroll(enroller=enroller)
    enroll(enroller=enroller)
    # One batch (the instance may own a host under another name, and the
    # add) for the whole boot.
    assert ipa.commands() == ['batch']


def test_cache_miss_reads_the_existing_entry(cached_enroller, enroll, ipa,
                                             memcached):
    enroller = cached_enroller(check_dns_records=False)
    first = enroll(enroller=enroller)
    memcached.delete(nonce_cache.cache_key(conftest.INSTANCE, FQDN))
    del ipa.calls[:]
    again = enroll(enroller=enroller)
    assert again.body == first.body
    assert ipa.commands() == ['batch']


def test_memcached_down_falls_back_to_ipa_and_stays_correct(
        cached_enroller, enroll, ipa, caplog, otp_key):
    down = DownClient()
    enroller = cached_enroller(check_dns_records=False,
                               cache=nonce_cache.NonceCache(down, 10,
                                                            otp_key))
    caplog.set_level(logging.WARNING)
    enroll(make_request(hostname='warmup', instance_id='other'),
           enroller=enroller)
    del ipa.calls[:]
    first = enroll(enroller=enroller)
    again = enroll(enroller=enroller)
    assert again.body == first.body
    # Unanswered cache: the batch again, its host_add finds the entry.
    assert ipa.commands() == ['batch', 'batch']
    assert len(ipa.writes()) == 1
    warnings = [r for r in caplog.records
                if r.name == 'novajoin.hosts.nonce_cache']
    assert len(warnings) == 1 and down.calls > 2
    assert first.body['ipaotp'] not in caplog.text


def test_cached_nonce_expires_and_ipa_decides_again(cached_enroller, enroll,
                                                    ipa, memcached):
    # MockMemcacheClient expires by wall clock; simulate expiry by removal.
    enroller = cached_enroller()
    first = enroll(enroller=enroller)
    ipa.enroll_with(FQDN, first.body['ipaotp'])
    ipa.host_disable(FQDN)
    memcached.delete(nonce_cache.cache_key(conftest.INSTANCE, FQDN))
    result = enroll(enroller=enroller)
    assert result.decision == enrollment.DISABLED
    assert 'ipaotp' not in result.body


@pytest.mark.parametrize('disable,decision', [
    (False, enrollment.ENROLLED), (True, enrollment.DISABLED)])
def test_add_first_onto_a_used_entry_answers_no_otp(
        cached_enroller, enroll, ipa, memcached, disable, decision):
    # A reboot after the cached nonce expired: the add-first attempt fails
    # with DuplicateEntry; the OTP it derived was never written and must
    # not be answered for an entry that is enrolled or disabled.
    enroller = cached_enroller(check_dns_records=False)
    first = enroll(enroller=enroller)
    ipa.enroll_with(FQDN, first.body['ipaotp'])
    if disable:
        ipa.host_disable(FQDN)
    memcached.delete(nonce_cache.cache_key(conftest.INSTANCE, FQDN))
    result = enroll(enroller=enroller)
    assert result.decision == decision
    assert 'ipaotp' not in result.body


def test_only_unused_otps_are_cached(cached_enroller, enroll, ipa,
                                     memcached):
    enroller = cached_enroller()
    first = enroll(enroller=enroller)
    ipa.enroll_with(FQDN, first.body['ipaotp'])
    memcached.delete(nonce_cache.cache_key(conftest.INSTANCE, FQDN))
    assert enroll(enroller=enroller).decision == enrollment.ENROLLED
    assert memcached.get(nonce_cache.cache_key(conftest.INSTANCE,
                                               FQDN)) is None


def test_a_read_unused_entry_is_cached_for_the_next_repeat(
        cached_enroller, enroll, ipa, memcached):
    enroller = cached_enroller()
    first = enroll(enroller=enroller)
    memcached.delete(nonce_cache.cache_key(conftest.INSTANCE, FQDN))
    enroll(enroller=enroller)
    del ipa.calls[:]
    assert enroll(enroller=enroller).body == first.body
    assert ipa.calls == []


@pytest.mark.parametrize('value', [b'', b'not a nonce!', b'x' * 65,
                                   b'\xff\xfe'])
def test_sealed_value_that_is_not_a_nonce_is_a_miss(nonces, memcached,
                                                    otp_key, value):
    key = nonce_cache.cache_key('i', 'h.example.test')
    memcached.set(key, nonce_cache.SealedClient(None, otp_key)._seal(
        key, value, 10))
    assert nonces.lookup('i', 'h.example.test') == (None, True)


@pytest.mark.parametrize('value', [b'', b'a-plain-nonce', b'NJS1' + b'x' * 60,
                                   b'\xff\xfe'])
def test_a_value_novajoin_did_not_seal_is_a_miss_that_asks_ipa(
        nonces, memcached, value, caplog):
    memcached.set(nonce_cache.cache_key('i', 'h.example.test'), value)
    assert nonces.lookup('i', 'h.example.test') == (None, False)
    assert 'Ignoring a value in the nonce cache for instance=i' in caplog.text


def test_a_sealed_value_is_bound_to_its_key_otp_key_and_lifetime(
        memcached, clock, otp_key, key_bytes):
    now = [1000.0]
    cache = nonce_cache.NonceCache(memcached, 10, otp_key, clock=clock,
                                   wall_clock=lambda: now[0])
    cache.remember('i', 'a.example.test', 'nonce-a')
    sealed = memcached.get(nonce_cache.cache_key('i', 'a.example.test'))
    assert b'nonce-a' in sealed
    # Moved to another instance's key: refused.
    memcached.set(nonce_cache.cache_key('j', 'a.example.test'), sealed)
    assert cache.lookup('j', 'a.example.test') == (None, False)
    # Sealed with another OTP key: refused.
    other = nonce_cache.NonceCache(memcached, 10, otp.OTPKey(
        bytes(b ^ 1 for b in key_bytes)), clock=clock,
        wall_clock=lambda: now[0])
    assert other.lookup('i', 'a.example.test') == (None, False)
    # One bit of the value changed: refused.
    memcached.set(nonce_cache.cache_key('i', 'a.example.test'),
                  sealed[:-1] + b'b')
    assert cache.lookup('i', 'a.example.test') == (None, False)
    memcached.set(nonce_cache.cache_key('i', 'a.example.test'), sealed)
    assert cache.lookup('i', 'a.example.test').nonce == 'nonce-a'
    # Past its TTL (whatever the cache keeps): a quiet miss.
    now[0] += 12
    assert cache.lookup('i', 'a.example.test') == (None, True)


def test_cache_keys_are_per_instance_and_name_and_memcached_safe():
    keys = {nonce_cache.cache_key(instance, fqdn)
            for instance in ('a', 'b') for fqdn in ('x.test', 'y.test')}
    assert len(keys) == 4
    for key in keys:
        assert len(key) < 250 and key.isascii() and ' ' not in key
    # No two (instance, fqdn) pairs share a key by concatenation.
    assert (nonce_cache.cache_key('ab', 'c.test')
            != nonce_cache.cache_key('a', 'bc.test'))


def test_warnings_are_rate_limited(clock, caplog, otp_key):
    cache = nonce_cache.NonceCache(DownClient(), 10, otp_key, clock=clock)
    for _ in range(5):
        cache.lookup('i', 'h.example.test')
    clock.advance(61)
    cache.remember('i', 'h.example.test', 'n')
    assert caplog.text.count('The nonce cache could not') == 2


def _conf(*args):
    conf = cfg.ConfigOpts()
    novajoin_conf.register_opts(conf)
    conf(list(args), default_config_files=[])
    return conf


def test_without_cache_configuration_each_process_has_its_own(otp_key):
    cache = nonce_cache.NonceCache.from_conf(_conf(), otp_key)
    assert not cache.shared
    assert cache.lookup('i', 'h') == (None, True)
    assert cache.remember('i', 'h', 'n')
    assert cache.lookup('i', 'h').nonce == 'n'
    assert cache.forget('i', 'h') and cache.lookup('i', 'h').nonce is None
    # Another process (another cache built from the same configuration)
    # does not see it.
    cache.remember('i', 'h', 'n')
    other = nonce_cache.NonceCache.from_conf(_conf(), otp_key)
    assert other.lookup('i', 'h').nonce is None


def test_an_unshared_cache_keeps_nonces_no_longer_than_a_rebuild_allows(
        otp_key, tmp_path):
    # The listener's rebuild re-arm cannot reach a process's own cache: its
    # entries must expire soon, a shared cache's need not.
    assert nonce_cache.NonceCache.from_conf(_conf(), otp_key)._ttl == 60
    path = tmp_path / 'join.conf'
    path.write_text('[enrollment]\nnonce_cache_ttl = 30\n')
    assert nonce_cache.NonceCache.from_conf(
        _conf('--config-file', str(path)), otp_key)._ttl == 30
    path.write_text('[enrollment]\nmemcached_servers = 192.0.2.1:11211\n')
    conf = _conf('--config-file', str(path))
    assert nonce_cache.ttl_for(conf, shared=True) == 600
    assert nonce_cache.ttl_for(conf, shared=False) == 60


def test_the_in_process_cache_is_bounded(otp_key, tmp_path):
    path = tmp_path / 'join.conf'
    path.write_text('[enrollment]\nlocal_cache_size = 3\n')
    cache = nonce_cache.NonceCache.from_conf(
        _conf('--config-file', str(path)), otp_key)
    for number in range(5):
        cache.remember('i-%d' % number, 'h', 'n%d' % number)
    assert [cache.lookup('i-%d' % number, 'h').nonce
            for number in range(5)] == [None, None, 'n2', 'n3', 'n4']


def test_deprecated_memcached_servers_is_read_as_a_shared_cache(
        otp_key, tmp_path, caplog):
    path = tmp_path / 'join.conf'
    path.write_text('[enrollment]\nmemcached_servers = 192.0.2.1:11211\n')
    store = cache_store.store_from_conf(_conf('--config-file', str(path)))
    assert store.shared and store.description == 'memcached 192.0.2.1:11211'
    assert 'memcached_servers is deprecated' in caplog.text


@pytest.mark.parametrize('backend', ['oslo_cache.memcache_pool',
                                     'dogpile.cache.memcached',
                                     'dogpile.cache.redis'])
def test_cache_backends_that_unpickle_are_refused(tmp_path, backend):
    path = tmp_path / 'join.conf'
    path.write_text('[cache]\nenabled = true\nbackend = %s\n' % backend)
    with pytest.raises(exception.ConfigurationError) as caught:
        cache_store.store_from_conf(_conf('--config-file', str(path)))
    assert 'never unpickled' in caught.value.message


def test_a_pickle_in_memcached_is_never_loaded():
    serde = cache_store.BytesOnly()
    assert serde.serialize('k', b'v') == (b'v', 0)
    # pymemcache's pickle flag (1), or any flag: not loaded, a forgery.
    assert serde.deserialize('k', b'cos\nsystem\n.', 1) is (
        cache_store.NOT_BYTES)

    class Backend(object):
        def get(self, key):
            return cache_store.NOT_BYTES
    store = cache_store.Store(Backend(), True, 'test')
    with pytest.raises(cache_store.NotBytes):
        store.get('k')


def test_a_nonce_read_from_ipa_never_replaces_a_newer_cached_one(nonces):
    nonces.remember('i', 'h.example.test', 'written', replace=True)
    nonces.remember('i', 'h.example.test', 'read-earlier', replace=False)
    assert nonces.lookup('i', 'h.example.test').nonce == 'written'
    nonces.remember('i', 'h.example.test', 'rearmed')
    assert nonces.lookup('i', 'h.example.test').nonce == 'rearmed'


def test_records_are_kept_apart_from_nonces(nonces, memcached):
    assert nonces.store_record('kind', 'i-1', FQDN, b'value', 60)
    assert nonces.load_record('kind', 'i-1', FQDN) == b'value'
    assert nonces.load_record('other', 'i-1', FQDN) is None
    assert nonces.load_record('kind', 'i-2', FQDN) is None
    assert nonces.lookup('i-1', FQDN).nonce is None
    assert nonce_cache.record_key('kind', 'i-1', FQDN).startswith(
        nonce_cache.RECORD_KEY_PREFIX)


def test_a_record_memcached_cannot_serve_is_a_miss(clock, otp_key):
    down = DownClient()
    nonces = nonce_cache.NonceCache(down, ttl=10, otp_key=otp_key,
                                    clock=clock)
    assert not nonces.store_record('kind', 'i-1', FQDN, b'value', 60)
    assert nonces.load_record('kind', 'i-1', FQDN) is None
    assert down.calls == 2


def test_without_memcached_records_stay_in_the_process_until_due(clock):
    local = nonce_cache.NoNonceCache(clock=clock)
    assert local.store_record('kind', 'i-1', FQDN, b'value', 60)
    assert local.load_record('kind', 'i-1', FQDN) == b'value'
    assert local.lookup('i-1', FQDN) == nonce_cache.Lookup(None, False)
    clock.advance(61)
    assert local.load_record('kind', 'i-1', FQDN) is None

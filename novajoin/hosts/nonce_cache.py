"""The OTP nonce of a just-created host, for the repeats of its boot.

Problem: nova asks for the vendordata of one boot about six times while it
builds a config drive, and cloud-init reads ``vendor_data2.json`` again in
the instance's first minutes, from any metadata process to any novajoin
worker or replica. Each repeat used to read the host entry back from IPA
(``host_show``) to find its nonce (:mod:`novajoin.hosts.otp`); IPA serves 4
calls at a time per server, so those reads cost the whole cloud during a
mass boot.

Design: the worker that adds the entry (or reads an unused one) stores its
nonce in a cache (:mod:`novajoin.hosts.cache_store`: in the process by
default, memcached shared by workers and replicas with oslo.cache's
``[cache]``), under a key derived from the instance id and the FQDN, for
``[enrollment] nonce_cache_ttl`` seconds (default 600: a boot's config
drive and cloud-init's first minutes). A repeat that finds it derives the
same OTP without any IPA call. The nonce is not secret: without the OTP
key it gives nothing. Anything unusual is a miss, and a miss asks IPA: a
repeat reaching another worker without a shared cache, a cold or restarted
memcached, a value that is not a nonce, or memcached not answering within
its socket timeout (a failing server is then skipped for a while; one
warning a minute is logged).

What the cache cannot see, and how it is bounded:

- novajoin's own changes are written through: re-arming after a rebuild
  stores the new nonce, and deleting an instance's host forgets it
  (:mod:`novajoin.hosts.rearm`), both before the change is reported done.
  The listener does both: they reach the API's cache only when the cache
  is shared (memcached); an in-process cache of an API worker is not told,
  and a re-armed host's repeats are answered its earlier OTP until the
  entry expires. So an unshared cache keeps nonces at most
  ``[enrollment] unshared_nonce_cache_ttl`` seconds (60 by default: nova's
  config-drive burst).
- Changes made directly in IPA (``ipa host-del``, ``ipa host-disable``)
  are seen once the entry expires, at most ``nonce_cache_ttl`` seconds
  later; until then a repeat may answer the earlier OTP, which IPA no
  longer accepts. The same holds after an instance enrolls: it may be
  answered the OTP it has just used, which is harmless.
- An expired entry is a miss, so the answer comes from IPA again.

Every value is sealed (:class:`SealedClient`, the one place values are
stored and loaded, whatever kind of entry they are): an HMAC-SHA256 with a
key derived from the OTP key (``[enrollment] otp_key_file``, context
``novajoin-nonce-cache-v1``, so it is neither an OTP nor the key itself)
over the cache key, an expiry time and the value. The cache key is a hash
of the entry's kind, instance id and FQDN, so a value is accepted only
under the key it was stored under, only until ``nonce_cache_ttl`` after it
was stored, and only if a holder of the OTP key stored it. Anything else
(written by another memcached client, moved from another key, or not
bytes at all) is a miss and is logged; an expired one is a quiet miss. So
whoever can write to memcached can cause misses (IPA is asked, answers
stay correct), or within ``nonce_cache_ttl`` put back a value novajoin
itself stored there; never choose a nonce, make IPA accept an OTP, or have
novajoin unpickle anything (:mod:`novajoin.hosts.cache_store`). Keep
memcached on the control-plane network all the same.

Records: other short facts about an instance's host (what TLS services
were satisfied for which metadata, :mod:`novajoin.services.records`) are
stored and loaded the same way (:meth:`NonceCache.store_record`,
:meth:`NonceCache.load_record`), under keys of their own and with the
caller's TTL.
"""

import collections
import hashlib
import hmac
import logging
import math
import re
import threading
import time

import cachetools
from pymemcache import exceptions as memcache_errors

from novajoin.hosts import cache_store
from novajoin.hosts import otp

LOG = logging.getLogger(__name__)

KEY_PREFIX = 'novajoin-nonce-v1-'
RECORD_KEY_PREFIX = 'novajoin-record-v1-'
# Records NoNonceCache keeps; the oldest go first.
LOCAL_RECORDS = 10000
WARNING_INTERVAL = 60.0

# Context of the key derived from the OTP key to seal values.
SEAL_CONTEXT = b'novajoin-nonce-cache-v1'
_SEAL_MAGIC = b'NJS1'
_EXPIRY_BYTES = 8
_TAG_BYTES = hashlib.sha256().digest_size

_NONCE = re.compile(r'[A-Za-z0-9_-]{1,64}')

Lookup = collections.namedtuple('Lookup', ['nonce', 'answered'])
Lookup.__doc__ = """A nonce or None; whether the cache answered at all."""


class ForgedValue(memcache_errors.MemcacheError):
    """A value novajoin did not store under this key, or an expired one.

    Code that treats memcached errors as misses treats it as one.
    """


class SealedClient(object):
    """A cache client whose values only holders of the OTP key make.

    Wraps a :class:`novajoin.hosts.cache_store.Store` or a pymemcache
    client (``get``, ``set``, ``add``, ``delete``, the same arguments).
    Stored values are bytes; each is kept as::

        NJS1 | expiry (8 bytes, Unix time) | tag (32 bytes) | value
        tag = HMAC-SHA256(derived key, len(key) | key | expiry | value)

    :meth:`get` returns the value, None when there is none or its expiry
    is past, and raises :class:`ForgedValue` when the tag does not
    verify. ``otp_key`` is an :class:`novajoin.hosts.otp.OTPKey` or a
    function returning one (called once, when first needed).
    """

    def __init__(self, client, otp_key, wall_clock=time.time):
        self._client = client
        self._otp_key = otp_key
        self._wall_clock = wall_clock
        self._mac_key = None
        self._key_lock = threading.Lock()

    def get(self, key):
        try:
            sealed = self._client.get(key)
        except cache_store.NotBytes as exc:
            raise ForgedValue(str(exc)) from None
        if sealed is None:
            return None
        return self._open(key, sealed)

    def set(self, key, value, expire=0, noreply=None):
        return self._client.set(key, self._seal(key, value, expire),
                                expire=expire, noreply=noreply)

    def add(self, key, value, expire=0, noreply=None):
        """Store ``value`` unless a valid one is there: an expired or
        forged value counts as none. A read then a write: a writer in
        between is overwritten, which costs at most a later miss.
        """
        try:
            current = self.get(key)
        except ForgedValue:
            current = None     # replaced by a value novajoin stores
        if current is not None:
            return False
        return self.set(key, value, expire=expire, noreply=noreply)

    def delete(self, key, noreply=None):
        return self._client.delete(key, noreply=noreply)

    def _seal(self, key, value, expire):
        if not expire or expire <= 0:
            raise ValueError('sealed values need an expiry')
        expiry = math.ceil(self._wall_clock()) + int(expire)
        stamp = expiry.to_bytes(_EXPIRY_BYTES, 'big')
        return (_SEAL_MAGIC + stamp + self._tag(key, stamp, value)
                + bytes(value))

    def _open(self, key, sealed):
        head = len(_SEAL_MAGIC) + _EXPIRY_BYTES
        if (len(sealed) < head + _TAG_BYTES
                or not sealed.startswith(_SEAL_MAGIC)):
            raise ForgedValue('not a value novajoin stored')
        stamp = sealed[len(_SEAL_MAGIC):head]
        tag = sealed[head:head + _TAG_BYTES]
        value = sealed[head + _TAG_BYTES:]
        if not hmac.compare_digest(tag, self._tag(key, stamp, value)):
            raise ForgedValue('its seal does not verify')
        if int.from_bytes(stamp, 'big') < self._wall_clock():
            return None
        return value

    def _tag(self, key, stamp, value):
        if isinstance(key, str):
            key = key.encode('utf-8')
        mac = hmac.new(self._key(), len(key).to_bytes(4, 'big') + key,
                       hashlib.sha256)
        mac.update(stamp)
        mac.update(bytes(value))
        return mac.digest()

    def _key(self):
        with self._key_lock:
            if self._mac_key is None:
                key = self._otp_key
                if callable(key):
                    key = key()
                self._mac_key = key.derive_key(SEAL_CONTEXT)
            return self._mac_key


class NoNonceCache(object):
    """No cache (what components built without configuration get): always
    a miss.

    Records are kept in the process, at most :data:`LOCAL_RECORDS`.
    """

    def __init__(self, clock=time.monotonic):
        self._records = cachetools.TLRUCache(
            maxsize=LOCAL_RECORDS, ttu=lambda _key, value, now: value[0],
            timer=clock)
        self._clock = clock
        self._lock = threading.Lock()

    def lookup(self, instance_id, fqdn):
        return Lookup(None, False)

    # True: no earlier nonce can be answered from a cache.
    def remember(self, instance_id, fqdn, nonce, replace=True):
        return True

    def forget(self, instance_id, fqdn):
        return True

    def load_record(self, kind, instance_id, fqdn):
        with self._lock:
            found = self._records.get(record_key(kind, instance_id, fqdn))
        return None if found is None else found[1]

    def store_record(self, kind, instance_id, fqdn, value, ttl):
        with self._lock:
            self._records[record_key(kind, instance_id, fqdn)] = (
                self._clock() + ttl, value)
        return True


_FAILURES = (memcache_errors.MemcacheError, OSError)


class NonceCache(object):
    """Nonces in a cache. Thread-safe; every failure is a miss.

    ``client`` is a :class:`novajoin.hosts.cache_store.Store` (or a
    pymemcache client); values go through a :class:`SealedClient` with
    ``otp_key`` (an OTPKey, or a function that returns one). ``shared``:
    whether other processes see the values.
    """

    def __init__(self, client, ttl, otp_key, clock=time.monotonic,
                 wall_clock=time.time, shared=True):
        self._client = SealedClient(client, otp_key, wall_clock)
        self._ttl = ttl
        self._clock = clock
        self.shared = shared
        # HashClient's bookkeeping of failed servers is not thread-safe;
        # its calls take well under a millisecond on a healthy server.
        self._client_lock = threading.Lock()
        self._warning_lock = threading.Lock()
        self._last_warning = {}

    @classmethod
    def from_conf(cls, conf, otp_key=None):
        """The cache ``conf`` asks for (:mod:`cache_store`).

        Without ``otp_key`` the key is loaded from ``[enrollment]
        otp_key_file`` when first needed (not to forget an entry).

        :raises novajoin.exception.ConfigurationError: an unsupported
            ``[cache] backend``, or from that load.
        """
        store = cache_store.store_from_conf(conf)
        ttl = ttl_for(conf, store.shared)
        LOG.info('Nonce cache: %s, entries kept %d s', store.description,
                 ttl)
        if otp_key is None:
            path = conf.enrollment.otp_key_file

            def otp_key():
                return otp.OTPKey.from_file(path)
        return cls(store, ttl, otp_key, shared=store.shared)

    def lookup(self, instance_id, fqdn):
        """The :class:`Lookup` of this instance's ``fqdn``."""
        try:
            with self._client_lock:
                value = self._client.get(cache_key(instance_id, fqdn))
        except ForgedValue as exc:
            # Not known to be new: ask IPA first, as when memcached is down.
            self._warn('forged', 'Ignoring a value in the nonce cache for '
                       'instance=%s fqdn=%s: %s; asking IPA instead.'
                       % (instance_id, fqdn, exc))
            return Lookup(None, False)
        except _FAILURES as exc:
            self._failed('read', exc)
            return Lookup(None, False)
        if value is None:
            return Lookup(None, True)
        nonce = value.decode('ascii', errors='replace')
        if not _NONCE.fullmatch(nonce):
            LOG.warning('Ignoring a value in the nonce cache that is not a '
                        'nonce for instance=%s fqdn=%s', instance_id, fqdn)
            return Lookup(None, True)
        return Lookup(nonce, True)

    def remember(self, instance_id, fqdn, nonce, replace=True):
        """Store ``nonce``; True when the cache stored it.

        Whoever wrote the nonce to IPA replaces the cached one; a nonce
        only read from IPA is stored only where there is none, so a slow
        reader cannot overwrite a newer one.
        """
        store = self._client.set if replace else self._client.add
        try:
            with self._client_lock:
                stored = store(cache_key(instance_id, fqdn),
                               nonce.encode('ascii'), expire=self._ttl,
                               noreply=False)
        except _FAILURES as exc:
            self._failed('store', exc)
            return False
        return bool(stored)

    def forget(self, instance_id, fqdn):
        """Drop the nonce; True when the cache answered (found or not)."""
        try:
            with self._client_lock:
                self._client.delete(cache_key(instance_id, fqdn),
                                    noreply=False)
        except _FAILURES as exc:
            self._failed('forget', exc)
            return False
        return True

    def load_record(self, kind, instance_id, fqdn):
        """The bytes stored as the ``kind`` record of this host, or None.

        None also when the cache does not answer, or holds a forgery.
        """
        try:
            with self._client_lock:
                return self._client.get(record_key(kind, instance_id, fqdn))
        except ForgedValue as exc:
            self._warn('forged', 'Ignoring a record in the nonce cache: %s'
                       % exc)
            return None
        except _FAILURES as exc:
            self._failed('read', exc)
            return None

    def store_record(self, kind, instance_id, fqdn, value, ttl):
        """Store ``value`` (bytes) for ``ttl`` seconds; True when stored."""
        try:
            with self._client_lock:
                return bool(self._client.set(
                    record_key(kind, instance_id, fqdn), value, expire=ttl,
                    noreply=False))
        except _FAILURES as exc:
            self._failed('store', exc)
            return False

    def _failed(self, action, exc):
        self._warn('failed', 'The nonce cache could not %s a value (%s: '
                   '%s); asking IPA instead.'
                   % (action, type(exc).__name__, exc))

    def _warn(self, kind, message):
        """Log ``message``, at most once a WARNING_INTERVAL per kind."""
        now = self._clock()
        with self._warning_lock:
            last = self._last_warning.get(kind)
            if last is not None and now - last < WARNING_INTERVAL:
                return
            self._last_warning[kind] = now
        LOG.warning('%s Further ones in the next %d s are not logged.',
                    message, WARNING_INTERVAL)


def record_key(kind, instance_id, fqdn):
    """The memcached key of a ``kind`` record of one instance's host."""
    return RECORD_KEY_PREFIX + cache_key(kind + '\n' + instance_id,
                                         fqdn)[len(KEY_PREFIX):]


def ttl_for(conf, shared):
    """Seconds a nonce is answered from a cache that is ``shared`` or not.

    A cache the listener cannot write through (each API process's own)
    keeps nonces at most ``unshared_nonce_cache_ttl``: a rebuild's re-arm
    must reach the answers soon.
    """
    ttl = conf.enrollment.nonce_cache_ttl
    if shared:
        return ttl
    return min(ttl, conf.enrollment.unshared_nonce_cache_ttl)


def cache_key(instance_id, fqdn):
    """The memcached key of one instance's host: printable, < 250 bytes."""
    digest = hashlib.sha256(('%s\n%s' % (instance_id, fqdn)).encode(
        'utf-8')).hexdigest()
    return KEY_PREFIX + digest

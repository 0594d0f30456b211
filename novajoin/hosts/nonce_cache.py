"""The OTP nonce of a just-created host, shared by workers and replicas.

Problem: nova asks for the vendordata of one boot about six times within a
second or two, from any metadata process to any novajoin worker or replica.
Each repeat used to read the host entry back from IPA (``host_show``) to
find its nonce (:mod:`novajoin.hosts.otp`); IPA serves 4 calls at a time per
server, so those reads cost the whole cloud during a mass boot.

Design: the worker that adds the entry (or reads an unused one) stores its
nonce in memcached, under a key derived from the instance id and the FQDN,
for ``[enrollment] nonce_cache_ttl`` seconds (default 10). A repeat that
finds it derives the same OTP without any IPA call. The nonce is not
secret: without the OTP key it gives nothing. Anything unusual is a miss,
and a miss asks IPA: no ``[enrollment] memcached_servers``, a cold or
restarted memcached, a value that is not a nonce, or memcached not
answering within ``memcached_timeout`` (a failing server is then skipped for
a few seconds; one warning a minute is logged).

What the cache cannot see, and how it is bounded:

- novajoin's own changes are written through: re-arming after a rebuild
  stores the new nonce, and deleting an instance's host forgets it
  (:mod:`novajoin.hosts.rearm`), both before the change is reported done.
- Changes made directly in IPA (``ipa host-del``, ``ipa host-disable``)
  are seen once the entry expires, at most ``nonce_cache_ttl`` seconds
  later; until then a repeat may answer the earlier OTP, which IPA no
  longer accepts. The same holds for the few seconds after an instance
  enrolls: it may be answered the OTP it has just used, which is harmless.
- An expired entry is a miss, so the answer comes from IPA again.

Every value is sealed (:class:`SealedClient`, the one place values are
stored and loaded, whatever kind of entry they are): an HMAC-SHA256 with a
key derived from the OTP key (``[enrollment] otp_key_file``, context
``novajoin-nonce-cache-v1``, so it is neither an OTP nor the key itself)
over the memcached key, an expiry time and the value. The memcached key is
a hash of the entry's kind, instance id and FQDN, so a value is accepted
only under the key it was stored under, only until ``nonce_cache_ttl``
after it was stored, and only if a holder of the OTP key stored it.
Anything else (written by another memcached client, moved from another
key, expired, or from a replica whose clock is more than the TTL off) is a
miss and is logged. So whoever can write to memcached can cause misses
(IPA is asked, answers stay correct), or within ``nonce_cache_ttl`` put
back a value novajoin itself stored there; never choose a nonce or make IPA
accept an OTP. Keep memcached on the control-plane network all the same.

Records: other short facts about an instance's host (what TLS services
were satisfied for which metadata, :mod:`novajoin.services.records`) are
stored and loaded the same way (:meth:`NonceCache.store_record`,
:meth:`NonceCache.load_record`), under keys of their own and with the
caller's TTL. Without memcached they are kept in the process
(:class:`NoNonceCache`), never shared.
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
from pymemcache.client import hash as memcache_hash
from pymemcache import exceptions as memcache_errors

from novajoin.hosts import otp

LOG = logging.getLogger(__name__)

KEY_PREFIX = 'novajoin-nonce-v1-'
RECORD_KEY_PREFIX = 'novajoin-record-v1-'
# Records a process keeps without memcached; the oldest go first.
LOCAL_RECORDS = 10000
# A failed memcached server is skipped for this many seconds.
DEAD_SERVER_SECONDS = 10
WARNING_INTERVAL = 60.0

# Context of the key derived from the OTP key to seal values.
SEAL_CONTEXT = b'novajoin-nonce-cache-v1'
_SEAL_MAGIC = b'NJS1'
_EXPIRY_BYTES = 8
_TAG_BYTES = hashlib.sha256().digest_size

_NONCE = re.compile(r'[A-Za-z0-9_-]{1,64}')

Lookup = collections.namedtuple('Lookup', ['nonce', 'answered'])
Lookup.__doc__ = """A nonce or None; whether memcached answered at all (a
miss from a working cache means the host is most likely new)."""


class ForgedValue(memcache_errors.MemcacheError):
    """A value novajoin did not store under this key, or an expired one.

    Code that treats memcached errors as misses treats it as one.
    """


class SealedClient(object):
    """A memcached client whose values only holders of the OTP key make.

    Wraps a pymemcache client (``get``, ``set``, ``add``, ``delete``, the
    same arguments). Stored values are bytes; each is kept as::

        NJS1 | expiry (8 bytes, Unix time) | tag (32 bytes) | value
        tag = HMAC-SHA256(derived key, len(key) | key | expiry | value)

    :meth:`get` returns the value, None when there is none, and raises
    :class:`ForgedValue` when the tag does not verify or the expiry is
    past. ``otp_key`` is an :class:`novajoin.hosts.otp.OTPKey` or a
    function returning one (called once, when first needed).
    """

    def __init__(self, client, otp_key, wall_clock=time.time):
        self._client = client
        self._otp_key = otp_key
        self._wall_clock = wall_clock
        self._mac_key = None
        self._key_lock = threading.Lock()

    def get(self, key):
        sealed = self._client.get(key)
        if sealed is None:
            return None
        return self._open(key, sealed)

    def set(self, key, value, expire=0, noreply=None):
        return self._client.set(key, self._seal(key, value, expire),
                                expire=expire, noreply=noreply)

    def add(self, key, value, expire=0, noreply=None):
        return self._client.add(key, self._seal(key, value, expire),
                                expire=expire, noreply=noreply)

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
            raise ForgedValue('it has expired')
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
    """Used without ``[enrollment] memcached_servers``: always a miss.

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
    """Nonces in memcached. Thread-safe; every failure is a miss.

    ``client`` is a pymemcache client; values go through a
    :class:`SealedClient` with ``otp_key`` (an OTPKey, or a function that
    returns one).
    """

    def __init__(self, client, ttl, otp_key, clock=time.monotonic,
                 wall_clock=time.time):
        self._client = SealedClient(client, otp_key, wall_clock)
        self._ttl = ttl
        self._clock = clock
        # HashClient's bookkeeping of failed servers is not thread-safe;
        # its calls take well under a millisecond on a healthy server.
        self._client_lock = threading.Lock()
        self._warning_lock = threading.Lock()
        self._last_warning = {}

    @classmethod
    def from_conf(cls, conf, otp_key=None):
        """A NonceCache, or a NoNonceCache when no servers are set.

        Without ``otp_key`` the key is loaded from ``[enrollment]
        otp_key_file`` when first needed (not to forget an entry).

        :raises novajoin.exception.ConfigurationError: from that load.
        """
        servers = conf.enrollment.memcached_servers
        if not servers:
            return NoNonceCache()
        if otp_key is None:
            path = conf.enrollment.otp_key_file

            def otp_key():
                return otp.OTPKey.from_file(path)
        timeout = conf.enrollment.memcached_timeout
        # retry_attempts=0: a server that fails is skipped at once for
        # dead_timeout; calls then raise instead of quietly missing.
        client = memcache_hash.HashClient(
            servers, connect_timeout=timeout, timeout=timeout,
            retry_attempts=0, dead_timeout=DEAD_SERVER_SECONDS,
            ignore_exc=False, default_noreply=False)
        return cls(client, conf.enrollment.nonce_cache_ttl, otp_key)

    def lookup(self, instance_id, fqdn):
        """The :class:`Lookup` of this instance's ``fqdn``."""
        try:
            with self._client_lock:
                value = self._client.get(cache_key(instance_id, fqdn))
        except ForgedValue as exc:
            # Not known to be new: ask IPA first, as when memcached is down.
            self._warn('forged', 'Ignoring a value in memcached for '
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
            LOG.warning('Ignoring a value in memcached that is not a nonce '
                        'for instance=%s fqdn=%s', instance_id, fqdn)
            return Lookup(None, True)
        return Lookup(nonce, True)

    def remember(self, instance_id, fqdn, nonce, replace=True):
        """Share ``nonce``; True when memcached stored it.

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
        """Drop the nonce; True when memcached answered (found or not)."""
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

        None also when memcached does not answer.
        """
        try:
            with self._client_lock:
                return self._client.get(record_key(kind, instance_id, fqdn))
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
        self._warn('failed', 'memcached could not %s an OTP nonce (%s: %s); '
                   'asking IPA instead.' % (action, type(exc).__name__, exc))

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


def cache_key(instance_id, fqdn):
    """The memcached key of one instance's host: printable, < 250 bytes."""
    digest = hashlib.sha256(('%s\n%s' % (instance_id, fqdn)).encode(
        'utf-8')).hexdigest()
    return KEY_PREFIX + digest

"""One-time passwords that every replica derives alike, without a database.

Problem: nova asks for the vendordata of one boot many times (about six
calls while it builds a config drive, one per GET of ``vendor_data2.json``,
again after a reboot), from any nova-api-metadata process to any novajoin
worker or replica. IPA keeps only a hash of the host's OTP, so a replica
cannot read back an OTP another one set; and setting a fresh OTP on every
request would invalidate the one already handed out.

Design: the OTP is not stored anywhere; it is recomputed.

    otp = encode(HMAC-SHA256(key, "novajoin-otp-v1" | instance id | fqdn |
                                  nonce))

- ``key`` is the content of ``[enrollment] otp_key_file``: at least 32
  random bytes, identical on every replica (distributed like a fernet key),
  readable by novajoin only. Without the key nobody can compute an OTP.
- ``nonce`` is 128 bits from :mod:`secrets`, chosen when the host entry is
  created and stored in the entry's description next to the owning instance
  id (:func:`novajoin.hosts.ownership.build_description`). It is not secret; it
  makes the OTP of a re-created entry (same instance, same name, after a
  delete) differ from the old one, and it ties the OTP to one IPA entry.
- The first request does ``host_add`` with the description and the derived
  OTP. Every later request for the same boot finds the nonce in the shared
  cache (:mod:`novajoin.hosts.nonce_cache`) or reads it back with
  ``host_show``,
  and derives the same OTP without writing to IPA. A concurrent first
  request loses the ``host_add`` race (DuplicateEntry), reads the winner's
  nonce and also answers the winner's OTP.
- No OTP is valid twice. Every nonce is random and written once: with a new
  entry, or by an owner-checked re-arm after a rebuild
  (:mod:`novajoin.hosts.rearm`). A vendordata request never sets a password
  on an
  existing entry, so an entry that was enrolled once (or holds a password
  novajoin did not derive) gets no OTP from one; see
  :mod:`novajoin.hosts.host_entry`.

The OTP is 32 characters of ``[0-9A-Za-z]`` (about 190 bits), safe in a shell
word and as ``ipa-client-install --password``; it cannot start with ``-``.
Surrounding whitespace of the key file is ignored, so a text key copied by
configuration management with or without a final newline gives the same
OTPs everywhere.
"""

import collections
import hashlib
import hmac
import math
import os
import secrets
import stat
import string

from oslo_log import log as logging

from novajoin import exception

LOG = logging.getLogger(__name__)

MIN_KEY_BYTES = 32
# Below this the key file is refused as obviously not random.
MIN_KEY_ENTROPY_BITS = 128
NONCE_BYTES = 16
OTP_ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase
OTP_LENGTH = 32

_OTP_CONTEXT = b'novajoin-otp-v1'


def new_nonce():
    """A fresh random nonce for a new host entry (128 bits, URL-safe)."""
    return secrets.token_urlsafe(NONCE_BYTES)


class OTPKey(object):
    """The shared secret every replica derives OTPs from."""

    def __init__(self, key):
        if len(key) < MIN_KEY_BYTES:
            raise ValueError('the OTP key needs at least %d bytes'
                             % MIN_KEY_BYTES)
        self._key = bytes(key)

    def __repr__(self):
        return 'OTPKey(<secret>)'

    @classmethod
    def from_file(cls, path):
        """Load the key, refusing files that are unsafe, short or not random.

        :raises novajoin.exception.ConfigurationError: with what is wrong.
        """
        try:
            with open(path, 'rb') as key_file:
                mode = os.fstat(key_file.fileno()).st_mode
                if not stat.S_ISREG(mode):
                    raise exception.ConfigurationError(
                        'OTP key file %s is not a regular file' % path)
                _check_key_file_mode(path, mode)
                key = key_file.read().strip()
        except FileNotFoundError:
            raise exception.ConfigurationError(
                'OTP key file %s does not exist; create it on one node '
                'with: openssl rand -base64 48 > %s; chmod 0400 %s; and '
                'copy it to every novajoin-server' % (path, path, path))
        except PermissionError:
            raise exception.ConfigurationError(
                'OTP key file %s is not readable by novajoin' % path)
        except IsADirectoryError:
            raise exception.ConfigurationError(
                'OTP key file %s is not a regular file' % path)
        if len(key) < MIN_KEY_BYTES:
            raise exception.ConfigurationError(
                'OTP key file %s holds %d bytes; at least %d random bytes '
                'are needed' % (path, len(key), MIN_KEY_BYTES))
        _check_key_looks_random(path, key)
        return cls(key)

    def derive_otp(self, instance_id, fqdn, nonce):
        """The OTP of the host entry ``fqdn`` of ``instance_id``."""
        digest = self._mac(_OTP_CONTEXT, instance_id, fqdn, nonce)
        return _encode(digest)

    def derive_key(self, context):
        """A key for another purpose, derived from this one.

        ``context`` names the purpose (e.g. ``b"novajoin-nonce-cache-v1"``)
        and must differ from every other context and from the OTPs', so a
        derived key reveals nothing of the OTPs and vice versa.
        """
        if context == _OTP_CONTEXT:
            raise ValueError('the OTP context cannot name a derived key')
        return self._mac(context)

    def _mac(self, context, *fields):
        # Length-prefixed fields: no two field lists give the same message.
        mac = hmac.new(self._key, context, hashlib.sha256)
        for field in fields:
            encoded = field.encode('utf-8')
            mac.update(len(encoded).to_bytes(4, 'big'))
            mac.update(encoded)
        return mac.digest()


def _check_key_file_mode(path, mode):
    """Refuse a key others can read or anyone but its owner can write."""
    if mode & (stat.S_IROTH | stat.S_IWOTH):
        raise exception.ConfigurationError(
            'OTP key file %s is accessible to every user (mode %o); make it '
            'readable by novajoin only, e.g. chmod 0400'
            % (path, stat.S_IMODE(mode)))
    if mode & stat.S_IWGRP:
        # Whoever can write the key can choose every future OTP.
        raise exception.ConfigurationError(
            'OTP key file %s is writable by its group (mode %o); e.g. '
            'chmod 0400' % (path, stat.S_IMODE(mode)))
    if mode & stat.S_IRGRP:
        LOG.warning('OTP key file %s is readable by its group (mode %o): '
                    'every member can compute one-time passwords. Prefer '
                    'chmod 0400.', path, stat.S_IMODE(mode))


def _check_key_looks_random(path, key):
    """Refuse keys that are obviously not random (``x`` * 48, a repeated
    pattern, few distinct bytes): long enough, yet easy to guess.

    The estimate is the key's Shannon entropy per byte times its length, a
    generous upper bound for a random key; it only catches the obvious.
    """
    counts = collections.Counter(key)
    entropy = -sum(n / len(key) * math.log2(n / len(key))
                   for n in counts.values())
    if (entropy * len(key) < MIN_KEY_ENTROPY_BITS
            or _is_repetition(key)):
        raise exception.ConfigurationError(
            'OTP key file %s does not look random (%d distinct bytes in '
            '%d); create it with: openssl rand -base64 48 > %s'
            % (path, len(counts), len(key), path))


def _is_repetition(key):
    """Whether ``key`` is one shorter pattern repeated (``abcabcab``)."""
    return any(key == (key[:period] * (len(key) // period + 1))[:len(key)]
               for period in range(1, len(key) // 2 + 1))


def _encode(digest):
    # 62**32 is far below 2**256, so the modulo bias is negligible.
    number = int.from_bytes(digest, 'big')
    characters = []
    for _ in range(OTP_LENGTH):
        number, index = divmod(number, len(OTP_ALPHABET))
        characters.append(OTP_ALPHABET[index])
    return ''.join(characters)

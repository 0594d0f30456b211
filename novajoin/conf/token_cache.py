"""keystonemiddleware's token cache in memcached must be protected.

With ``[keystone_authtoken] memcached_servers`` set, keystonemiddleware
keeps each validated token's data in memcached under a hash of the token.
Without ``memcache_security_strategy`` whoever can write to memcached can
store a validation record under the hash of any string and use that
string as a token (nova's, say, and get any instance's OTP). ``MAC``
authenticates the records with ``memcache_secret_key``, ``ENCRYPT`` also
encrypts them; the cache keys are derived from the token and the secret.

The API refuses to start, and ``novajoin-manage check`` fails, with
memcached servers and no strategy or no secret key. keystonemiddleware's
options are registered by :mod:`novajoin.api.authtoken`; this only judges
their values.
"""

STRATEGIES = ('MAC', 'ENCRYPT')
# Shorter secrets are refused: keystonemiddleware derives the MAC and
# encryption keys from it, so it must be as hard to guess as a key.
MIN_SECRET_LENGTH = 32


def problem(memcached_servers, security_strategy, secret_key):
    """What is wrong with these options, or None when nothing is."""
    if not memcached_servers:
        return None
    strategy = (security_strategy or 'None').upper()
    if strategy not in STRATEGIES:
        return ('[keystone_authtoken] memcached_servers is set but '
                'memcache_security_strategy is %s: whoever can write to '
                'memcached could make any string a valid token. Set '
                'memcache_security_strategy = ENCRYPT (or MAC) and a random '
                'memcache_secret_key (novajoin-install --memcached-servers '
                'writes both), the same on every API process and replica'
                % (security_strategy or 'not set'))
    if len(secret_key or '') < MIN_SECRET_LENGTH:
        return ('[keystone_authtoken] memcache_secret_key is %s: with '
                'memcache_security_strategy = %s it needs at least %d random '
                'characters (e.g. openssl rand -base64 48), the same on '
                'every API process and replica'
                % ('too short' if secret_key else 'not set', strategy,
                   MIN_SECRET_LENGTH))
    return None

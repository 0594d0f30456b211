"""Re-enrollment of an instance's host: the one path that sets a password
on an existing entry.

A vendordata request never gives an existing entry a password (anything
inside an instance can make nova send one). Re-enrollment happens only
here, for a caller that knows the instance may enroll again -- the
listener's rebuild handling, after it checked with nova that the instance
is being rebuilt -- on an entry whose owner record names the instance.

Every re-arm writes a fresh random nonce and the OTP derived from it
(:mod:`novajoin.hosts.otp`), so the new OTP was never answered before, and then
stores the nonce in the shared cache (:mod:`novajoin.hosts.nonce_cache`)
so that
every replica answers it at once instead of a cached earlier one. Two ways
to use it::

    from novajoin.hosts import nonce_cache
    from novajoin.hosts import otp
    from novajoin.hosts import rearm
    key = otp.OTPKey.from_file(conf.enrollment.otp_key_file)
    nonces = nonce_cache.NonceCache.from_conf(conf)

    # One call per host: reads the entry, checks owner and state.
    ipa.call('host_disable', [fqdn])   # AlreadyInactive: nothing to do
    rearm.rearm_host(ipa, key, nonces, instance_id, fqdn)

    # Or inside the caller's own batch (host_disable + host_mod), for an
    # entry it has shown to be the instance's:
    arming = rearm.arming_for(key, instance_id, fqdn)
    ipa.batch([('host_disable', [fqdn], {}),
               ('host_mod', [fqdn], arming.host_mod_options)])
    rearm.share_nonce(nonces, instance_id, fqdn, arming.nonce)

    # After deleting a host, or clearing its unused OTP:
    rearm.forget_host(nonces, instance_id, fqdn)

:func:`rearm_host` keeps an entry that still holds an unused OTP of
novajoin's (a rebuild of a never-enrolled instance, a repeated
notification). Everything here needs the API's OTP key file and its
``[cache]`` (a shared one, so that the API's processes see the change).
"""

import collections
import logging

from novajoin import exception
from novajoin.hosts import host_entry
from novajoin.hosts import otp
from novajoin.hosts import ownership
from novajoin.ipa import errors as ipa_errors

LOG = logging.getLogger(__name__)

REARMED = 'rearmed'
KEPT = 'kept-unused-otp'


Arming = collections.namedtuple('Arming', ['nonce', 'host_mod_options'])
Arming.__doc__ = """A fresh nonce, and the ``host_mod`` options writing it
with the OTP derived from it."""


def arming_for(otp_key, instance_id, fqdn, **record_fields):
    """A fresh :class:`Arming` for ``instance_id``'s host ``fqdn``.

    ``record_fields`` go to :func:`novajoin.hosts.ownership.build_description`.
    """
    nonce = otp.new_nonce()
    options = {
        'description': ownership.build_description(instance_id, nonce,
                                                   **record_fields),
        'userpassword': otp_key.derive_otp(instance_id, fqdn, nonce),
    }
    return Arming(nonce, options)


def share_nonce(nonces, instance_id, fqdn, nonce):
    """Tell every replica the nonce just written to IPA; call right after
    the ``host_mod`` succeeded.

    :returns: False when the cache could not be told: a cached earlier
        nonce may then be answered until it expires (``[enrollment]
        nonce_cache_ttl``); it is logged.
    """
    if nonces.remember(instance_id, fqdn, nonce):
        return True
    LOG.warning('instance=%s fqdn=%s: the new OTP nonce is not in the cache; '
                'an earlier cached one may be answered until it expires '
                '([enrollment] nonce_cache_ttl)', instance_id, fqdn)
    return False


def rearm_host(ipa, otp_key, nonces, instance_id, fqdn, timeout=None):
    """Give ``instance_id``'s disabled host ``fqdn`` a fresh OTP.

    :returns: :data:`REARMED`, or :data:`KEPT` when the entry holds an
        unused OTP of novajoin's already.
    :raises novajoin.exception.HostOwnedByOther: not this instance's host;
        nothing was written.
    :raises novajoin.exception.HostStillEnrolled: it has a keytab.
    :raises novajoin.ipa.errors.NotFound: there is no such host.
    """
    entry = ipa.host_show(fqdn, timeout=timeout)['result']
    state = host_entry.state_for(entry, instance_id, fqdn)
    if state.state == host_entry.ENROLLED:
        raise exception.HostStillEnrolled(fqdn)
    if state.state == host_entry.ARMED:
        nonces.remember(instance_id, fqdn, state.nonce, replace=False)
        LOG.info('instance=%s fqdn=%s decision=%s', instance_id, fqdn, KEPT)
        return KEPT
    # The floating IP records stay across a rebuild.
    arming = arming_for(otp_key, instance_id, fqdn,
                        floating_ips=_floating_ips_of(entry))
    try:
        ipa.host_mod(fqdn, timeout=timeout, **arming.host_mod_options)
    except ipa_errors.ValidationError:
        # IPA refuses a password on an enrolled host.
        raise exception.HostStillEnrolled(fqdn) from None
    share_nonce(nonces, instance_id, fqdn, arming.nonce)
    LOG.info('instance=%s fqdn=%s decision=%s', instance_id, fqdn, REARMED)
    return REARMED


def _floating_ips_of(entry):
    record = ownership.owner_of(entry)
    return record.floating_ips if record is not None else None


def forget_host(nonces, instance_id, fqdn):
    """Drop the cached nonce of a host that was deleted or lost its OTP.

    :returns: False when the cache could not be told; the nonce then
        expires by itself within ``[enrollment] nonce_cache_ttl``.
    """
    return nonces.forget(instance_id, fqdn)

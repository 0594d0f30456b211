"""Re-enrollment of an instance's host: the one path that sets a password
on an existing entry.

A vendordata request never gives an existing entry a password (anything
inside an instance can make nova send one). Re-enrollment happens only
here, for a caller that knows the instance may enroll again -- the
listener's rebuild handling, after it checked with nova that the instance
is being rebuilt and has ``host_disable``-d the entry -- and it is
owner-checked again here. Callers::

    from novajoin import nonce_cache, otp, rearm
    key = otp.OTPKey.from_file(conf.enrollment.otp_key_file)
    nonces = nonce_cache.NonceCache.from_conf(conf)
    ...
    ipa.host_disable(fqdn)        # AlreadyInactive: nothing to disable
    rearm.rearm_host(ipa, key, nonces, instance_id, fqdn)
    ...
    cleanup.delete_owned_resources(ipa, owned)
    rearm.forget_host(nonces, instance_id, fqdn)

:func:`rearm_host` writes a fresh random nonce and the OTP derived from it
(:mod:`novajoin.otp`), so the new OTP was never answered before, and
stores the nonce in the shared cache (:mod:`novajoin.nonce_cache`) so that
every replica answers it at once. An entry that still holds its unused OTP
keeps it (a rebuild of a never-enrolled instance, or a second rebuild
notification). :func:`forget_host` drops the cached nonce of a host that
was deleted or whose unused OTP was cleared (expiry of unenrolled hosts). Both need the OTP key file and ``[enrollment] memcached_servers`` of
the API.
"""

import logging

from novajoin import exception
from novajoin import host_entry
from novajoin.ipa import errors as ipa_errors
from novajoin import otp
from novajoin import ownership

LOG = logging.getLogger(__name__)

REARMED = 'rearmed'
KEPT = 'kept-unused-otp'


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
    nonce = otp.new_nonce()
    try:
        ipa.host_mod(fqdn, timeout=timeout,
                     description=ownership.build_description(instance_id,
                                                             nonce),
                     userpassword=otp_key.derive_otp(instance_id, fqdn,
                                                     nonce))
    except ipa_errors.ValidationError:
        # IPA refuses a password on an enrolled host.
        raise exception.HostStillEnrolled(fqdn) from None
    if not nonces.remember(instance_id, fqdn, nonce):
        LOG.warning('instance=%s fqdn=%s: the new nonce is not in memcached; '
                    'a cached earlier one may be answered until it expires '
                    '([enrollment] nonce_cache_ttl)', instance_id, fqdn)
    LOG.info('instance=%s fqdn=%s decision=%s', instance_id, fqdn, REARMED)
    return REARMED


def forget_host(nonces, instance_id, fqdn):
    """Drop the cached nonce of a host that was deleted or lost its OTP.

    :returns: False when memcached could not be told; the nonce then
        expires by itself within ``[enrollment] nonce_cache_ttl``.
    """
    return nonces.forget(instance_id, fqdn)

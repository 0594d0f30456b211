"""Re-enrollment of an instance that nova rebuilds.

Problem: a rebuild reinstalls the instance on a new disk. The new OS has no
keytab, while its IPA entry is enrolled; IPA refuses a password on an
enrolled entry (``ipa-jsonrpc.md`` section 5) and vendordata never gives an
enrolled entry one, so the rebuilt instance could never enroll again.

Design: on ``instance.rebuild.start`` and ``.end`` (legacy
``compute.instance.rebuild.start``/``.end``) the listener, for each host
whose owner record names the instance:

1. leaves a host that never enrolled alone: its one-time password is still
   valid and the rebuilt OS uses it;
2. asks nova whether the instance exists and has a ``rebuild`` action, and
   when that rebuild started; a host whose keytab was stored
   (``krblastpwdchange``) after the rebuild started is the rebuilt OS's own
   enrollment and is left alone, so a late or repeated notification never
   takes a fresh enrollment away (nothing is written for a forged one
   either: nova must know the rebuild);
3. re-arms it in one IPA ``batch``: ``host_mod`` recording in the owner
   record that novajoin disables it for this rebuild (``disabled_for_
   rebuild``: when nova says the rebuild started), ``host_disable``
   (keytab and certificates go, and its services' keytabs), then
   ``host_mod`` with a new owner record carrying a fresh random nonce and
   ``created`` time, and the one-time password derived from that nonce
   (:func:`novajoin.hosts.rearm.arming_for`); then shares the nonce with
   every replica (:func:`novajoin.hosts.rearm.share_nonce`) through the
   shared cache (``[cache]`` with memcached, the same for the listener and
   the API). The next vendordata request answers that OTP, which no
   earlier answer held. Without a shared cache the API's processes keep
   answering a nonce they cached for the boot (``[enrollment]
   nonce_cache_ttl``) until it expires; the listener warns at start.

Subhosts of the instance (owner record role ``subhost``, made for its TLS
services) are disabled in the same batch but get no password: the instance
fetches their keytabs again through its own host. Service hosts (role
``service-host``) are shared with other instances and left alone.
An entry of the instance with neither keytab nor password is re-armed only
when its owner record says novajoin disabled it for this same rebuild (a
re-arm whose last step failed, finished by ``.end`` or a redelivery, by
any listener: the record is in IPA). Any other disabled entry -- an
administrator's ``ipa host-disable``, an unused OTP that reconciliation
cleared, a marker of an earlier rebuild -- stays disabled, with outcome
``kept-disabled`` and a warning saying why.

nova's action times and IPA's ``krblastpwdchange`` come from two clocks;
both should follow NTP. An enrollment takes a boot, much longer than the
skew that matters.

Timing: nova asks for vendordata (and builds a config drive) while the
rebuild runs, between ``.start`` and ``.end``, so the work is done on
``.start``; ``.end`` then finds nothing left to do, or does it if ``.start``
was lost. A vendordata request answered before the re-arm gets no OTP (the
entry is still enrolled); one afterwards gets the new OTP.

The listener needs ``[enrollment] otp_key_file`` (the API's key) for this.
"""

import collections
import datetime
import logging

from novajoin.hosts import inventory
from novajoin.hosts import nonce_cache
from novajoin.hosts import otp
from novajoin.hosts import ownership
from novajoin.hosts import rearm
from novajoin.ipa import errors as ipa_errors

LOG = logging.getLogger(__name__)

NOT_ENROLLED = 'not-enrolled'
ENROLLED_SINCE = 'enrolled-since-rebuild'
REARMED = 'rearmed'
DISABLED = 'disabled'
NO_REBUILD_KNOWN = 'kept-no-rebuild-known'
KEPT_DISABLED = 'kept-disabled'

HostOutcome = collections.namedtuple('HostOutcome', ['fqdn', 'result'])


class Rebuilds(object):
    """Re-arms the hosts of rebuilt instances; one per listener process."""

    def __init__(self, ipa, servers, otp_key, nonces=None,
                 clock=ownership.utcnow):
        self._ipa = ipa
        self._servers = servers
        self._otp_key = otp_key
        self._nonces = nonces or nonce_cache.NoNonceCache()
        self._clock = clock

    @classmethod
    def from_conf(cls, conf, ipa, servers):
        """:raises novajoin.exception.ConfigurationError: bad key file."""
        otp_key = otp.OTPKey.from_file(conf.enrollment.otp_key_file)
        nonces = nonce_cache.NonceCache.from_conf(conf, otp_key)
        if not nonces.shared:
            LOG.warning('The nonce cache is not shared ([cache] is not '
                        'enabled with memcached): a rebuild\'s new OTP '
                        'cannot be written through to the API\'s caches, '
                        'whose repeats answer the earlier OTP for up to '
                        '[enrollment] unshared_nonce_cache_ttl (%d s) after '
                        'a boot. Give the listener and the API the same '
                        '[cache].',
                        nonce_cache.ttl_for(conf, shared=False))
        return cls(ipa, servers, otp_key, nonces)

    def rebuilt(self, instance_id):
        """Re-arm what the instance had enrolled; [HostOutcome].

        When nova shows no rebuild of the instance (deleted since, or a
        forged notification) nothing is changed and every enrolled host's
        outcome is ``kept-no-rebuild-known``.
        """
        # Service hosts are shared with other instances: left alone.
        entries = [self._show(entry) for entry in
                   inventory.instance_entries(self._ipa, instance_id)
                   if not ownership.is_service_entry_of(
                       entry, instance_id, ownership.ROLE_SERVICE_HOST)]
        entries = [entry for entry in entries if entry is not None]
        outcomes, affected = [], []
        for entry in entries:
            fqdn = inventory.host_fqdn(entry)
            subhost = ownership.is_service_entry_of(entry, instance_id,
                                                    ownership.ROLE_SUBHOST)
            if entry.get('has_password') or (
                    subhost and not entry.get('has_keytab')):
                outcomes.append(HostOutcome(fqdn, NOT_ENROLLED))
            else:
                affected.append((entry, subhost))
        if not affected:
            return outcomes
        started = self._servers.last_rebuild_started(instance_id)
        if started is None:
            LOG.warning('instance=%s decision=kept reason=nova shows no '
                        'rebuild of the instance', instance_id)
            return outcomes + [
                HostOutcome(inventory.host_fqdn(entry), NO_REBUILD_KNOWN)
                for entry, _ in affected]
        # IPA keeps whole seconds: an enrollment in the second the rebuild
        # started counts as the old one (a boot takes longer than that).
        started = started.replace(microsecond=0)
        stale = []
        for entry, subhost in affected:
            keytab_stored = _keytab_time(entry)
            if keytab_stored is not None and keytab_stored > started:
                outcomes.append(HostOutcome(inventory.host_fqdn(entry),
                                            ENROLLED_SINCE))
            else:
                stale.append((entry, subhost))
        return outcomes + self._rearm(instance_id, stale, started)

    def _show(self, entry):
        # host_find has neither has_keytab nor krblastpwdchange.
        try:
            return self._ipa.host_show(inventory.host_fqdn(entry),
                                       all=True)['result']
        except ipa_errors.NotFound:
            return None

    def _rearm(self, instance_id, stale, started):
        calls, outcomes, armings = [], [], {}
        for entry, subhost in stale:
            fqdn = inventory.host_fqdn(entry)
            if entry.get('has_keytab'):
                if not subhost:
                    calls.append(('host_mod', [fqdn], {
                        'description': _marked(entry, instance_id,
                                               started)}))
                calls.append(('host_disable', [fqdn], {}))
            elif not subhost and not _disabled_for(entry, started):
                LOG.warning(
                    'instance=%s fqdn=%s decision=%s reason=the entry was '
                    'disabled before this rebuild, not by novajoin for it '
                    '(ipa host-disable by an administrator, or an expired '
                    'one-time password); it is not re-armed. To let the '
                    'instance enroll again, delete the host in IPA (ipa '
                    'host-del); the next vendordata request creates it',
                    instance_id, fqdn, KEPT_DISABLED)
                outcomes.append(HostOutcome(fqdn, KEPT_DISABLED))
                continue
            if subhost:
                outcomes.append(HostOutcome(fqdn, DISABLED))
                continue
            record = ownership.owner_of(entry)
            armings[fqdn] = rearm.arming_for(
                self._otp_key, instance_id, fqdn, created=self._clock(),
                floating_ips=record.floating_ips if record else None)
            calls.append(('host_mod', [fqdn],
                          armings[fqdn].host_mod_options))
            outcomes.append(HostOutcome(fqdn, REARMED))
        if not calls:
            return outcomes
        for item in self._ipa.batch(calls):
            # Already disabled: a concurrent re-arm got there first.
            if item.error is not None and not isinstance(
                    item.error, ipa_errors.AlreadyInactive):
                raise item.error
        for fqdn, arming in sorted(armings.items()):
            rearm.share_nonce(self._nonces, instance_id, fqdn, arming.nonce)
        return outcomes


def _marked(entry, instance_id, started):
    """The entry's owner record, marked as disabled by novajoin for the
    rebuild that ``started``.
    """
    record = ownership.owner_of(entry)
    return ownership.rewritten(record, created=record.created or started,
                               disabled_for_rebuild=started)


def _disabled_for(entry, started):
    """Whether novajoin disabled the entry for the rebuild that
    ``started``.
    """
    record = ownership.owner_of(entry)
    return (record is not None
            and record.disabled_for_rebuild == started)


def _keytab_time(entry):
    """When the host's keytab was stored (aware UTC), or None."""
    value = entry.get('krblastpwdchange')
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.datetime.strptime(
                value, '%Y%m%d%H%M%SZ').replace(tzinfo=datetime.timezone.utc)
        except ValueError:
            return None
    return None

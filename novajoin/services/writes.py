"""Apply a :class:`~novajoin.services.confinement.Plan`: one IPA ``batch``.

The batch runs in order (FreeIPA executes its items one after the other,
without rollback): host entries first, then the hosts' managers, then
service principals, then their managers. Each item's failure is logged on
one line and does not stop the others.

One race is handled after the batch: two requests creating the same host at
once. The loser's ``host_add`` fails with DuplicateEntry while its later
items already made its instance a manager of that name. The entry is then
read again, and if it turns out not to be one this instance may use, those
manager relations are removed at once and the items refused. The plan is
not changed: what was taken back is in the :class:`Outcome`.
"""

import logging

from novajoin.hosts import ownership
from novajoin.ipa import errors as ipa_errors
from novajoin.services import metadata
from novajoin.services import rules as service_rules

LOG = logging.getLogger(__name__)

# service_add_host and host_add_managedby report a member that is already
# there as a per-member failure; it is what we wanted.
_ALREADY_MEMBER = 'This entry is already a member'


class Outcome(object):
    """What the batch did: counts, items that failed, IPA round trips.

    ``revoked``: principals of the plan's ``granted`` taken back after a
    lost creation race, each refused in ``refusals``.
    """

    def __init__(self):
        self.written = 0
        self.failed = []
        self.ipa_calls = 0
        self.revoked = set()
        self.refusals = []


def apply(ipa, instance, plan, rules, timeout):
    """Run ``plan``'s writes.

    ``plan`` is left as it is; refusals found on the way (a lost creation
    race) are in the returned :class:`Outcome`.
    """
    outcome = Outcome()
    calls = _calls(instance, plan)
    if not calls:
        return outcome
    items = ipa.batch([call for call, _ in calls], timeout=timeout)
    outcome.ipa_calls += 1
    raced = set()
    for (call, target), item in zip(calls, items):
        method = call[0]
        error = item.error
        if error is None:
            error = _member_failure(item.result)
        if error is None:
            outcome.written += 1
        elif method == 'host_add' and isinstance(
                error, ipa_errors.DuplicateEntry):
            raced.add(target)
        elif method == 'service_add' and isinstance(
                error, ipa_errors.DuplicateEntry):
            # Added by a concurrent request since we looked: the same
            # principal, which the next item makes ours to manage.
            pass
        else:
            outcome.failed.append(target)
            LOG.warning('instance=%s item=%s decision=failed command=%s '
                        'reason=%s', instance.instance_id, target, method,
                        _describe(error))
    if raced:
        outcome.ipa_calls += _settle_races(ipa, instance, plan, rules,
                                           raced, timeout, outcome)
    return outcome


def _calls(instance, plan):
    """[((method, args, options), target)] in the order IPA needs."""
    calls = []
    for fqdn, role in sorted(plan.new_hosts.items()):
        description = ownership.build_description(
            instance.instance_id, role=role, project_id=instance.project_id)
        calls.append((('host_add', [fqdn],
                       {'force': True, 'description': description}), fqdn))
    for fqdn in plan.host_managers:
        calls.append((('host_add_managedby', [fqdn],
                       {'host': [instance.fqdn]}), fqdn))
    for principal in plan.new_services:
        calls.append((('service_add', [str(principal)], {'force': True}),
                      str(principal)))
    for principal in plan.service_managers:
        calls.append((('service_add_host', [str(principal)],
                       {'host': [instance.fqdn]}), str(principal)))
    return calls


def _member_failure(output):
    """The error of a member command whose only member failed, or None."""
    failed = (output or {}).get('failed')
    if not isinstance(failed, dict):
        return None
    for members in failed.values():
        for entries in (members or {}).values():
            for name, reason in entries or ():
                if reason != _ALREADY_MEMBER:
                    return ipa_errors.IPACommandError(
                        '%s: %s' % (name, reason))
    return None


def _settle_races(ipa, instance, plan, rules, raced, timeout, outcome):
    """Undo what this batch granted on hosts someone else created."""
    calls = 1
    items = ipa.batch([('host_show', [fqdn], {}) for fqdn in sorted(raced)],
                      timeout=timeout)
    undo = []
    for fqdn, item in zip(sorted(raced), items):
        entry = item.result.get('result') if item.error is None else None
        reason = _race_refusal(instance, fqdn, plan.new_hosts[fqdn], entry,
                               rules)
        if reason is None:
            continue
        if fqdn in plan.host_managers:
            undo.append(('host_remove_managedby', [fqdn],
                         {'host': [instance.fqdn]}))
        for principal in [p for p in plan.granted if p.host == fqdn]:
            undo.append(('service_remove_host', [str(principal)],
                         {'host': [instance.fqdn]}))
            outcome.revoked.add(principal)
            outcome.refusals.append(metadata.Refusal(str(principal),
                                                     reason))
    if undo:
        calls += 1
        for call, item in zip(undo, ipa.batch(undo, timeout=timeout)):
            if item.error is not None:
                LOG.error('instance=%s item=%s decision=failed command=%s '
                          'reason=could not take back a relation on an '
                          'entry created concurrently by someone else: %s',
                          instance.instance_id, call[1][0], call[0],
                          _describe(item.error))
    return calls


def _race_refusal(instance, fqdn, role, entry, rules):
    if entry is None:
        return '%s could not be read back after a concurrent creation' % fqdn
    if role == ownership.ROLE_SUBHOST:
        return service_rules.subhost_entry_refusal(instance, fqdn, entry)
    return service_rules.managed_entry_refusal(instance, fqdn, entry, rules)


def _describe(error):
    return '%s: %s' % (type(error).__name__, error)

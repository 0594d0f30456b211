"""Which of the requested subhosts and principals an instance may have.

Given what the metadata asks for and what IPA holds, :func:`plan` returns
the writes that give the instance exactly what it may have, and a refusal
for the rest. The rules:

- A subhost is ``<short>.<network>.<zone>``: the instance's own short name
  and zone (our domain, or the project's subdomain of it), never its own
  host name, never a reserved name. It may be created, or used when its
  ownership record says it is this instance's subhost; anything else
  under that name is someone else's.
- A managed principal needs the policy rule ``join:managed_services``
  (checked by the caller, which passes the principals it allows: on an
  instance's first vendordata request the boot-roles decide, later only
  what the rule allows without them, as for a metadata update, or what the
  instance already manages). Its host must be in our domain (checked when the
  metadata was read), never an IPA server or another name reserved for
  the enrollment (:mod:`novajoin.hosts.reserved_names`), and either absent
  (novajoin creates it as a service host of this project; with project
  subdomains only inside the project's), this instance's
  own host or subhost, a service host novajoin created for this project,
  or a host novajoin did not create that the operator allow-listed
  (``[services] managed_service_hosts``). Hosts and subhosts of other
  instances (a subhost and its services go with its instance), and every
  other host, are refused.
- A principal is owned through its host: once the host may be used, the
  principal is created if absent and the instance's host made its manager.

Planning is pure: it only looks at the state read before
(:mod:`.state`); the judgement of an existing entry is in :mod:`.rules`,
which the writes use again for an entry created concurrently.
"""

from novajoin.hosts import ownership
from novajoin.services import metadata
from novajoin.services import rules as service_rules
from novajoin.services import state as ipa_state

COMPACT = 'compact'
MANAGED = 'managed'


class Plan(object):
    """Writes, in the order IPA needs them, and what was refused.

    ``granted`` maps each principal the instance will manage to its kind
    (:data:`COMPACT` or :data:`MANAGED`).
    """

    def __init__(self):
        self.new_hosts = {}
        self.host_managers = []
        self.new_services = []
        self.service_managers = []
        self.granted = {}
        self.refusals = []

    @property
    def writes(self):
        return (len(self.new_hosts) + len(self.host_managers)
                + len(self.new_services) + len(self.service_managers))

    def refuse(self, item, reason):
        self.refusals.append(metadata.Refusal(str(item), reason))


POLICY_REFUSAL = ('policy join:managed_services does not allow managed '
                  'services for this instance')


def plan(instance, request, state, rules, managed_allowed,
         managed_refusal=POLICY_REFUSAL):
    """The :class:`Plan` for ``request`` against ``state``.

    ``managed_allowed``: the principals of ``request.managed`` the policy
    allows; the others are refused with ``managed_refusal``.
    """
    result = Plan()
    usable_hosts = {instance.fqdn}
    for service, network in sorted(request.compact):
        subhost = service_rules.subhost_name(instance, network)
        principal = metadata.Principal(service, subhost)
        reason = _subhost_refusal(instance, subhost, state, rules)
        if reason is not None:
            result.refuse(principal, reason)
            continue
        if subhost not in usable_hosts:
            usable_hosts.add(subhost)
            entry = state.host(subhost)
            if entry is ipa_state.ABSENT:
                result.new_hosts[subhost] = ownership.ROLE_SUBHOST
            if instance.fqdn not in ipa_state.managers(entry):
                result.host_managers.append(subhost)
        _plan_principal(instance, principal, COMPACT, state, result)
    for principal in sorted(request.managed):
        if principal not in managed_allowed:
            result.refuse(principal, managed_refusal)
            continue
        reason = _managed_host_refusal(instance, principal.host, state,
                                       rules, usable_hosts)
        if reason is not None:
            result.refuse(principal, reason)
            continue
        if (principal.host not in usable_hosts
                and state.host(principal.host) is ipa_state.ABSENT):
            result.new_hosts[principal.host] = ownership.ROLE_SERVICE_HOST
        usable_hosts.add(principal.host)
        _plan_principal(instance, principal, MANAGED, state, result)
    return result


def _plan_principal(instance, principal, kind, state, result):
    if principal in state.unreadable:
        result.refuse(principal, 'IPA would not show it: %s'
                      % state.unreadable[principal])
        return
    entry = state.service(principal)
    if entry is ipa_state.ABSENT:
        result.new_services.append(principal)
    if instance.fqdn not in ipa_state.managers(entry):
        result.service_managers.append(principal)
    result.granted[principal] = kind


def _subhost_refusal(instance, subhost, state, rules):
    if len(subhost) > 253:
        return 'subhost %s is longer than 253 octets' % subhost
    if subhost == instance.fqdn:
        return 'subhost %s would be the instance\'s own host' % subhost
    reason = rules.reserved(subhost, state.servers)
    if reason is not None:
        return 'subhost %s %s' % (subhost, reason)
    if subhost in state.unreadable:
        return 'IPA would not show subhost %s: %s' % (
            subhost, state.unreadable[subhost])
    entry = state.host(subhost)
    if entry is ipa_state.ABSENT:
        reason = rules.reserved_new(subhost, state)
        return None if reason is None else 'subhost %s %s' % (subhost,
                                                              reason)
    return service_rules.subhost_entry_refusal(instance, subhost, entry)


def _managed_host_refusal(instance, fqdn, state, rules, usable_hosts):
    reason = rules.reserved(fqdn, state.servers)
    if reason is not None:
        return '%s %s' % (fqdn, reason)
    if fqdn in usable_hosts:
        return None
    if fqdn in state.unreadable:
        return 'IPA would not show %s: %s' % (fqdn, state.unreadable[fqdn])
    entry = state.host(fqdn)
    if entry is ipa_state.ABSENT:
        if rules.allow_listed(fqdn):
            # The operator's word, e.g. for a VIP whose DNS records they
            # made first.
            return None
        if not fqdn.endswith('.' + instance.zone):
            return ('%s is outside the subdomain %s of the instance\'s '
                    'project' % (fqdn, instance.zone))
        reason = rules.reserved_new(fqdn, state)
        return None if reason is None else '%s %s' % (fqdn, reason)
    return service_rules.managed_entry_refusal(instance, fqdn, entry, rules)

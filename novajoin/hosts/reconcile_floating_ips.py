"""Reconciliation's check of the floating IP records novajoin listed.

The own host of each living instance lists, in its owner record
(``floating_ips`` of :mod:`novajoin.hosts.ownership`), the A records
novajoin added for neutron floating IPs. :func:`plan` asks neutron about
each one and plans a ``REMOVE_RECORD`` (:mod:`novajoin.hosts.reconcile_plan`)
for those whose floating IP is gone or bound elsewhere;
:mod:`novajoin.hosts.reconcile_apply` removes them. nova-network's records
(no floating IP id) are not checked.
"""

from novajoin.hosts import reconcile_plan


def plan(lookup, hosts, live):
    """(plans, records checked) for the floating IP records of ``hosts``
    (:class:`novajoin.hosts.inventory.OwnedHost`) whose instance is in
    ``live`` (``{instance id: Server}``).

    ``lookup`` is a :class:`novajoin.openstack.neutron.FloatingIPLookup`.

    :raises novajoin.openstack.neutron.NeutronUnavailable:
    """
    plans, listed = [], 0
    for host in hosts:
        server = live.get(host.record.instance_id)
        if server is None or host.record.role is not None:
            continue
        for address, floatingip_id in sorted(
                host.record.floating_ips.items()):
            if floatingip_id is None:
                continue
            listed += 1
            reason = _stale_because(lookup, host.record.instance_id,
                                    address, floatingip_id)
            if reason is not None:
                plans.append(reconcile_plan.Plan(
                    reconcile_plan.REMOVE_RECORD, host.fqdn,
                    host.record.instance_id, server.project_id, reason,
                    host.record, address))
    return plans, listed


def _stale_because(lookup, instance_id, address, floatingip_id):
    """Why the record is stale (a reason of reconcile_plan), or None."""
    found = lookup.get(floatingip_id)
    if found is None or found.address != address:
        return reconcile_plan.FLOATING_IP_GONE
    if lookup.instance_of(found) != instance_id:
        return reconcile_plan.FLOATING_IP_MOVED
    return None

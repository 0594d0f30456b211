"""What the listener does for each event type.

:data:`HANDLERS` maps an event type to one function ``(deps, payload) ->
Outcome``. A handler reads the payload with :mod:`novajoin.notify.payloads`
and raises :class:`~novajoin.notify.payloads.MalformedNotification` for bad
input; any other exception means "try again later".
"""

import collections
import logging

from novajoin.hosts import cleanup
from novajoin.ipa import errors as ipa_errors
from novajoin.notify import bindings
from novajoin.notify import floating_ips
from novajoin.notify import payloads
from novajoin.openstack import neutron
from novajoin.openstack import nova
from novajoin.services import manager as services_manager

LOG = logging.getLogger(__name__)

# Failures that are expected to pass: logged without a traceback.
OUTAGE_ERRORS = (ipa_errors.IPAUnavailable, nova.NovaUnavailable,
                 neutron.NeutronUnavailable)

# fqdns: the hosts the event was about. observed: nothing to do yet, the
# event is only logged at debug level. reason: why nothing was done, for the
# log line; warn: log it as a warning.
Outcome = collections.namedtuple(
    'Outcome', ['instance_id', 'fqdns', 'result', 'observed', 'reason',
                'warn'], defaults=(None, False))


def _outcome(instance_id, result, fqdns=(), observed=False, reason=None,
             warn=False):
    return Outcome(instance_id, tuple(fqdns), result, observed, reason, warn)


def _not_bound(change, exc):
    return _outcome(change.instance_id, exc.result,
                    reason='floating IP %s: %s' % (change.address, exc.reason),
                    warn=exc.suspicious)


class Dependencies(object):
    """The clients handlers share, built once per process."""

    def __init__(self, ipa, instances, ports, zone, services=None,
                 nova_servers=None, rebuilds=None, floating_ips=None):
        self.ipa = ipa
        self.instances = instances
        self.ports = ports
        self.zone = zone
        # novajoin.services.manager.TLSServices; None: not handled.
        self.services = services
        # nova's server lists, for periodic reconciliation.
        self.nova_servers = nova_servers
        # None when [notify] rebuild_reenrollment is off.
        self.rebuilds = rebuilds
        # neutron's floating IPs, for periodic reconciliation.
        self.floating_ips = floating_ips


def delete_instance(deps, instance_id):
    owned = cleanup.find_owned_resources(deps.ipa, instance_id)
    if not owned:
        return _outcome(instance_id, 'nothing-owned')
    # A forged or stale delete must not remove a living instance's host.
    if not deps.instances.is_gone(instance_id):
        LOG.warning('instance=%s fqdn=%s decision=kept reason=nova reports '
                    'the instance still exists', instance_id,
                    ','.join(owned.host_fqdns))
        return _outcome(instance_id, 'kept-instance-alive', owned.host_fqdns)
    deleted = cleanup.delete_owned_resources(deps.ipa, owned, deps.services)
    if not deleted:
        # Another delivery (the other notification format, another
        # listener) deleted them between our find and our delete.
        return _outcome(instance_id, 'already-deleted',
                        owned.host_fqdns + owned.subhost_fqdns)
    return _outcome(instance_id, 'deleted', deleted)


def update_services(deps, update):
    """Make the services of an enrolled instance follow its metadata.

    Only for a settled instance (no task running, not being built or
    deleted): metadata changes come that way, and the boot itself is the
    vendordata request's job. An instance whose metadata neither asks for
    enrollment nor names a service is left alone, which spares IPA a search
    for every state change of every instance.
    """
    if (deps.services is None or update.task_state is not None
            or update.state in _UNSETTLED_STATES
            or not (update.enroll_requested or update.names_services)):
        return _outcome(update.instance_id, 'observed', observed=True)
    owned = cleanup.find_owned_resources(deps.ipa, update.instance_id)
    if not owned.host_fqdns:
        return _outcome(update.instance_id, 'not-enrolled', observed=True)
    # An update nova sent before the delete may be handled after it (two
    # formats, redeliveries, several listeners): what it would create
    # would outlive the instance.
    if deps.instances.is_gone(update.instance_id):
        return _outcome(update.instance_id, 'instance-gone',
                        owned.host_fqdns,
                        reason='nova reports the instance deleted; no '
                               'service is created', warn=True)
    for fqdn in owned.host_fqdns:
        deps.services.update(
            services_manager.Instance(update.instance_id, update.project_id,
                                      fqdn),
            update.metadata, owned.subhost_fqdns)
    return _outcome(update.instance_id, 'services-updated', owned.host_fqdns)


_UNSETTLED_STATES = ('building', 'deleted', 'soft-delete')


def rebuild_instance(deps, instance_id):
    if deps.rebuilds is None:
        return _outcome(instance_id, 'rebuild-reenrollment-off')
    hosts = deps.rebuilds.rebuilt(instance_id)
    if not hosts:
        return _outcome(instance_id, 'nothing-owned')
    results = sorted({host.result for host in hosts})
    return _outcome(instance_id, '+'.join(results),
                    [host.fqdn for host in hosts])


def associate_floating_ip(deps, instance_id, address, floatingip_id=None):
    owned = cleanup.find_owned_resources(deps.ipa, instance_id)
    if not owned:
        return _outcome(instance_id, 'not-enrolled')
    for fqdn in owned.host_fqdns:
        try:
            floating_ips.add_address(deps.ipa, deps.zone, fqdn, address,
                                     floatingip_id)
        except floating_ips.HostOutsideZone as exc:
            LOG.error('instance=%s fqdn=%s decision=no-record reason=%s',
                      instance_id, fqdn, exc)
            return _outcome(instance_id, 'host-outside-zone', [fqdn])
    return _outcome(instance_id, 'record-added', owned.host_fqdns)


def disassociate_floating_ip(deps, instance_id, address):
    removed = floating_ips.remove_address(deps.ipa, deps.zone, address)
    return _outcome(instance_id, 'record-removed' if removed else
                    'no-record', removed)


def on_instance_delete_end(deps, payload):
    instance = payloads.read_versioned_instance(payload)
    return delete_instance(deps, instance.instance_id)


def on_compute_instance_delete_end(deps, payload):
    instance = payloads.read_legacy_instance(payload)
    return delete_instance(deps, instance.instance_id)


def on_instance_rebuild(deps, payload):
    instance = payloads.read_versioned_instance(payload)
    return rebuild_instance(deps, instance.instance_id)


def on_compute_instance_rebuild(deps, payload):
    instance = payloads.read_legacy_instance(payload)
    return rebuild_instance(deps, instance.instance_id)


def on_floatingip_update_end(deps, payload):
    change = payloads.read_neutron_floatingip(payload)
    if not change.associated:
        return disassociate_floating_ip(deps, None, change.address)
    try:
        instance_id = bindings.neutron_instance(deps, change)
    except bindings.NotBound as exc:
        return _not_bound(change, exc)
    return associate_floating_ip(deps, instance_id, change.address,
                                 change.floatingip_id)


def on_floatingip_delete_end(deps, payload):
    """A deleted floating IP: its A record goes, wherever novajoin listed
    it (:func:`novajoin.notify.floating_ips.remove_floating_ip`).
    """
    deleted = payloads.read_neutron_floatingip_delete(payload)
    removed = floating_ips.remove_floating_ip(deps.ipa, deps.zone, deleted)
    return _outcome(deleted.instance_id,
                    'record-removed' if removed else 'no-record', removed,
                    reason='floating IP %s deleted' % deleted.floatingip_id)


def on_nova_floating_ip_associate(deps, payload):
    change = payloads.read_nova_floating_ip(payload, associated=True)
    try:
        instance_id = bindings.nova_network_instance(deps, change)
    except bindings.NotBound as exc:
        return _not_bound(change, exc)
    return associate_floating_ip(deps, instance_id, change.address)


def on_nova_floating_ip_disassociate(deps, payload):
    change = payloads.read_nova_floating_ip(payload, associated=False)
    return disassociate_floating_ip(deps, change.instance_id, change.address)


def on_instance_create_end(deps, payload):
    instance = payloads.read_versioned_instance(payload)
    return _outcome(instance.instance_id, 'observed', observed=True)


def on_compute_instance_create_end(deps, payload):
    instance = payloads.read_legacy_instance(payload)
    return _outcome(instance.instance_id, 'observed', observed=True)


def on_instance_update(deps, payload):
    # InstanceUpdatePayload is at major version 2.
    return update_services(deps, payloads.read_versioned_instance_update(
        payload, supported_major=2))


def on_compute_instance_update(deps, payload):
    return update_services(deps, payloads.read_legacy_instance_update(
        payload))


HANDLERS = {
    'instance.delete.end': on_instance_delete_end,
    'compute.instance.delete.end': on_compute_instance_delete_end,
    'floatingip.update.end': on_floatingip_update_end,
    'floatingip.delete.end': on_floatingip_delete_end,
    'network.floating_ip.associate': on_nova_floating_ip_associate,
    'network.floating_ip.disassociate': on_nova_floating_ip_disassociate,
    'instance.create.end': on_instance_create_end,
    'compute.instance.create.end': on_compute_instance_create_end,
    'instance.update': on_instance_update,
    'compute.instance.update': on_compute_instance_update,
    # Both ends of a rebuild: nova asks for vendordata in between, and
    # either notification may be the one that arrives.
    'instance.rebuild.start': on_instance_rebuild,
    'instance.rebuild.end': on_instance_rebuild,
    'compute.instance.rebuild.start': on_compute_instance_rebuild,
    'compute.instance.rebuild.end': on_compute_instance_rebuild,
}

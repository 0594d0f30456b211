"""Which instance a floating IP association really names, if any.

In neutron a tenant can create a port with any ``device_id`` and a
``compute:*`` ``device_owner``, so neither the notification's
``port_details`` nor the port alone proves whose instance it is. An
address goes into an instance's record only when neutron's current view of
the port binds it to that instance as a compute port, and the floating IP,
the port and the instance (as nova reports it) share one project.
"""

COMPUTE_OWNER_PREFIX = 'compute:'


class NotBound(Exception):
    """No instance of the floating IP's project holds the port.

    ``result`` is the outcome to log; ``suspicious`` is set when the
    association names an instance it cannot belong to.
    """

    def __init__(self, result, reason, suspicious=False):
        super(NotBound, self).__init__(reason)
        self.result = result
        self.reason = reason
        self.suspicious = suspicious


def _check_same_project(deps, instance_id, **projects):
    instance_project = deps.instances.project_id(instance_id)
    if instance_project is None:
        raise NotBound('instance-gone', 'nova has no instance %s'
                       % instance_id)
    projects['instance'] = instance_project
    if len(set(projects.values())) != 1:
        raise NotBound('project-mismatch', ' '.join(
            '%s_project=%s' % item for item in sorted(projects.items())),
            suspicious=True)


def neutron_instance(deps, change):
    """The instance a neutron ``floatingip.update.end`` binds ``change``
    to, asking neutron for the port and nova for the instance.

    :raises NotBound: with the reason there is none.
    """
    port = deps.ports.get(change.port_id)
    if port is None:
        raise NotBound('port-gone', 'neutron has no port %s'
                       % change.port_id)
    if port.device_id is None:
        raise NotBound('port-without-instance', 'port %s is not bound to '
                       'any device' % port.port_id)
    owner = port.device_owner or ''
    if not owner.startswith(COMPUTE_OWNER_PREFIX):
        raise NotBound('not-a-compute-port', 'port %s has device_owner %r, '
                       'not compute:*' % (port.port_id, owner))
    if change.instance_id not in (None, port.device_id):
        raise NotBound('port-rebound', 'port %s is now bound to %s, not %s'
                       % (port.port_id, port.device_id, change.instance_id),
                       suspicious=True)
    _check_same_project(deps, port.device_id,
                        floating_ip=change.project_id,
                        port=port.project_id)
    return port.device_id


def nova_network_instance(deps, change):
    """The instance of a nova-network ``network.floating_ip.associate``.

    nova-network binds the address itself, so there is no port to check;
    the project the association was made in must be the instance's.

    :raises NotBound: with the reason there is none.
    """
    _check_same_project(deps, change.instance_id,
                        floating_ip=change.project_id)
    return change.instance_id

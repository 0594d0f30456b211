"""Ask nova whether an instance still exists, and whose it is."""

from keystoneauth1 import exceptions as ks_exceptions
from novaclient import client as nova_client
from novaclient import exceptions as nova_exceptions

NOVA_API_VERSION = '2.1'

# vm_state values after which the instance will not come back.
_GONE_VM_STATES = frozenset(['deleted'])


class NovaUnavailable(Exception):
    """Nova could not say whether the instance exists; try again later."""


class InstanceStatus(object):
    """Answers "is this instance gone?" and "whose is it?" from nova."""

    def __init__(self, client):
        self._client = client

    @classmethod
    def from_conf(cls, conf, session):
        """A client on ``session``, whose timeout bounds every call."""
        group = conf.service_credentials
        client = nova_client.Client(NOVA_API_VERSION, session=session,
                                    endpoint_type=group.interface,
                                    region_name=group.region_name)
        return cls(client)

    def _server(self, instance_id):
        """The server, or None if nova answers 404."""
        try:
            return self._client.servers.get(instance_id)
        except nova_exceptions.NotFound:
            return None
        except (nova_exceptions.ClientException,
                ks_exceptions.ClientException) as exc:
            raise NovaUnavailable('nova did not answer for instance %s: %s'
                                  % (instance_id, type(exc).__name__))

    def is_gone(self, instance_id):
        """True if nova answers 404 or reports the instance deleted.

        A soft-deleted instance can still be restored, so it is not gone.
        """
        server = self._server(instance_id)
        if server is None:
            return True
        vm_state = getattr(server, 'OS-EXT-STS:vm_state', None)
        status = getattr(server, 'status', None)
        return vm_state in _GONE_VM_STATES or status == 'DELETED'

    def project_id(self, instance_id):
        """The instance's project, or None if nova has no such instance."""
        server = self._server(instance_id)
        if server is None:
            return None
        project_id = getattr(server, 'tenant_id', None)
        if not isinstance(project_id, str) or not project_id:
            raise NovaUnavailable('nova answered for instance %s without '
                                  'its project' % instance_id)
        return project_id

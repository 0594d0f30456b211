"""What nova knows about its instances, for reconciliation and rebuilds.

python-novaclient with novajoin's ``[service_credentials]`` session. Listing
every project's servers needs nova's admin rule (``all_tenants``); listing
deleted ones too (``deleted``), and nova shows them only until
``nova-manage db archive_deleted_rows`` moves them away.
"""

import collections
import datetime

from keystoneauth1 import exceptions as ks_exceptions
from novaclient import exceptions as nova_exceptions
from oslo_utils import timeutils

from novajoin.openstack import nova

Server = collections.namedtuple('Server', ['instance_id', 'project_id',
                                           'status', 'deleted_at'])
Server.__doc__ = """One nova server; ``deleted_at`` (aware UTC datetime) is
None unless nova has deleted it."""

# Servers per nova request (nova's default max_limit is 1000).
PAGE = 1000

_NOVA_ERRORS = (nova_exceptions.ClientException,
                ks_exceptions.ClientException)


class ServerDirectory(object):
    """Lists nova's servers of every project, and their rebuilds."""

    def __init__(self, client):
        self._client = client

    @classmethod
    def from_conf(cls, conf, session):
        return cls(nova.client_from_conf(conf, session))

    def live(self):
        """``{instance id: Server}`` of every server nova has not deleted.

        Soft-deleted ones are included: they can still be restored.
        """
        return self._list({'all_tenants': True})

    def deleted(self):
        """``{instance id: Server}`` of the deleted servers nova shows."""
        return self._list({'all_tenants': True, 'deleted': True})

    def _list(self, search_opts):
        """The servers, read a page of :data:`PAGE` at a time; only the
        small :class:`Server` of each is kept, not novaclient's object.
        """
        found = {}
        marker = None
        while True:
            try:
                page = self._client.servers.list(
                    detailed=True, search_opts=search_opts, limit=PAGE,
                    marker=marker)
            except _NOVA_ERRORS as exc:
                raise nova.NovaUnavailable('nova could not list servers: %s'
                                           % _describe(exc))
            # nova may answer fewer than asked (its max_limit): only an
            # empty page ends the list.
            if not page:
                return found
            for server in page:
                info = server_info(server)
                found[info.instance_id] = info
            marker = page[-1].id
            del page

    def last_rebuild_started(self, instance_id):
        """When nova's latest ``rebuild`` action of the instance started.

        None when the instance is gone or nova records no rebuild of it.
        """
        try:
            server = self._client.servers.get(instance_id)
            if server_info(server).deleted_at is not None:
                return None
            actions = self._client.instance_action.list(instance_id)
        except nova_exceptions.NotFound:
            return None
        except _NOVA_ERRORS as exc:
            raise nova.NovaUnavailable(
                'nova did not answer for instance %s: %s'
                % (instance_id, _describe(exc)))
        starts = [_parse_time(getattr(action, 'start_time', None))
                  for action in actions
                  if getattr(action, 'action', None) == 'rebuild']
        starts = [start for start in starts if start is not None]
        return max(starts) if starts else None


def server_info(server):
    deleted_at = None
    vm_state = getattr(server, 'OS-EXT-STS:vm_state', None)
    status = getattr(server, 'status', None)
    if vm_state == 'deleted' or status == 'DELETED':
        deleted_at = (_parse_time(getattr(server, 'OS-SRV-USG:terminated_at',
                                          None))
                      or _parse_time(getattr(server, 'updated', None))
                      or timeutils.utcnow(with_timezone=True))
    return Server(server.id, getattr(server, 'tenant_id', None), status,
                  deleted_at)


def _parse_time(text):
    if not text:
        return None
    try:
        moment = timeutils.parse_isotime(text)
    except ValueError:
        return None
    return timeutils.normalize_time(moment).replace(
        tzinfo=datetime.timezone.utc)


def _describe(exc):
    return '%s: %s' % (type(exc).__name__, exc)

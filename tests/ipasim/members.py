"""``managedby`` member commands: FreeIPA's LDAPAddMember/LDAPRemoveMember.

``host_add_managedby``, ``host_remove_managedby``, ``service_add_host`` and
``service_remove_host`` all edit one list of managing host names. A member
that cannot be added or removed is a per-member failure in
``failed["managedby"]["host"]``, never an error (``ipa-jsonrpc.md`` §4).
"""

from tests.ipasim import rpc

NO_SUCH_ENTRY = 'no such entry'
NOT_A_MEMBER = 'This entry is not a member'


def _host_name(value):
    return value.lower().rstrip('.')


def add_managing_hosts(directory, managedby, requested, write):
    """Add existing hosts to ``managedby`` (a list, changed in place).

    ``write`` is called before each change, so an access check can refuse
    it. Returns ``(completed, failed)`` in FreeIPA's member-command shape.
    """
    completed, failed = 0, []
    for value in requested or []:
        fqdn = _host_name(value)
        if fqdn not in directory.hosts:
            failed.append([value, NO_SUCH_ENTRY])
        elif fqdn in managedby:
            failed.append([value, rpc.AlreadyGroupMember().message])
        else:
            write()
            managedby.append(fqdn)
            completed += 1
    return completed, {'managedby': {'host': failed}}


def remove_managing_hosts(managedby, requested, write):
    """Remove hosts from ``managedby``; see :func:`add_managing_hosts`.

    A host that is not in the list, whether it exists or not, fails with
    ``This entry is not a member`` (LDAPRemoveMember does not look the
    member up first).
    """
    completed, failed = 0, []
    for value in requested or []:
        fqdn = _host_name(value)
        if fqdn not in managedby:
            failed.append([value, NOT_A_MEMBER])
        else:
            write()
            managedby.remove(fqdn)
            completed += 1
    return completed, {'managedby': {'host': failed}}


def forget_host(directory, fqdn):
    """Drop a deleted host from every ``managedby`` (389-ds referential
    integrity does this in FreeIPA).
    """
    for host in directory.each_host():
        if fqdn in host.attrs.get('managedby', []):
            host.attrs['managedby'].remove(fqdn)
            if not host.attrs['managedby']:
                del host.attrs['managedby']
    for service in directory.services.values():
        if fqdn in service.managedby:
            service.managedby.remove(fqdn)

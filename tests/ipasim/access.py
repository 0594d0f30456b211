"""Access of the calling principal, as 389-ds enforces FreeIPA's ACIs.

Three kinds of caller (``ipa-jsonrpc.md`` sections 3 and 6):

* ``admin``, login users added through the admin endpoint and Kerberos
  principals named with ``--admin-principal`` are members of FreeIPA's
  ``admins`` group: they may do everything (:data:`FULL`);
* a login user added with ``"read_only": true`` holds only the read
  permissions every authenticated principal has (``System: Read Hosts``,
  ...);
* any other Kerberos principal (``nova/<fqdn>@REALM``, ``host/...``) gets
  what the roles it is a member of grant through their privileges'
  permissions (:class:`RoleAccess`, rights from
  :func:`tests.ipasim.rbac.rights_of`), and the reads every authenticated
  principal has: hosts, services, servers, permissions, privileges, roles
  -- not DNS, which needs ``System: Read DNS Entries``.

A write the caller has no right to fails with ACIError 2100 at the point
where FreeIPA would send it to LDAP, so the checks a command makes before
its write (NotFound, DuplicateEntry, EmptyModlist, ...) still come first.
An entry the caller may not read is not there for it: FreeIPA's search
returns nothing, so a show is NotFound and a find matches nothing.
"""

from tests.ipasim import rpc

# Entries under these containers, by the object type of FreeIPA's
# permissions (``type`` of permission_add; DNS permissions target the
# cn=dns subtree).
_CONTAINERS = (('cn=computers,cn=accounts,', 'host'),
               ('cn=services,cn=accounts,', 'service'),
               ('cn=dns,', 'dnsrecord'))
# Readable by every authenticated principal (System: Read Hosts, System:
# Read Services, System: Read IPA Servers, System: Read Permissions, ...).
_READ_BY_ALL = ('host', 'service', 'other')
# Ticket flag booleans are one LDAP attribute.
_LDAP_ATTRIBUTE = {'ipakrbokasdelegate': 'krbticketflags',
                   'ipakrbrequirespreauth': 'krbticketflags',
                   'ipakrboktoauthasdelegate': 'krbticketflags'}


def kind_of(dn):
    """The permission object type an entry's DN falls under."""
    lowered = (dn or '').lower()
    for container, kind in _CONTAINERS:
        if container in lowered:
            return kind
    return 'other'


def _names(attrs):
    return [attrs] if isinstance(attrs, str) else list(attrs)


class Access(object):
    """Everything, or (``read_only``) reads only."""

    def __init__(self, read_only=False):
        self.read_only = read_only

    # Rights; RoleAccess answers them from the caller's roles.

    def may_read(self, dn):
        return True

    def may(self, right, dn, attr=None):
        return not self.read_only

    # Checks made where FreeIPA's LDAP operation would run.

    def add(self, dn):
        if not self.may('add', dn):
            raise rpc.ACIError(info="Insufficient 'add' privilege to add the "
                                    "entry '%s'." % dn)

    def write(self, dn, attrs):
        """Write ``attrs`` (a name or a list of names) of entry ``dn``."""
        for attr in _names(attrs):
            if not self.may('write', dn, attr):
                raise rpc.ACIError(
                    info="Insufficient 'write' privilege to the '%s' "
                         "attribute of entry '%s'." % (attr, dn))

    def delete(self, dn):
        if not self.may('delete', dn):
            raise rpc.ACIError(info="Insufficient 'delete' privilege to "
                                    "delete the entry '%s'." % dn)

    def attribute_rights(self, dn, attr):
        """``attributelevelrights`` of one attribute (``rights`` option)."""
        return 'rscwo' if self.may('write', dn, attr) else 'rsc'


class RoleAccess(Access):
    """A Kerberos principal that is not an admin: its roles decide.

    Rights are looked up at each check (the command holds the directory
    lock), so a permission removed from a privilege applies to the next
    command, as a changed ACI does in 389-ds.
    """

    def __init__(self, principal, rights_of):
        super().__init__(read_only=False)
        self.principal = principal
        self._rights_of = rights_of

    def _rights(self):
        return self._rights_of(self.principal)

    def may_read(self, dn):
        kind = kind_of(dn)
        if kind in _READ_BY_ALL:
            return True
        return any(right.allows('read', kind, None)
                   for right in self._rights())

    def may(self, right, dn, attr=None):
        kind = kind_of(dn)
        if attr is not None:
            attr = attr.lower()
            attr = _LDAP_ATTRIBUTE.get(attr, attr)
        return any(grant.allows(right, kind, attr)
                   for grant in self._rights())


FULL = Access(read_only=False)

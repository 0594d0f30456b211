"""Role-based access control: permissions, privileges and roles.

What ``novajoin-install`` needs, with FreeIPA's semantics (these commands
are not in ``ipa-API-excerpt.txt``; signatures and outputs follow
FreeIPA's API.txt and ``ipaserver/plugins/{permission,privilege,role}.py``):

* ``permission_add``/``_show``/``_find``, ``privilege_add``/``_show``/
  ``_find``, ``role_add``/``_show``/``_find`` (signatures in
  ``API-rbac.txt``): DuplicateEntry (4002)
  ``<object> with name "<cn>" already exists``, NotFound (4001)
  ``<cn>: <object> not found``;
* ``privilege_add_permission``, ``privilege_remove_permission`` and
  ``role_add_privilege`` (reverse member commands) and ``role_add_member``:
  ``{"completed", "failed", "result"}``, an entry that is already (or, for
  a removal, not) a member or does not exist is reported in ``failed``
  (``This entry is already a member``, ``This entry is not a member``,
  ``no such entry``), never raised.

What the entries grant is enforced: :func:`rights_of` collects, for a
Kerberos principal that is not an admin, the :class:`Right` of every
permission in a privilege of a role it is a member of, and
:class:`tests.ipasim.access.RoleAccess` checks each add, delete and
attribute write against them.

The system permissions FreeIPA ships (``System: Add Hosts``, ...) exist
from the start; the directory's ``rbac`` slot holds them and whatever was
added, and :meth:`Directory.reset` empties it.
"""

import os

from tests.ipasim import contract
from tests.ipasim import rpc
from tests.ipasim import services

# Managed permissions of a FreeIPA server with DNS and a CA: (object type,
# rights, attributes) as ``ipaserver/plugins/{host,service,dns}.py``
# define them (``ipa-jsonrpc.md`` section 6). ``*`` is every attribute;
# the CA permissions govern Dogtag, not the directory, so they grant no
# directory right here.
SYSTEM_PERMISSION_RIGHTS = {
    'System: Add Hosts': ('host', ('add',), ()),
    'System: Remove Hosts': ('host', ('delete',), ()),
    'System: Modify Hosts': ('host', ('write',), (
        'description', 'l', 'nshostlocation', 'nshardwareplatform',
        'nsosversion', 'macaddress', 'userclass')),
    'System: Read Hosts': ('host', ('read', 'search', 'compare'), ('*',)),
    'System: Manage Host Enrollment Password': ('host', ('write',), (
        'userpassword',)),
    'System: Add krbPrincipalName to a Host': ('host', ('write',), (
        'krbprincipalname',)),
    'System: Manage Host Keytab': ('host', ('write',), (
        'krbprincipalkey', 'krblastpwdchange')),
    'System: Manage Host Certificates': ('host', ('write',), (
        'usercertificate',)),
    'System: Manage Host Principals': ('host', ('write',), (
        'krbprincipalname', 'krbcanonicalname')),
    'System: Add Services': ('service', ('add',), ()),
    'System: Remove Services': ('service', ('delete',), ()),
    'System: Modify Services': ('service', ('write',), (
        'usercertificate', 'krbprincipalauthind')),
    'System: Manage Service Keytab': ('service', ('write',), (
        'krbprincipalkey', 'krblastpwdchange')),
    'System: Add DNS Entries': ('dnsrecord', ('add',), ()),
    'System: Read DNS Entries': ('dnsrecord', ('read', 'search',
                                               'compare'), ('*',)),
    'System: Remove DNS Entries': ('dnsrecord', ('delete',), ()),
    'System: Update DNS Entries': ('dnsrecord', ('write',), ('*',)),
    'Retrieve Certificates from the CA': ('ca', ('read',), ()),
    'Revoke Certificate': ('ca', ('write',), ()),
}
SYSTEM_PERMISSIONS = tuple(SYSTEM_PERMISSION_RIGHTS)
MEMBER_TYPES = ('user', 'group', 'host', 'hostgroup', 'service',
                'idoverrideuser')
DEFAULT_SIZELIMIT = 100
NO_SUCH_ENTRY = 'no such entry'


class Right(object):
    """What one permission allows: ``rights`` on entries of ``kind``,
    limited to ``attrs`` for writes (``*``: any attribute).
    """

    def __init__(self, kind, rights, attrs):
        self.kind = kind
        self.rights = frozenset(rights)
        self.attrs = frozenset(a.lower() for a in attrs)

    def allows(self, right, kind, attr):
        if kind != self.kind:
            return False
        if right not in self.rights and 'all' not in self.rights:
            return False
        if right == 'write':
            return attr is not None and (attr in self.attrs
                                         or '*' in self.attrs)
        return True


class Entry(object):
    def __init__(self, cn, attrs=None, right=None):
        self.cn = cn
        self.attrs = dict(attrs or {})
        self.right = right  # permission: what it allows
        self.members = set()  # permission: privileges; privilege: roles
        self.member_of = set()  # privilege: permissions; role: privileges
        self.role_members = {kind: [] for kind in MEMBER_TYPES}


class Store(object):
    def __init__(self):
        self.permission = {
            name.lower(): Entry(name, {
                'ipapermissiontype': ['SYSTEM', 'V2', 'MANAGED']},
                Right(*SYSTEM_PERMISSION_RIGHTS[name]))
            for name in SYSTEM_PERMISSIONS}
        self.privilege = {}
        self.role = {}


def store_of(directory):
    if getattr(directory, 'rbac', None) is None:
        directory.rbac = Store()
    return directory.rbac


def _container(kind):
    return {'permission': 'cn=permissions,cn=pbac',
            'privilege': 'cn=privileges,cn=pbac',
            'role': 'cn=roles,cn=accounts'}[kind]


def _dn(directory, kind, cn):
    return 'cn=%s,%s,%s' % (cn, _container(kind), directory.basedn)


def _get(directory, kind, cn):
    entry = getattr(store_of(directory), kind).get(cn.lower())
    if entry is None:
        raise rpc.NotFound(reason='%s: %s not found' % (cn, kind))
    return entry


def _view(directory, kind, entry, no_members=False):
    out = {'dn': _dn(directory, kind, entry.cn), 'cn': [entry.cn]}
    out.update({k: list(v) for k, v in entry.attrs.items()})
    if no_members:
        return out
    if kind == 'permission' and entry.members:
        out['member_privilege'] = sorted(entry.members)
    if kind == 'privilege':
        if entry.member_of:
            out['memberof_permission'] = sorted(entry.member_of)
        if entry.members:
            out['member_role'] = sorted(entry.members)
    if kind == 'role':
        if entry.member_of:
            out['memberof_privilege'] = sorted(entry.member_of)
        for member_type, names in entry.role_members.items():
            if names:
                out['member_%s' % member_type] = list(names)
    return out


def _permission_right(attrs):
    """The right a permission made by permission_add grants."""
    kind = (attrs.get('type') or ['other'])[0]
    return Right(kind, attrs.get('ipapermright') or (),
                 attrs.get('attrs') or ())


def rights_of(directory, principal):
    """The rights of the permissions that reach ``principal`` through the
    roles it is a member of (as a service or a host) and their privileges.
    """
    store = store_of(directory)
    name = principal.partition('@')[0]
    host = name[len('host/'):] if name.startswith('host/') else None
    rights = []
    for role in store.role.values():
        if not (principal in role.role_members['service']
                or (host is not None and host in role.role_members['host'])):
            continue
        for privilege_cn in role.member_of:
            privilege = store.privilege.get(privilege_cn.lower())
            for permission_cn in (privilege.member_of if privilege else ()):
                permission = store.permission.get(permission_cn.lower())
                if permission is not None and permission.right is not None:
                    rights.append(permission.right)
    return rights


def _add(directory, kind, values, access, attrs):
    cn = values['cn']
    table = getattr(store_of(directory), kind)
    if cn.lower() in table:
        raise rpc.DuplicateEntry(
            message='%s with name "%s" already exists' % (kind, cn))
    access.add(_dn(directory, kind, cn))
    attrs = {k: v for k, v in attrs.items() if v}
    entry = Entry(cn, attrs, _permission_right(attrs)
                  if kind == 'permission' else None)
    table[cn.lower()] = entry
    return {'result': _view(directory, kind, entry), 'value': cn,
            'summary': 'Added %s "%s"' % (kind, cn)}


def _show(kind):
    def show(directory, values, messages, access):
        entry = _get(directory, kind, values['cn'])
        return {'result': _view(directory, kind, entry,
                                values['no_members']),
                'value': entry.cn, 'summary': None}
    return show


def _find(kind):
    def find(directory, values, messages, access):
        table = getattr(store_of(directory), kind)
        needle = (values.get('criteria') or '').lower()
        wanted_cn = values.get('cn')
        found = sorted((e for e in table.values()
                        if needle in e.cn.lower()
                        and (wanted_cn is None
                             or e.cn.lower() == wanted_cn.lower())),
                       key=lambda e: e.cn.lower())
        sizelimit = values.get('sizelimit')
        if sizelimit is None:
            sizelimit = DEFAULT_SIZELIMIT
        truncated = bool(sizelimit) and len(found) > sizelimit
        if truncated:
            found = found[:sizelimit]
            messages.append(rpc.search_result_truncated())
        entries = [_view(directory, kind, e, values['no_members'])
                   for e in found]
        if values['pkey_only']:
            entries = [{'dn': e['dn'], 'cn': e['cn']} for e in entries]
        noun = kind if len(entries) == 1 else kind + 's'
        return {'result': entries, 'count': len(entries),
                'truncated': truncated,
                'summary': '%d %s matched' % (len(entries), noun)}
    return find


def permission_add(directory, values, messages, access):
    return _add(directory, 'permission', values, access, {
        'ipapermright': values['ipapermright'],
        'attrs': values['attrs'],
        'type': [values['type']] if values['type'] else None,
        'ipapermbindruletype': [values['ipapermbindruletype']],
        'ipapermissiontype': ['SYSTEM', 'V2']})


def privilege_add(directory, values, messages, access):
    return _add(directory, 'privilege', values, access, {
        'description': ([values['description']]
                        if values['description'] else None)})


def role_add(directory, values, messages, access):
    return _add(directory, 'role', values, access, {
        'description': ([values['description']]
                        if values['description'] else None)})


def _add_reverse_members(directory, kind, values, access, member_kind):
    """privilege_add_permission, role_add_privilege.

    The entry becomes a member of each named ``member_kind`` entry.
    """
    entry = _get(directory, kind, values['cn'])
    completed, failed = 0, []
    for name in values.get(member_kind) or []:
        try:
            other = _get(directory, member_kind, name)
        except rpc.NotFound:
            failed.append([name, '%s not found' % member_kind])
            continue
        if other.cn in entry.member_of:
            failed.append([name, rpc.AlreadyGroupMember().message])
            continue
        access.write(_dn(directory, member_kind, other.cn), 'member')
        entry.member_of.add(other.cn)
        other.members.add(entry.cn)
        completed += 1
    return {'completed': completed,
            'failed': {'member': {member_kind: failed}},
            'result': _view(directory, kind, entry, values['no_members'])}


def privilege_remove_permission(directory, values, messages, access):
    """The privilege stops being a member of each named permission; one
    it is not a member of is reported in ``failed``.
    """
    entry = _get(directory, 'privilege', values['cn'])
    completed, failed = 0, []
    for name in values.get('permission') or []:
        try:
            other = _get(directory, 'permission', name)
        except rpc.NotFound:
            failed.append([name, 'permission not found'])
            continue
        if other.cn not in entry.member_of:
            failed.append([name, rpc.NotGroupMember().message])
            continue
        access.write(_dn(directory, 'permission', other.cn), 'member')
        entry.member_of.discard(other.cn)
        other.members.discard(entry.cn)
        completed += 1
    return {'completed': completed,
            'failed': {'member': {'permission': failed}},
            'result': _view(directory, 'privilege', entry,
                            values['no_members'])}


def privilege_add_permission(directory, values, messages, access):
    return _add_reverse_members(directory, 'privilege', values, access,
                                'permission')


def role_add_privilege(directory, values, messages, access):
    return _add_reverse_members(directory, 'role', values, access,
                                'privilege')


def _member_exists(directory, member_type, name):
    if member_type == 'service':
        try:
            return services.get_service(directory, name).principal
        except rpc.IPAError:
            return None
    if member_type == 'host':
        fqdn = name.lower().rstrip('.')
        return fqdn if fqdn in directory.hosts else None
    # Users, groups and the rest are not simulated.
    return None


def role_add_member(directory, values, messages, access):
    role = _get(directory, 'role', values['cn'])
    completed = 0
    failed = {member_type: [] for member_type in MEMBER_TYPES}
    for member_type in MEMBER_TYPES:
        for name in values.get(member_type) or []:
            canonical = _member_exists(directory, member_type, name)
            if canonical is None:
                failed[member_type].append([name, NO_SUCH_ENTRY])
            elif canonical in role.role_members[member_type]:
                failed[member_type].append(
                    [name, rpc.AlreadyGroupMember().message])
            else:
                access.write(_dn(directory, 'role', role.cn), 'member')
                role.role_members[member_type].append(canonical)
                completed += 1
    return {'completed': completed, 'failed': {'member': failed},
            'result': _view(directory, 'role', role, values['no_members'])}


SIGNATURES = contract.load(os.path.join(
    os.path.dirname(os.path.abspath(__file__)), 'API-rbac.txt'))

HANDLERS = {
    'permission_add': permission_add,
    'permission_show': _show('permission'),
    'permission_find': _find('permission'),
    'privilege_add': privilege_add,
    'privilege_show': _show('privilege'),
    'privilege_find': _find('privilege'),
    'privilege_add_permission': privilege_add_permission,
    'privilege_remove_permission': privilege_remove_permission,
    'role_add': role_add,
    'role_show': _show('role'),
    'role_find': _find('role'),
    'role_add_privilege': role_add_privilege,
    'role_add_member': role_add_member,
}

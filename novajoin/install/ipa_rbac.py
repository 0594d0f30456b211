"""The permissions, privilege and role novajoin's principal needs in IPA.

Exactly the admin guide's "Permissions in IPA" (novajoin 1.3.0's
``novajoin-ipa-setup``, and the host managers TLS services need): five
permissions of our own, one privilege with them and FreeIPA's system
permissions for hosts, services, keytabs, DNS and certificates, one role
with that privilege and the ``nova/<controller>`` service as its member.
Nothing more is granted.
"""

import collections

from novajoin.install import changes
from novajoin.ipa import errors

Permission = collections.namedtuple('Permission',
                                    ['name', 'right', 'type', 'attrs'])

# The single list of what novajoin's principal is granted: the admin
# guide's "Permissions in IPA" (doc/source/admin/permissions.rst) renders
# its commands from it (doc/ext/ipa_commands.py), and
# tests/unit/docs/test_permissions_documented.py fails when the guides name
# a permission, privilege or role that is not here.
OWN_PERMISSIONS = (
    Permission('Modify host password', 'write', 'host', ['userpassword']),
    Permission('Write host certificate', 'write', 'host',
               ['usercertificate']),
    Permission('Modify host userclass', 'write', 'host', ['userclass']),
    Permission('Modify service managedBy attribute', 'write', 'service',
               ['managedby']),
    # TLS services: the host a service runs on manages it (managedby).
    Permission('Modify host managedBy attribute', 'write', 'host',
               ['managedby']),
)
PRIVILEGE = 'Nova Host Management'
PRIVILEGE_PERMISSIONS = (
    'System: Add Hosts', 'System: Remove Hosts', 'System: Modify Hosts',
    'Modify host password', 'Modify host userclass',
    'Write host certificate', 'System: Add krbPrincipalName to a Host',
    'System: Manage Host Keytab', 'System: Add Services',
    'System: Remove Services', 'System: Modify Services',
    'System: Manage Service Keytab', 'Modify service managedBy attribute',
    'Modify host managedBy attribute',
    'System: Add DNS Entries', 'System: Read DNS Entries',
    'System: Remove DNS Entries', 'System: Update DNS Entries',
    'Retrieve Certificates from the CA', 'Revoke Certificate')
ROLE = 'Nova Host Manager'
ROLE_DESCRIPTION = 'novajoin: enroll nova instances and remove them'


def _show(ipa, command, name):
    try:
        return ipa.call(command, [name])['result']
    except errors.NotFound:
        return None


def _member_failures(output, kind):
    return [item for item in output['failed']['member'].get(kind, [])
            if item[1] != 'This entry is already a member']


def _checked_member_call(ipa, command, name, kind, members):
    output = ipa.call(command, [name], {kind: list(members)})
    failures = _member_failures(output, kind)
    if failures:
        raise changes.InstallError('%s %s: %s' % (command, name, '; '.join(
            '%s: %s' % (member, reason) for member, reason in failures)))


def permission_changes(ipa, report):
    found = []
    for permission in OWN_PERMISSIONS:
        entry = _show(ipa, 'permission_show', permission.name)
        if entry is None:
            found.append(changes.Change(
                'add IPA permission "%s" (%s %s: %s)' % (
                    permission.name, permission.right, permission.type,
                    ', '.join(permission.attrs)),
                _adder(ipa, 'permission_add', permission.name, {
                    'ipapermright': [permission.right],
                    'type': permission.type,
                    'attrs': list(permission.attrs)})))
            continue
        have = (entry.get('ipapermright'), entry.get('attrs'),
                entry.get('type'))
        want = ([permission.right], list(permission.attrs),
                [permission.type])
        if [sorted(v or []) for v in have] != [sorted(v) for v in want]:
            report.note('IPA permission "%s" exists with other rights '
                        '(%s); left as it is' % (permission.name, have))
        else:
            report.unchanged('IPA permission "%s"' % permission.name)
    return found


def _adder(ipa, command, name, options):
    return lambda: ipa.call(command, [name], options)


def privilege_changes(ipa, report):
    entry = _show(ipa, 'privilege_show', PRIVILEGE)
    found = []
    if entry is None:
        found.append(changes.Change(
            'add IPA privilege "%s"' % PRIVILEGE,
            _adder(ipa, 'privilege_add', PRIVILEGE,
                   {'description': PRIVILEGE})))
        entry = {}
    have = set(entry.get('memberof_permission', []))
    missing = [name for name in PRIVILEGE_PERMISSIONS if name not in have]
    if missing:
        found.append(changes.Change(
            'add %d permission(s) to IPA privilege "%s": %s'
            % (len(missing), PRIVILEGE, ', '.join(missing)),
            lambda: _checked_member_call(ipa, 'privilege_add_permission',
                                         PRIVILEGE, 'permission', missing)))
    elif entry:
        report.unchanged('IPA privilege "%s" and its permissions'
                         % PRIVILEGE)
    return found


def role_changes(ipa, report, principal):
    entry = _show(ipa, 'role_show', ROLE)
    found = []
    if entry is None:
        found.append(changes.Change(
            'add IPA role "%s"' % ROLE,
            _adder(ipa, 'role_add', ROLE, {'description': ROLE_DESCRIPTION})))
        entry = {}
    if PRIVILEGE not in entry.get('memberof_privilege', []):
        found.append(changes.Change(
            'add privilege "%s" to IPA role "%s"' % (PRIVILEGE, ROLE),
            lambda: _checked_member_call(ipa, 'role_add_privilege', ROLE,
                                         'privilege', [PRIVILEGE])))
    if principal not in entry.get('member_service', []):
        found.append(changes.Change(
            'make service %s a member of IPA role "%s"' % (principal, ROLE),
            lambda: _checked_member_call(ipa, 'role_add_member', ROLE,
                                         'service', [principal])))
    if not found:
        report.unchanged('IPA role "%s", its privilege and member %s'
                         % (ROLE, principal))
    return found


def service_changes(ipa, report, principal):
    if _show(ipa, 'service_show', principal) is not None:
        report.unchanged('IPA service %s' % principal)
        return []
    return [changes.Change('add IPA service %s' % principal,
                           _adder(ipa, 'service_add', principal, {}))]

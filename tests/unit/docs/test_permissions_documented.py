"""The guides show exactly what novajoin-install grants in IPA.

novajoin.install.ipa_rbac is the one list. The admin guide's "Permissions
in IPA" renders its commands from it (``doc/ext/ipa_commands.py``):
these tests read the rendered commands back and compare, and fail when a
permission, privilege or role named anywhere in the guides is not in it.
"""

import os
import re
import shlex
import sys

from novajoin.install import ipa_rbac
from tests.unit.docs import doc_names

sys.path.insert(0, os.path.join(doc_names.REPO, 'doc', 'ext'))
import ipa_commands  # noqa: E402


def _commands(text):
    """The ``ipa ...`` commands of a shell text, as argument lists."""
    joined = re.sub(r'\\\n\s*', ' ', text)
    return [shlex.split(line.strip()) for line in joined.splitlines()
            if line.strip().startswith('ipa ')]


def _option(args, name):
    return [arg.split('=', 1)[1] for arg in args
            if arg.startswith('--%s=' % name)]


def test_rendered_commands_grant_what_the_installer_grants():
    commands = _commands(ipa_commands.commands())
    permissions = [
        ipa_rbac.Permission(args[2], _option(args, 'right')[0],
                            _option(args, 'type')[0],
                            _option(args, 'attrs')[0].split(','))
        for args in commands if args[1] == 'permission-add']
    assert permissions == list(ipa_rbac.OWN_PERMISSIONS)

    privileges = [args[2] for args in commands
                  if args[1] == 'privilege-add']
    assert privileges == [ipa_rbac.PRIVILEGE]
    granted = [name for args in commands
               if args[1] == 'privilege-add-permission'
               for name in _option(args, 'permissions')]
    assert granted == list(ipa_rbac.PRIVILEGE_PERMISSIONS)

    roles = [args[2] for args in commands if args[1] == 'role-add']
    assert roles == [ipa_rbac.ROLE]
    role_privileges = [name for args in commands
                       if args[1] == 'role-add-privilege'
                       for name in _option(args, 'privileges')]
    assert role_privileges == [ipa_rbac.PRIVILEGE]
    members = [name for args in commands if args[1] == 'role-add-member'
               for name in _option(args, 'services')]
    assert members == [ipa_commands.EXAMPLE_PRINCIPAL]


def test_the_permissions_page_uses_the_rendered_commands():
    page = doc_names.doc_texts()['doc/source/admin/permissions.rst']
    assert '.. novajoin-ipa-permissions::' in page
    assert _commands(page) == []


def test_every_own_permission_is_in_the_privilege():
    for permission in ipa_rbac.OWN_PERMISSIONS:
        assert permission.name in ipa_rbac.PRIVILEGE_PERMISSIONS


def test_every_ipa_rbac_name_in_the_guides_exists():
    unknown = {path: sorted(doc_names.unknown_ipa_rbac_names(text))
               for path, text in doc_names.doc_texts().items()}
    assert {path: names for path, names in unknown.items() if names} == {}


def test_a_misspelt_permission_or_role_is_reported():
    text = ('needs ``System: Read DNS Entries`` and "System: Read DNS '
            'Entry", the role ``Nova Host Manager`` or "Nova Host Managers"')
    assert doc_names.unknown_ipa_rbac_names(text) == {
        'System: Read DNS Entry', 'Nova Host Managers'}

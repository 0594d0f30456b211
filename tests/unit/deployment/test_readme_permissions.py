"""README "Permissions in IPA" shows exactly what novajoin-install grants.

novajoin.install.ipa_rbac is the one list; the README cannot import it, so
this test reads the README's commands and compares.
"""

import pathlib
import re
import shlex

from novajoin.install import ipa_rbac

README = pathlib.Path(__file__).resolve().parents[3] / 'README.rst'


def _commands():
    """The ``ipa ...`` commands of the section, as argument lists."""
    text = README.read_text(encoding='utf-8')
    start = text.index('\nPermissions in IPA\n')
    section = text[start:text.index('\nThe IPA simulator\n', start)]
    joined = re.sub(r'\\\n\s*', ' ', section)
    return [shlex.split(line.strip()) for line in joined.splitlines()
            if line.strip().startswith('ipa ')]


def _option(args, name):
    return [arg.split('=', 1)[1] for arg in args
            if arg.startswith('--%s=' % name)]


def test_readme_permissions_are_the_installers():
    commands = _commands()
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


def test_every_own_permission_is_in_the_privilege():
    for permission in ipa_rbac.OWN_PERMISSIONS:
        assert permission.name in ipa_rbac.PRIVILEGE_PERMISSIONS

"""The ``ipa`` commands that grant what ``novajoin-install`` grants, as
shell text rendered from ``novajoin.install.ipa_rbac``.

Plain Python (no docutils), so the unit tests can read the commands back.
"""

from novajoin.install import ipa_rbac

EXAMPLE_PRINCIPAL = 'nova/controller.example.test@EXAMPLE.TEST'
WIDTH = 79


def _command(words, indent='    '):
    """``ipa`` words as shell lines, wrapped before options at WIDTH."""
    lines = []
    line = 'ipa'
    for word in words:
        if len(line) + 1 + len(word) > WIDTH - 2:
            lines.append(line + ' \\')
            line = indent + word
        else:
            line += ' ' + word
    lines.append(line)
    return '\n'.join(lines)


def _quoted(value):
    return '"%s"' % value


def _one_per_line(head, option, values):
    lines = ['ipa %s \\' % ' '.join(head)]
    for n, value in enumerate(values):
        end = ' \\' if n + 1 < len(values) else ''
        lines.append('    --%s=%s%s' % (option, _quoted(value), end))
    return '\n'.join(lines)


def commands(principal=EXAMPLE_PRINCIPAL):
    """The commands as one shell text, in the order they must run."""
    blocks = ['\n'.join(
        _command(['permission-add', _quoted(p.name), '--right=%s' % p.right,
                  '--type=%s' % p.type, '--attrs=%s' % ','.join(p.attrs)])
        for p in ipa_rbac.OWN_PERMISSIONS)]
    blocks.append('\n'.join([
        _command(['privilege-add', _quoted(ipa_rbac.PRIVILEGE)]),
        _one_per_line(['privilege-add-permission',
                       _quoted(ipa_rbac.PRIVILEGE)], 'permissions',
                      ipa_rbac.PRIVILEGE_PERMISSIONS)]))
    blocks.append('\n'.join([
        _command(['role-add', _quoted(ipa_rbac.ROLE)]),
        _one_per_line(['role-add-privilege', _quoted(ipa_rbac.ROLE)],
                      'privileges', [ipa_rbac.PRIVILEGE]),
        _one_per_line(['role-add-member', _quoted(ipa_rbac.ROLE)],
                      'services', [principal])]))
    return '\n\n'.join(blocks)

"""``.. novajoin-ipa-permissions::``: the IPA commands that grant what
``novajoin-install`` grants, rendered from ``novajoin.install.ipa_rbac``.

ipa_rbac is the one list: the installer grants from it and the admin guide
shows these commands, so the two cannot differ.
"""

from docutils import nodes
from docutils.parsers.rst import Directive

import ipa_commands


class IPAPermissions(Directive):
    has_content = False

    def run(self):
        text = ipa_commands.commands()
        return [nodes.literal_block(text, text, language='shell')]


def setup(app):
    app.add_directive('novajoin-ipa-permissions', IPAPermissions)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}

"""``.. novajoin-cli-help:: novajoin-manage reconcile``: a tool's own help.

The directive runs the console script's module with ``--help`` (and the
subcommand words given) in the interpreter that builds the docs, so the
CLI sections are the tools' parsers and cannot drift from them. The
terminal width is fixed so the text does not depend on the machine.
"""

import os
import subprocess
import sys

from docutils import nodes
from docutils.parsers.rst import Directive

# Console scripts of setup.cfg and the module each runs.
MODULES = {
    'novajoin-server': 'novajoin.cmd.server',
    'novajoin-notify': 'novajoin.cmd.notify',
    'novajoin-install': 'novajoin.cmd.install',
    'novajoin-manage': 'novajoin.cmd.manage',
}
COLUMNS = '79'
TIMEOUT = 120


class HelpFailed(Exception):
    pass


def help_text(words):
    """``--help`` of the console script ``words[0]`` with its subcommands.

    The program name is the console script's, as an operator sees it.
    """
    tool, subcommand = words[0], list(words[1:])
    if tool not in MODULES:
        raise HelpFailed('unknown tool %r; known: %s'
                         % (tool, ', '.join(sorted(MODULES))))
    env = dict(os.environ, COLUMNS=COLUMNS, LC_ALL='C.UTF-8')
    env.pop('OS_CLOUD', None)
    code = ('import sys, runpy; sys.argv[0] = %r; '
            'runpy.run_module(%r, run_name="__main__")'
            % (tool, MODULES[tool]))
    done = subprocess.run(
        [sys.executable, '-c', code] + subcommand + ['--help'],
        capture_output=True, text=True, env=env, timeout=TIMEOUT,
        stdin=subprocess.DEVNULL)
    if done.returncode != 0 or not done.stdout.strip():
        raise HelpFailed('%s --help exited %d: %s'
                         % (' '.join(words), done.returncode,
                            done.stderr.strip()[-500:]))
    return done.stdout.rstrip('\n')


class CLIHelp(Directive):
    required_arguments = 1
    optional_arguments = 3
    has_content = False

    def run(self):
        words = self.arguments
        try:
            text = help_text(words)
        except (HelpFailed, subprocess.SubprocessError, OSError) as exc:
            raise self.error(str(exc))
        command = nodes.paragraph(
            '', '', nodes.literal(text='$ %s --help' % ' '.join(words)))
        return [command, nodes.literal_block(text, text)]


def setup(app):
    app.add_directive('novajoin-cli-help', CLIHelp)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}

"""The committed samples match what ``tox -e genconfig`` / ``genpolicy``
write from the code, so an option or rule added without regenerating them
fails here.

The configuration sample also carries the options of our dependencies
(keystonemiddleware, oslo.messaging, ...), whose help text changes between
their releases; only novajoin's own options are compared, each with its
group and default.
"""

import collections
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
ETC = os.path.join(REPO, 'etc', 'novajoin')


def _tool(name):
    return os.path.join(os.path.dirname(sys.executable), name)


def _option_lines_by_group(text):
    """{group: set of '#name = default' lines} of a generated sample."""
    groups = collections.defaultdict(set)
    group = None
    for line in text.splitlines():
        if line.startswith('[') and line.endswith(']'):
            group = line[1:-1]
        elif group and line.startswith('#') and ' = ' in line and (
                not line.startswith('# ')):
            groups[group].add(line)
    return groups


def _generate(tmp_path, tool, *args):
    output = tmp_path / 'generated'
    subprocess.run([_tool(tool)] + list(args) + ['--output-file',
                                                 str(output)],
                   check=True, capture_output=True, cwd=REPO)
    return output.read_text()


def test_join_conf_sample_has_every_novajoin_option(tmp_path):
    generated = _option_lines_by_group(
        _generate(tmp_path, 'oslo-config-generator', '--namespace',
                  'novajoin', '--wrap-width', '79'))
    with open(os.path.join(ETC, 'join.conf.sample')) as f:
        committed = _option_lines_by_group(f.read())
    assert generated, 'the generator wrote no novajoin options'
    stale = {group: sorted(lines - committed.get(group, set()))
             for group, lines in generated.items()
             if lines - committed.get(group, set())}
    assert not stale, ('etc/novajoin/join.conf.sample is stale, run '
                       'tox -e genconfig: %s' % stale)


def test_policy_sample_is_current(tmp_path):
    generated = _generate(tmp_path, 'oslopolicy-sample-generator',
                          '--namespace', 'novajoin')
    with open(os.path.join(ETC, 'policy.yaml.sample')) as f:
        committed = f.read()
    assert 'join:create' in generated
    assert committed == generated, ('etc/novajoin/policy.yaml.sample is '
                                    'stale, run tox -e genpolicy')

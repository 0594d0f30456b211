"""The alert rules novajoin ships, ``etc/prometheus/novajoin-alerts.yaml``.

Plain Python (no docutils), for the ``novajoin-alert`` directive and the
unit test that every rule has its section.
"""

import os

import yaml

RULES = os.path.join('etc', 'prometheus', 'novajoin-alerts.yaml')


def load_rules(repo_root):
    """``{alert name: rule}`` of the shipped rules file."""
    with open(os.path.join(repo_root, RULES), encoding='utf-8') as f:
        document = yaml.safe_load(f)
    return {rule['alert']: rule
            for group in document['groups'] for rule in group['rules']
            if 'alert' in rule}

"""Sphinx configuration of novajoin's documentation (``tox -e docs``)."""

import os
import sys

# The repository root (novajoin itself, for the generated references) and
# doc/ext (novajoin's own directives).
DOC_SOURCE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.normpath(os.path.join(DOC_SOURCE, '..', '..'))
sys.path.insert(0, os.path.join(REPO_ROOT, 'doc', 'ext'))
sys.path.insert(0, REPO_ROOT)

project = 'novajoin'
copyright = 'novajoin developers'

extensions = [
    'openstackdocstheme',
    'sphinx.ext.graphviz',
    'oslo_config.sphinxext',
    'oslo_policy.sphinxext',
    'alert_rules',
    'cli_help',
    'ipa_permissions',
]

master_doc = 'index'
exclude_patterns = ['_build']
graphviz_output_format = 'svg'

html_theme = 'openstackdocs'
openstackdocs_repo_name = 'openstack/novajoin'
openstackdocs_use_storyboard = False
openstackdocs_auto_name = False
openstackdocs_bug_project = 'novajoin'
openstackdocs_bug_tag = 'docs'

"""Sphinx configuration of novajoin's release notes (tox -e releasenotes).

The notes are reno's: ``releasenotes/notes/*.yaml``, read from git history
by reno's ``release-notes`` directive, so only committed notes appear.
"""

extensions = ['reno.sphinxext']

project = 'novajoin Release Notes'
copyright = 'novajoin developers'
author = 'novajoin developers'

master_doc = 'index'
exclude_patterns = []

# Sphinx's own theme: the notes need no theme package of their own.
html_theme = 'alabaster'

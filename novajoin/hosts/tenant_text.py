"""Text a tenant chooses that novajoin stores in IPA: checked first.

A host's location (``ipa_host_location`` metadata), host class
(``ipa_hostclass``) and OS version (the image's ``os_distro`` and
``os_version``) end up in attributes that ``host_find``'s ``criteria``
searches together with the owner record (:mod:`novajoin.hosts.inventory`).
They are limited to :data:`MAX_LENGTH` characters of :data:`ALLOWED`
(letters, digits, space and ``. , _ / ( ) + -``): no ``"``, ``:``, braces
or control characters, so none can contain the owner record's text, look
like JSON, or carry a line break into a log.
"""

import re

from novajoin import exception

MAX_LENGTH = 64
ALLOWED = 'A-Z a-z 0-9 space . , _ / ( ) + -'
_PATTERN = re.compile(r'[A-Za-z0-9._,/()+-]([A-Za-z0-9 ._,/()+-]*'
                      r'[A-Za-z0-9._,/()+-])?\Z')


def problem(value):
    """Why ``value`` may not be stored, or None when it may."""
    if len(value) > MAX_LENGTH:
        return 'is longer than %d characters' % MAX_LENGTH
    if not _PATTERN.match(value):
        return ('may only contain %s (not at either end for a space)'
                % ALLOWED)
    return None


def check(name, value):
    """``value``, or InvalidRequest (400) saying what is wrong with it.

    :raises novajoin.exception.InvalidRequest: ``value`` may not be stored.
    """
    reason = problem(value)
    if reason is not None:
        raise exception.InvalidRequest('%s %s' % (name, reason))
    return value

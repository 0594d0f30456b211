"""The FQDN of an instance's IPA host: the one place that computes it.

``<hostname>.<domain>``, or ``<hostname>.<project>.<domain>`` with
``[DEFAULT] project_subdomain``. The enrollment API and the cleanup listener
both call :func:`instance_fqdn`, so they cannot disagree on a name.

Every label must be an RFC 1123 label: ASCII letters, digits and hyphens,
not starting or ending with a hyphen, 1 to 63 octets; the whole name at most
253 octets. Names are lowercased, as IPA stores them.
"""

import re

from novajoin import exception

MAX_LABEL_OCTETS = 63
MAX_NAME_OCTETS = 253

_LABEL_CHARACTERS = re.compile(r'[a-z0-9-]+')
_NOT_LABEL_CHARACTERS = re.compile(r'[^a-z0-9-]')


def instance_fqdn(hostname, domain, project_name=None,
                  project_subdomain=False, normalize_project=True):
    """The validated, lowercased FQDN of an instance.

    ``hostname`` is nova's short hostname and must be a single label: a dot
    in it would let a tenant place hosts in another project's subdomain.
    ``domain`` is ``[DEFAULT] domain`` or IPA's domain. ``project_name`` is
    required with ``project_subdomain``.

    :raises novajoin.exception.InvalidHostname: naming the offending part.
    """
    hostname = _check_text(hostname, 'hostname')
    if '.' in hostname:
        raise exception.InvalidHostname(
            'hostname %r must be a single DNS label (no dots)' % hostname)
    labels = [check_label(hostname, 'hostname')]
    if project_subdomain:
        if project_name is None:
            raise ValueError('project_subdomain needs the project name')
        project_name = _check_text(project_name, 'project name')
        if normalize_project:
            project_label = normalize_project_name(project_name)
        else:
            project_label = project_name
        labels.append(check_label(project_label, 'project subdomain'))
    labels.extend(domain_labels(domain))
    fqdn = '.'.join(labels)
    if len(fqdn) > MAX_NAME_OCTETS:
        raise exception.InvalidHostname(
            'host name %r is %d octets long; at most %d are allowed'
            % (fqdn, len(fqdn), MAX_NAME_OCTETS))
    return fqdn


def domain_labels(domain):
    """The checked labels of a domain; one trailing dot is accepted."""
    domain = _check_text(domain, 'domain')
    if domain.endswith('.'):
        domain = domain[:-1]
    return [check_label(label, 'domain') for label in domain.split('.')]


def normalize_project_name(project_name):
    """A project name made into a DNS label (``normalize_project``).

    Lowercased; every character that may not appear in a label (space,
    underscore, dot, non-ASCII...) becomes a hyphen, as novajoin did, and
    hyphens left at either end are dropped since a label cannot start or end
    with one. The result is still checked by :func:`check_label`.
    """
    return _NOT_LABEL_CHARACTERS.sub('-', project_name.lower()).strip('-')


def check_label(label, what):
    """``label`` lowercased, or InvalidHostname saying what is wrong."""
    if not label:
        raise exception.InvalidHostname('%s has an empty DNS label' % what)
    # Checked before lowercasing: str.lower() turns U+212A KELVIN SIGN
    # into an ASCII "k".
    if not (label.isascii() and _LABEL_CHARACTERS.fullmatch(label.lower())):
        raise exception.InvalidHostname(
            '%s label %r may only contain ASCII letters, digits and '
            'hyphens' % (what, label))
    label = label.lower()
    if label.startswith('-') or label.endswith('-'):
        raise exception.InvalidHostname(
            '%s label %r may not start or end with a hyphen' % (what, label))
    if len(label) > MAX_LABEL_OCTETS:
        raise exception.InvalidHostname(
            '%s label %r is %d octets long; at most %d are allowed'
            % (what, label, len(label), MAX_LABEL_OCTETS))
    return label


def _check_text(value, what):
    if not isinstance(value, str):
        raise exception.InvalidHostname('%s must be a string' % what)
    return value

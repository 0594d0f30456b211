"""The FQDN of an instance's IPA host: the one place that computes it.

``<hostname>.<domain>``, or ``<hostname>.<project>.<domain>`` with
``[DEFAULT] project_subdomain``. The enrollment API and the cleanup listener
both call :func:`instance_fqdn`, so they cannot disagree on a name.

Every label must be an RFC 1123 label: ASCII letters, digits and hyphens,
not starting or ending with a hyphen, 1 to 63 octets; the whole name at most
253 octets, or IPA's shorter limit. Names are lowercased, as IPA stores
them.

A project name becomes a subdomain only if it is one already: lowercase
letters, digits and hyphens. novajoin 1.3.0 rewrote other names (``My
Proj``, ``my_proj``, ``my.proj`` and ``-my-proj-`` all became ``my-proj``),
so that one project could take names in another's subdomain; such names are
refused instead. Keystone keeps project names unique within a domain, and
the caller makes sure only one domain's projects get here.
"""

import re

from novajoin import exception

MAX_LABEL_OCTETS = 63
MAX_NAME_OCTETS = 253

_LABEL_CHARACTERS = re.compile(r'[a-z0-9-]+')


def instance_fqdn(hostname, domain, project_name=None,
                  project_subdomain=False, max_length=MAX_NAME_OCTETS):
    """The validated, lowercased FQDN of an instance.

    ``hostname`` is nova's short hostname and must be a single label: a dot
    in it would let a tenant place hosts in another project's subdomain.
    ``domain`` is ``[DEFAULT] domain`` or IPA's domain. ``project_name`` is
    required with ``project_subdomain``. ``max_length`` is the longest
    name IPA accepts.

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
        labels.append(project_label(project_name))
    labels.extend(domain_labels(domain))
    fqdn = '.'.join(labels)
    limit = min(max_length, MAX_NAME_OCTETS)
    if len(fqdn) > limit:
        raise exception.InvalidHostname(
            'host name %r is %d characters long; IPA accepts at most %d'
            % (fqdn, len(fqdn), limit))
    return fqdn


def project_label(project_name):
    """The subdomain label of a project: its name, if that is one.

    :raises novajoin.exception.InvalidHostname: for any other name, rather
        than rewrite it into a label another project may have.
    """
    project_name = _check_text(project_name, 'project name')
    label = check_label(project_name, 'project subdomain')
    if label != project_name:
        raise exception.InvalidHostname(
            'project name %r is not a lowercase DNS label; project '
            'subdomains are only given to projects named with lowercase '
            'letters, digits and hyphens' % project_name)
    return label


def domain_labels(domain):
    """The checked labels of a domain; one trailing dot is accepted."""
    domain = _check_text(domain, 'domain')
    if domain.endswith('.'):
        domain = domain[:-1]
    return [check_label(label, 'domain') for label in domain.split('.')]


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

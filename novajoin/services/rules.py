"""Who the services are for, and the rules a name must pass for them.

:class:`Instance` is the instance asking; :class:`Rules` the operator's part
(domain, allow-list, reserved names). The judgements of an existing host
entry (:func:`subhost_entry_refusal`, :func:`managed_entry_refusal`) are
here because two steps need them: planning (:mod:`.confinement`) on the
entries read before the writes, and the writes (:mod:`.writes`) on an entry
created concurrently by someone else. Nothing here talks to IPA.
"""

import fnmatch

from novajoin import exception
from novajoin.hosts import ownership
from novajoin.hosts import reserved_names as novajoin_reserved
from novajoin.ipa import errors as ipa_errors


class Instance(object):
    """The instance the services are for."""

    def __init__(self, instance_id, project_id, fqdn):
        self.instance_id = instance_id
        self.project_id = project_id
        self.fqdn = fqdn

    @property
    def short_name(self):
        return self.fqdn.split('.', 1)[0]

    @property
    def zone(self):
        """Where the instance's names live.

        Our domain, or its project's subdomain of it with ``[DEFAULT]
        project_subdomain``.
        """
        return self.fqdn.split('.', 1)[1]

    def __repr__(self):
        return 'Instance(%r, fqdn=%r)' % (self.instance_id, self.fqdn)


class Rules(object):
    """The operator's part of the rules: domain, allow-list, reserved names.

    ``reserved_names`` is the enrollment's
    :class:`novajoin.hosts.reserved_names.ReservedNames` (``localhost``,
    ``ipa-ca``, the configured IPA servers, ``[enrollment]
    reserved_names``); the servers IPA lists come with each read.
    """

    def __init__(self, domain, host_allow_list=(), reserved_names=None):
        self.domain = domain.lower().rstrip('.')
        self.host_allow_list = [p.lower() for p in host_allow_list]
        self._reserved_names = reserved_names or (
            novajoin_reserved.ReservedNames((), [self.domain]))

    def reserved(self, fqdn, servers):
        """Why ``fqdn`` may never be handed out, or None."""
        if fqdn in (servers or ()):
            return 'is an IPA server'
        try:
            self._reserved_names.refuse_known(fqdn, self.domain)
        except exception.NameReserved as exc:
            return 'is reserved: %s' % exc.reason
        return None

    def name_checks(self, fqdn):
        """Batch calls showing whether a new host may take ``fqdn``."""
        return self._reserved_names.dns_reads(fqdn, self.domain)

    def reserved_new(self, fqdn, state):
        """Why no new host may be created as ``fqdn``, or None.

        A name with DNS records, or a DNS zone, belongs to whoever made it,
        as for an instance's own host (:mod:`novajoin.hosts.reserved_names`).
        """
        calls, items = state.name_checks.get(fqdn, ((), ()))
        try:
            self._reserved_names.refuse_from_reads(fqdn, calls, items,
                                                   new_host=True)
        except exception.NameReserved as exc:
            return 'is reserved: %s' % exc.reason
        except ipa_errors.IPAError as exc:
            return 'could not be checked in DNS: %s' % type(exc).__name__
        return None

    def allow_listed(self, fqdn):
        return any(fnmatch.fnmatchcase(fqdn, pattern)
                   for pattern in self.host_allow_list)


def subhost_name(instance, network):
    # In the instance's zone: with project subdomains, <short>.<network>
    # of our domain would be another project's instance <short>.
    return '%s.%s.%s' % (instance.short_name, network, instance.zone)


def subhost_entry_refusal(instance, subhost, entry):
    """Why an existing entry cannot be this instance's subhost, or None."""
    if ownership.is_service_entry_of(entry, instance.instance_id,
                                     ownership.ROLE_SUBHOST):
        return None
    if ownership.owner_of(entry) is None:
        return '%s exists and was not created by novajoin' % subhost
    return '%s belongs to another instance' % subhost


def managed_entry_refusal(instance, fqdn, entry, rules):
    """Why an existing host may not carry managed services, or None."""
    record = ownership.owner_of(entry)
    if record is None:
        if rules.allow_listed(fqdn):
            return None
        return ('%s was not created by novajoin and is not in [services] '
                'managed_service_hosts' % fqdn)
    if record.instance_id == instance.instance_id:
        return None
    if record.role is None:
        return '%s is the host of another instance' % fqdn
    if record.role == ownership.ROLE_SUBHOST:
        # It goes with its instance, and every service on it with it.
        return ('%s is a subhost of another instance; it is deleted with '
                'that instance' % fqdn)
    if record.project_id is not None and record.project_id == (
            instance.project_id):
        return None
    return '%s belongs to another project' % fqdn

"""Domain exceptions of novajoin's enrollment.

Each carries an operator-readable message (never a secret), the ``decision``
word for the request's log line, and, once known, the ``fqdn`` and the
number of IPA round trips (``ipa_calls``) made before it was raised. The API
maps them to HTTP answers; nothing else should need to know their classes.
"""


class NovajoinError(Exception):
    """Base class of novajoin's domain errors."""

    decision = 'error'

    def __init__(self, message, fqdn=None, ipa_calls=0):
        super().__init__(message)
        self.message = message
        self.fqdn = fqdn
        self.ipa_calls = ipa_calls

    def __str__(self):
        return self.message


class ConfigurationError(NovajoinError):
    """The service cannot start with this configuration."""


class InvalidRequest(NovajoinError):
    """The vendordata request cannot be served as asked (HTTP 400)."""

    decision = 'refused'


class InvalidHostname(InvalidRequest):
    """A label of the host's FQDN is not a valid DNS label (HTTP 400)."""


class HostOwnedByOther(NovajoinError):
    """The FQDN belongs to an IPA host this instance does not own (403).

    ``reason`` says whose it is: another instance's, or an entry novajoin
    did not create (an IPA master, a hand-made host).
    """

    decision = 'refused'

    def __init__(self, fqdn, reason, ipa_calls=0):
        super().__init__('%s is already in IPA and %s' % (fqdn, reason),
                         fqdn=fqdn, ipa_calls=ipa_calls)
        self.reason = reason


class NameReserved(NovajoinError):
    """The FQDN must never be handed to a tenant (HTTP 403).

    An IPA server, ``ipa-ca``, ``localhost``, a name in ``[enrollment]
    reserved_names``, or a name with DNS records in IPA that novajoin did
    not create. Nothing was written to IPA.
    """

    decision = 'refused'

    def __init__(self, fqdn, reason):
        super().__init__('%s is reserved: %s; choose another instance name'
                         % (fqdn, reason), fqdn=fqdn)
        self.reason = reason


class HostPasswordUnknown(NovajoinError):
    """The instance's entry holds a password novajoin cannot derive (409).

    Set by novajoin 1.3.0, which handed its OTP to nova already, or by
    hand. It is not replaced by a vendordata request.
    """

    decision = 'refused'

    def __init__(self, fqdn):
        super().__init__(
            '%s has a one-time password that novajoin did not set (novajoin '
            '1.3.0 or an administrator did); it is left unchanged. To '
            'enroll the instance with a new one, delete the host in IPA '
            '(ipa host-del); the next request creates it afresh'
            % fqdn, fqdn=fqdn)


class InstanceHasHost(NovajoinError):
    """The instance owns a host under another name already (HTTP 409).

    nova lets a tenant rename an instance; novajoin enrolls an instance
    under one name and never creates a second host for it.
    """

    decision = 'refused'

    def __init__(self, fqdn, existing):
        super().__init__(
            'the instance already owns the IPA host %s; novajoin gives an '
            'instance one host and does not create %s. To enroll it under '
            'the new name, delete %s in IPA (ipa host-del) first'
            % (existing, fqdn, existing), fqdn=fqdn)
        self.existing = existing


class HostStillEnrolled(NovajoinError):
    """A re-arm was asked for a host that still has its keytab.

    ``host_disable`` it first: IPA refuses a password on an enrolled host.
    """

    def __init__(self, fqdn):
        super().__init__('%s is still enrolled; disable it in IPA '
                         '(host_disable) before re-arming it' % fqdn,
                         fqdn=fqdn)


class HostClassNotAllowed(NovajoinError):
    """The project may not put hosts into the requested class (HTTP 403)."""

    decision = 'refused'

    def __init__(self, hostclass, project_name):
        super().__init__("project %r is not allowed host class %r; see "
                         "allowed_classes in novajoin's [%s] section"
                         % (project_name, hostclass, project_name))
        self.hostclass = hostclass
        self.project_name = project_name


class EnrollmentUnavailable(NovajoinError):
    """Enrollment cannot be done now; the caller may retry (HTTP 503).

    IPA, Glance or Keystone could not be reached or did not answer usably,
    or the request's deadline would be exceeded. ``retry_after`` is in
    seconds. The message is generic enough for the HTTP answer; the cause is
    logged for the operator where it happens.
    """

    def __init__(self, message, retry_after, fqdn=None, ipa_calls=0):
        super().__init__(message, fqdn=fqdn, ipa_calls=ipa_calls)
        self.retry_after = retry_after

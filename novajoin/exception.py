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

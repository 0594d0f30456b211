"""Exceptions raised by the IPA client.

Two families: :class:`IPACommandError` is FreeIPA answering "no" (a business
error carried in the JSON-RPC envelope; never retried), and everything else
is about reaching FreeIPA at all (:class:`IPAUnavailable` may succeed later;
:class:`IPATLSError` and :class:`IPAAuthenticationError` need an operator).
Messages never contain secrets.
"""


class IPAError(Exception):
    """Base class of every IPA client error."""


class IPAUnavailable(IPAError):
    """No usable answer from any IPA server within the call's deadline.

    Connection errors, timeouts, HTTP 5xx and outages end here after the
    client's bounded retries. Callers may try again later.
    """


class IPATLSError(IPAError):
    """The server's certificate did not verify against the configured CA."""


class IPAAuthenticationError(IPAError):
    """Login to IPA failed; ``reason`` is X-IPA-Rejection-Reason if given."""

    def __init__(self, message, reason=None, status=None):
        super().__init__(message)
        self.reason = reason
        self.status = status


class IPAProtocolError(IPAError):
    """IPA answered with something that is not the JSON-RPC envelope."""


class IPACommandError(IPAError):
    """An error object from the JSON-RPC envelope (or a batch item).

    ``code``, ``name``, ``message`` and ``data`` are FreeIPA's, unchanged.
    """

    code = None

    def __init__(self, message, code=None, name=None, data=None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.name = name or type(self).__name__
        self.data = data or {}

    def __str__(self):
        return '%s (%s %s)' % (self.message, self.code, self.name)


def _command_error(class_name, code):
    return type(class_name, (IPACommandError,), {'code': code})


VersionError = _command_error('VersionError', 901)
InternalError = _command_error('InternalError', 903)
CommandError = _command_error('CommandError', 905)
NetworkError = _command_error('NetworkError', 907)
JSONError = _command_error('JSONError', 909)
RefererError = _command_error('RefererError', 911)
KerberosError = _command_error('KerberosError', 1100)
CCacheError = _command_error('CCacheError', 1101)
TicketExpired = _command_error('TicketExpired', 1104)
ACIError = _command_error('ACIError', 2100)
MaxArgumentError = _command_error('MaxArgumentError', 3004)
OptionError = _command_error('OptionError', 3005)
RequirementError = _command_error('RequirementError', 3007)
ConversionError = _command_error('ConversionError', 3008)
ValidationError = _command_error('ValidationError', 3009)
NotFound = _command_error('NotFound', 4001)
DuplicateEntry = _command_error('DuplicateEntry', 4002)
HostService = _command_error('HostService', 4003)
RealmMismatch = _command_error('RealmMismatch', 4005)
AlreadyActive = _command_error('AlreadyActive', 4009)
AlreadyInactive = _command_error('AlreadyInactive', 4010)
AlreadyGroupMember = _command_error('AlreadyGroupMember', 4014)
DNSNotARecordError = _command_error('DNSNotARecordError', 4019)
AttrValueNotFound = _command_error('AttrValueNotFound', 4026)
EmptyModlist = _command_error('EmptyModlist', 4202)
DatabaseError = _command_error('DatabaseError', 4203)
SizeLimitExceeded = _command_error('SizeLimitExceeded', 4215)

_BY_CODE = {cls.code: cls for cls in (
    VersionError, InternalError, CommandError, NetworkError, JSONError,
    RefererError, KerberosError, CCacheError, TicketExpired, ACIError,
    MaxArgumentError, OptionError, RequirementError, ConversionError,
    ValidationError, NotFound, DuplicateEntry, HostService, RealmMismatch,
    AlreadyActive, AlreadyInactive, AlreadyGroupMember, DNSNotARecordError,
    AttrValueNotFound, EmptyModlist, DatabaseError, SizeLimitExceeded)}


def from_error_object(error):
    """Map an envelope error ``{"code", "message", "name", "data"}``."""
    code = error.get('code')
    cls = _BY_CODE.get(code, IPACommandError)
    return cls(error.get('message') or '', code=code, name=error.get('name'),
               data=error.get('data'))


def from_batch_item(item):
    """Map a failed batch item.

    Batch items carry ``{"error", "error_code", "error_name", "error_kw"}``
    with the message string in ``error``.
    """
    code = item.get('error_code')
    cls = _BY_CODE.get(code, IPACommandError)
    return cls(item.get('error') or '', code=code,
               name=item.get('error_name'), data=item.get('error_kw'))


class IPAConfigurationError(IPAError, ValueError):
    """The [ipa] configuration is incomplete or invalid."""

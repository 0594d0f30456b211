"""FreeIPA's JSON-RPC envelope, error objects and warnings.

Codes, class names, message formats and ``data`` keys follow
``ipalib/errors.py`` and ``ipalib/messages.py`` as summarised in
``ipa-jsonrpc.md`` (sections 2 and 3).
"""

import base64
import json


class IPAError(Exception):
    """A FreeIPA public error: ``{"code", "message", "name", "data"}``.

    ``kw`` becomes ``data``, as FreeIPA does with exception keyword
    arguments; a ``message`` override replaces the formatted text and is not
    part of ``data``.
    """

    code = 903
    format = 'an internal error has occurred'

    def __init__(self, message=None, **kw):
        self.kw = kw
        self.message = message if message is not None else self.format % kw
        super().__init__(self.message)

    @property
    def name(self):
        return type(self).__name__

    def to_object(self):
        return {'code': self.code, 'message': self.message,
                'name': self.name, 'data': dict(self.kw)}


def _error(name, code, fmt):
    return type(name, (IPAError,), {'code': code, 'format': fmt})


VersionError = _error(
    'VersionError', 901,
    "%(cver)s client incompatible with %(sver)s server at '%(server)s'")
InternalError = _error('InternalError', 903, 'an internal error has occurred')
CommandError = _error('CommandError', 905, "unknown command '%(name)s'")
JSONError = _error('JSONError', 909, 'Invalid JSON-RPC request: %(error)s')
Base64DecodeError = _error('Base64DecodeError', 3015,
                           'Base64 decoding failed: %(reason)s')
MaxArgumentError = _error(
    'MaxArgumentError', 3004,
    "command '%(name)s' takes at most %(count)d arguments")
OptionError = _error('OptionError', 3005, '%(option)s')
RequirementError = _error('RequirementError', 3007, "'%(name)s' is required")
ConversionError = _error('ConversionError', 3008,
                         "invalid '%(name)s': %(error)s")
ValidationError = _error('ValidationError', 3009,
                         "invalid '%(name)s': %(error)s")
ACIError = _error('ACIError', 2100, 'Insufficient access: %(info)s')
NotFound = _error('NotFound', 4001, '%(reason)s')
DuplicateEntry = _error('DuplicateEntry', 4002,
                        'This entry already exists')
HostService = _error(
    'HostService', 4003,
    'You must enroll a host in order to create a host service')
RealmMismatch = _error(
    'RealmMismatch', 4005,
    'The realm for the principal does not match the realm for this IPA '
    'server')
AlreadyInactive = _error('AlreadyInactive', 4010,
                         'This entry is already disabled')
AlreadyGroupMember = _error('AlreadyGroupMember', 4014,
                            'This entry is already a member')
NotGroupMember = _error('NotGroupMember', 4015, 'This entry is not a member')
DNSNotARecordError = _error(
    'DNSNotARecordError', 4019,
    "Host '%(hostname)s' does not have corresponding DNS A/AAAA record")
AttrValueNotFound = _error('AttrValueNotFound', 4026,
                           "%(attr)s does not contain '%(value)s'")
EmptyModlist = _error('EmptyModlist', 4202,
                      'no modifications to be performed')
CertificateFormatError = _error('CertificateFormatError', 4302,
                                'Certificate format error: %(error)s')
SizeLimitExceeded = _error('SizeLimitExceeded', 4215,
                           'Configured size limit exceeded')


def max_argument_error(command, count):
    noun = 'argument' if count == 1 else 'arguments'
    return MaxArgumentError(
        "command '%s' takes at most %d %s" % (command, count, noun),
        name=command, count=count)


def unknown_option(option):
    return OptionError('Unknown option: %s' % option, option=option)


# Warnings (ipalib/messages.py), returned in result["messages"].

def _message(name, code, text, **data):
    return {'type': 'warning', 'name': name, 'message': text, 'code': code,
            'data': data}


def version_missing(server_version):
    return _message(
        'VersionMissing', 13001,
        "API Version number was not sent, forward compatibility not "
        "guaranteed. Assuming server's API version, %s" % server_version,
        server_version=server_version)


def search_result_truncated():
    reason = SizeLimitExceeded().message
    return _message('SearchResultTruncated', 13017,
                    'Search result has been truncated: %s' % reason,
                    reason=reason)


def failed_to_remove_host_dns_records(host, reason):
    return _message(
        'FailedToRemoveHostDNSRecords', 13020,
        'DNS record(s) of host %s could not be removed. (%s)'
        % (host, reason), host=host, reason=reason)


# Wire types (ipalib/ipajson.py): which wrappers a client gets depends on
# the API version it sent.

DATETIME_CAPABILITY = (2, 84)
DNS_NAME_CAPABILITY = (2, 88)
# Without a version the server answers at this capability level.
NO_VERSION_CAPABILITY = (2, 51)


class DNSName(str):
    """A DNS name; ``{"__dns_name__": ...}`` for clients at API >= 2.88."""


class DateTime(str):
    """A generalized time string; ``{"__datetime__": ...}`` at >= 2.84."""


def encode(value, capability):
    if isinstance(value, DNSName):
        if capability >= DNS_NAME_CAPABILITY:
            return {'__dns_name__': str(value)}
        return str(value)
    if isinstance(value, DateTime):
        if capability >= DATETIME_CAPABILITY:
            return {'__datetime__': str(value)}
        return str(value)
    if isinstance(value, bytes):
        return {'__base64__': base64.b64encode(value).decode('ascii')}
    if isinstance(value, dict):
        return {k: encode(v, capability) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v, capability) for v in value]
    return value


def parse_version(text):
    """``"2.254"`` -> ``(2, 254)``; None if it is not a version."""
    if not isinstance(text, str):
        return None
    parts = text.split('.')
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return None
    return int(parts[0]), int(parts[1])


def unmarshal(body):
    """Split a request body into ``(method, args, options, id)``.

    Raises JSONError with the messages of ``jsonserver.unmarshal``.
    """
    try:
        request = json.loads(body)
    except ValueError as e:
        raise JSONError(error=str(e))
    if not isinstance(request, dict):
        raise JSONError(error='Request must be a dict')
    if 'method' not in request:
        raise JSONError(error='Request is missing "method"')
    if 'params' not in request:
        raise JSONError(error='Request is missing "params"')
    params = request['params']
    if not isinstance(params, list):
        raise JSONError(error='params must be a list')
    if len(params) != 2:
        raise JSONError(error='params must contain [args, options]')
    args, options = params
    if not isinstance(args, list):
        raise JSONError(error='params[0] (aka args) must be a list')
    if not isinstance(options, dict):
        raise JSONError(error='params[1] (aka options) must be a dict')
    method = request['method']
    if not isinstance(method, str):
        raise JSONError(error='method must be a string')
    return method, args, options, request.get('id')


def envelope(result, error, request_id, principal, release):
    return {'result': result,
            'error': error.to_object() if error is not None else None,
            'id': request_id, 'principal': principal, 'version': release}

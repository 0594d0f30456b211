"""FreeIPA's JSON wire types (``ipalib/ipajson.py``), decoded.

The server wraps some values in one-key objects, depending on the API
version the client sends: ``{"__base64__": ...}`` for bytes,
``{"__datetime__": "20240131120000Z"}`` for times and
``{"__dns_name__": "www"}`` for DNS names.
"""

import base64
import binascii
import datetime

from novajoin.ipa import errors

_DATETIME_FORMAT = '%Y%m%d%H%M%SZ'


def _decode_base64(text):
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise errors.IPAProtocolError('IPA sent malformed __base64__ data')


def _decode_datetime(text):
    try:
        moment = datetime.datetime.strptime(text, _DATETIME_FORMAT)
    except (TypeError, ValueError):
        raise errors.IPAProtocolError('IPA sent a malformed __datetime__')
    return moment.replace(tzinfo=datetime.timezone.utc)


def _decode_dns_name(text):
    if not isinstance(text, str):
        raise errors.IPAProtocolError('IPA sent a malformed __dns_name__')
    return text


_DECODERS = {
    '__base64__': _decode_base64,
    '__datetime__': _decode_datetime,
    '__dns_name__': _decode_dns_name,
}


def decode(value):
    """``value`` with every wire-type wrapper replaced by its value:
    bytes, an aware UTC datetime, or a DNS name as str.
    """
    if isinstance(value, dict):
        if len(value) == 1:
            (key, inner), = value.items()
            if key in _DECODERS:
                return _DECODERS[key](inner)
        return {key: decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decode(item) for item in value]
    return value

"""Parameters and their conversion (``ipalib/parameters.py`` rules).

A :class:`Signature` is built from ``API.txt`` by :mod:`tests.ipasim.contract`;
this module only knows how one value of each parameter type is converted
and checked, and the order in which a call's arguments are (FreeIPA's
``args_options_2_params``).
"""

import base64
import binascii
import decimal

from cryptography import x509

from tests.ipasim import rpc

STR = 'str'
FLAG = 'flag'
BOOL = 'bool'
INT = 'int'
DECIMAL = 'decimal'
DICT = 'dict'
ENUM = 'enum'
CERT = 'certificate'

# Bool/Flag accept exactly these (ipalib.parameters.Bool).
TRUTHS = (True, 1, '1', 'true', 'TRUE')
FALSEHOODS = (False, 0, '0', 'false', 'FALSE')
# JSON wrappers (ipalib/ipajson.py) that stand for a plain string.
STRING_WRAPPERS = ('__dns_name__', '__datetime__')


class Param(object):
    """One argument or option.

    ``multi``: accepts a list (or a scalar, made a one-item list).
    ``required``: must be given. ``default``: value when absent.
    ``autofill``: clients send it on every call with its default.
    ``values``: the allowed values of a StrEnum.
    """

    def __init__(self, name, kind=STR, cli_name=None, multi=False,
                 required=False, default=None, autofill=False, values=()):
        self.name = name
        self.kind = kind
        self.cli_name = cli_name or name
        self.multi = multi
        self.required = required
        if default is None and kind == FLAG:
            default = False
        self.default = default
        self.autofill = autofill
        self.values = tuple(values)

    def convert(self, value):
        if value is None:
            return self.default
        if self.multi:
            values = value if isinstance(value, (list, tuple)) else [value]
            return [self._convert_one(v) for v in values]
        if isinstance(value, (list, tuple)):
            if len(value) != 1:
                raise self._conversion_error('Only one value is allowed')
            value = value[0]
        return self._convert_one(value)

    def _conversion_error(self, error):
        return rpc.ConversionError(name=self.cli_name, error=error)

    def _convert_one(self, value):
        if isinstance(value, dict) and len(value) == 1:
            key = next(iter(value))
            if key in STRING_WRAPPERS:
                value = value[key]
            elif key == '__base64__':
                value = _base64(value[key])
        return getattr(self, '_convert_' + self.kind)(value)

    def _convert_flag(self, value):
        if isinstance(value, (list, tuple, dict)):
            raise self._conversion_error('must be True or False')
        if value in TRUTHS:
            return True
        if value in FALSEHOODS:
            return False
        raise self._conversion_error('must be True or False')

    _convert_bool = _convert_flag

    def _convert_int(self, value):
        if isinstance(value, bool):
            raise self._conversion_error('must be an integer')
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise self._conversion_error('must be an integer')

    def _convert_decimal(self, value):
        if isinstance(value, bool) or not isinstance(value,
                                                     (int, float, str)):
            raise self._conversion_error('must be a decimal number')
        try:
            number = decimal.Decimal(str(value).strip())
        except decimal.InvalidOperation:
            raise self._conversion_error('must be a decimal number')
        if not number.is_finite():
            raise self._conversion_error('must be a decimal number')
        return str(number)

    def _convert_dict(self, value):
        if isinstance(value, dict):
            return value
        raise self._conversion_error('must be dictionary')

    def _convert_str(self, value):
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        raise self._conversion_error('must be Unicode text')

    def _convert_enum(self, value):
        value = self._convert_str(value)
        if value not in self.values:
            raise rpc.ValidationError(
                name=self.cli_name, error='must be one of %s' % ', '.join(
                    "'%s'" % v for v in self.values))
        return value

    def _convert_certificate(self, value):
        """DER bytes, from base64 text or a ``__base64__`` wrapper."""
        if isinstance(value, str):
            value = _base64(value)
        if not isinstance(value, bytes):
            raise self._conversion_error('must be binary data')
        try:
            x509.load_der_x509_certificate(value)
        except ValueError as e:
            raise rpc.CertificateFormatError(error=str(e))
        return value


def attr_spec(option, spec, allowed):
    """``setattr``/``addattr``/``delattr`` value ``name=value`` ->
    ``(lowercased name, value)``; ``allowed``: attributes the command may
    write this way.
    """
    name, sep, value = spec.partition('=')
    if not sep or not name:
        raise rpc.ValidationError(name=option,
                                  error='Invalid format. Should be name=value')
    name = name.lower()
    if name not in allowed:
        raise rpc.ValidationError(name=name,
                                  error='attribute "%s" not allowed' % name)
    return name, value


def _base64(text):
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, TypeError, ValueError) as e:
        raise rpc.Base64DecodeError(reason=str(e))


class Signature(object):
    """A command's positional args and options, as in ``API.txt``."""

    def __init__(self, name, args=(), options=(), outputs=()):
        self.name = name
        self.args = list(args)
        self.options = {o.name: o for o in options}
        self.outputs = dict(outputs)

    def autofill_defaults(self):
        """What a schema-generated client sends when nothing is set."""
        return {name: param.default for name, param in self.options.items()
                if param.autofill}

    def convert(self, args, options):
        """Positional values and an options dict, converted and checked.

        Error order follows FreeIPA: too many args (3004; never when the
        last argument is multivalued), unknown option (3005), then
        per-parameter conversion and requirement errors.
        """
        variadic = bool(self.args) and self.args[-1].multi
        if len(args) > len(self.args) and not variadic:
            raise rpc.max_argument_error(self.name, len(self.args))
        for name in options:
            if name not in self.options:
                raise rpc.unknown_option(name)
        values = {}
        for index, param in enumerate(self.args):
            raw = args[index] if index < len(args) else None
            if param.multi and len(args) > index + 1:
                # A multivalued last argument takes the remaining values
                # (``__args_2_params``): ``["h1", "h2"]`` as well as
                # ``[["h1", "h2"]]``.
                raw = list(args[index:])
            values[param.name] = self._checked(param, raw)
        for name, param in self.options.items():
            values[name] = self._checked(param, options.get(name))
        return values

    @staticmethod
    def _checked(param, raw):
        value = param.convert(raw)
        if param.required and value in (None, [], ''):
            raise rpc.RequirementError(name=param.cli_name)
        return value

"""Command signatures and argument conversion (``args_options_2_params``).

A command is declared as data: its positional args and its options, each a
:class:`Param` named as in ``ipa-API-excerpt.txt``. Options of the real API
that the simulator does not implement are not declared, so they are
rejected like unknown options.
"""

from tests.ipasim import rpc

STR = 'str'
FLAG = 'flag'
BOOL = 'bool'
INT = 'int'
DICT = 'dict'


class Param(object):
    """One argument or option.

    ``multi``: accepts a list (or a scalar, made a one-item list).
    ``required``: must be given. ``default``: value when absent.
    """

    def __init__(self, name, kind=STR, cli_name=None, multi=False,
                 required=False, default=None):
        self.name = name
        self.kind = kind
        self.cli_name = cli_name or name
        self.multi = multi
        self.required = required
        if default is None and kind == FLAG:
            default = False
        self.default = default

    def convert(self, value):
        if value is None:
            return self.default
        if self.multi:
            values = value if isinstance(value, list) else [value]
            return [self._convert_one(v) for v in values]
        if isinstance(value, list):
            if len(value) != 1:
                raise rpc.ConversionError(name=self.cli_name,
                                          error='Only one value is allowed')
            value = value[0]
        return self._convert_one(value)

    def _convert_one(self, value):
        if self.kind in (FLAG, BOOL):
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ('true', 'false'):
                return value.lower() == 'true'
            raise rpc.ConversionError(name=self.cli_name,
                                      error='must be True or False')
        if self.kind == INT:
            if isinstance(value, bool):
                raise rpc.ConversionError(name=self.cli_name,
                                          error='must be an integer')
            if isinstance(value, int):
                return value
            if isinstance(value, str) and value.strip().lstrip('-').isdigit():
                return int(value)
            raise rpc.ConversionError(name=self.cli_name,
                                      error='must be an integer')
        if self.kind == DICT:
            if isinstance(value, dict):
                return value
            raise rpc.ConversionError(name=self.cli_name,
                                      error='must be dictionary')
        if isinstance(value, dict) and set(value) == {'__dns_name__'}:
            value = value['__dns_name__']
        if not isinstance(value, str):
            raise rpc.ConversionError(name=self.cli_name,
                                      error='must be Unicode text')
        return value


class Signature(object):
    def __init__(self, name, args=(), options=()):
        self.name = name
        self.args = list(args)
        self.options = {o.name: o for o in options}
        self.options['version'] = Param('version')

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

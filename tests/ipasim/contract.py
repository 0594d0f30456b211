"""Command signatures, read from ``API.txt`` (FreeIPA's API contract).

``tests/ipasim/API.txt`` is a verbatim copy of the reference excerpt of
FreeIPA's ``API.txt``; a unit test keeps it equal to the reference. Every
command the simulator serves takes its args, options and outputs from
there, so an option in FreeIPA's signature is never refused as unknown and
one outside it always is.
"""

import ast
import os

from tests.ipasim import params

API_TXT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       'API.txt')

KINDS = {'Flag': params.FLAG, 'Bool': params.BOOL, 'Int': params.INT,
         'Decimal': params.DECIMAL, 'Dict': params.DICT,
         'StrEnum': params.ENUM, 'Certificate': params.CERT}
# Every other type (Str, Principal, DNSNameParam, HostPassword, the DNS
# record types) is text.


def parse_param(text):
    """``Str('fqdn+', cli_name='hostname')`` -> :class:`params.Param`."""
    call = ast.parse(text, mode='eval').body
    if not isinstance(call, ast.Call) or not call.args:
        raise ValueError('not a parameter: %s' % text)
    type_name = call.func.id
    spec = ast.literal_eval(call.args[0])
    kw = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    name = spec.rstrip('?*+')
    suffix = spec[len(name):]
    return params.Param(
        name, KINDS.get(type_name, params.STR), cli_name=kw.get('cli_name'),
        multi=suffix in ('*', '+'), required=suffix in ('', '+')
        and 'default' not in kw and type_name != 'Flag',
        default=kw.get('default'), autofill=bool(kw.get('autofill')),
        values=kw.get('values', ()))


def _output(text):
    """``Output('count', type=[...])`` -> ``('count', 'Output')``."""
    type_name, _, rest = text.partition('(')
    return rest.split("'")[1], type_name


def parse(lines):
    """API.txt lines -> ``{command name: params.Signature}``."""
    signatures = {}
    current = None
    for line in lines:
        key, sep, value = line.strip().partition(': ')
        if not sep or key.startswith('#'):
            continue
        if key == 'command':
            current = {'name': value.split('/')[0], 'args': [],
                       'options': [], 'outputs': []}
            signatures[current['name']] = current
        elif key == 'arg':
            current['args'].append(parse_param(value))
        elif key == 'option':
            current['options'].append(parse_param(value))
        elif key == 'output':
            current['outputs'].append(_output(value))
    return {name: params.Signature(name, c['args'], c['options'],
                                   c['outputs'])
            for name, c in signatures.items()}


def load(path=API_TXT):
    with open(path, encoding='utf-8') as f:
        return parse(f)

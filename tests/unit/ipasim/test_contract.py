"""The simulator's signatures come from its copy of FreeIPA's API.txt, and
that copy is the reference excerpt."""

import os

import pytest

from tests.ipasim import commands
from tests.ipasim import contract
from tests.ipasim import params
from tests.ipasim import rbac
from tests.ipasim import rpc

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))
REFERENCE = os.path.join(os.path.dirname(REPO_ROOT), 'shared', 'reference',
                         'ipa-API-excerpt.txt')


@pytest.mark.skipif(not os.path.exists(REFERENCE),
                    reason='allowed-skip: the shared reference is not beside '
                           'this checkout')
def test_vendored_api_txt_equals_the_reference():
    with open(REFERENCE, 'rb') as reference, \
            open(contract.API_TXT, 'rb') as vendored:
        assert vendored.read() == reference.read()


def test_every_command_of_the_contract_is_served():
    served = set(commands.DIRECTORY_HANDLERS) | set(commands.ENGINE_COMMANDS)
    assert set(contract.load()) | set(rbac.SIGNATURES) == served


def test_parse_required_multivalued_argument():
    param = contract.parse_param("Str('fqdn+', cli_name='hostname')")
    assert (param.name, param.cli_name, param.multi, param.required) == (
        'fqdn', 'hostname', True, True)


def test_parse_autofill_flag_with_default():
    param = contract.parse_param(
        "Flag('no_members', autofill=True, default=True)")
    assert (param.kind, param.default, param.autofill, param.required) == (
        params.FLAG, True, True, False)


def test_parse_enum_and_optional():
    param = contract.parse_param(
        "StrEnum('ipakrbauthzdata*', cli_name='pac_type', "
        "values=[u'MS-PAC', u'PAD', u'NONE'])")
    assert param.kind == params.ENUM
    assert param.values == ('MS-PAC', 'PAD', 'NONE')
    assert (param.multi, param.required) == (True, False)


def test_parse_record_type_is_text():
    param = contract.parse_param(
        "ARecord('arecord*', cli_name='a_rec', option_group=u'A Record')")
    assert param.kind == params.STR


def test_signature_lists_outputs_and_autofill_defaults():
    signature = contract.load()['host_find']
    assert signature.outputs['result'] == 'ListOfEntries'
    assert signature.autofill_defaults() == {
        'all': False, 'no_members': True, 'pkey_only': False, 'raw': False}
    assert 'version' in signature.options


def test_unknown_option_is_refused_before_conversion():
    signature = contract.load()['host_show']
    with pytest.raises(rpc.OptionError) as e:
        signature.convert(['h1.example.test'], {'all': 'bad', 'nope': 1})
    assert e.value.message == 'Unknown option: nope'


def test_decimal_conversion():
    param = params.Param('loc_part_altitude', params.DECIMAL)
    assert param.convert(12) == '12'
    assert param.convert('1.50') == '1.50'
    with pytest.raises(rpc.ConversionError):
        param.convert('NaN')

"""The option contract on the wire: every command of ``API.txt`` accepts
every option of its signature, refuses every other name with OptionError
3005, and answers a call that carries all autofill options at their
defaults (as schema-generated clients send them) exactly as the same call
without them.
"""

import base64

from cryptography.hazmat.primitives import serialization
from cryptography import x509
import pytest

from tests.ipasim import contract
from tests.ipasim import params

H1 = 'h1.example.test'
H2 = 'h2.example.test'
ZONE = 'example.test'
HTTP_H1 = 'HTTP/h1.example.test@EXAMPLE.TEST'
SIGNATURES = contract.load()
# Values that differ between two otherwise identical runs.
VOLATILE_KEYS = ('ipauniqueid', 'krblastpwdchange')


def _host(sim, ipa):
    ipa.result('host_add', H1, force=True)


def _hosts(sim, ipa):
    ipa.result('host_add', H1, force=True)
    ipa.result('host_add', H2, force=True)


def _enrolled(sim, ipa):
    otp = ipa.result('host_add', H1, force=True,
                     random=True)['result']['randompassword']
    sim.admin.join(H1, otp)


def _service(sim, ipa):
    _hosts(sim, ipa)
    ipa.result('service_add', HTTP_H1, force=True)
    ipa.result('service_add_host', HTTP_H1, host=[H2])
    sim.admin.service_keytab(HTTP_H1)


def _record(sim, ipa):
    ipa.result('dnsrecord_add', ZONE, 'www', arecord=['192.0.2.10'])


def _nothing(sim, ipa):
    pass


# command -> (setup, args, options) of one call that succeeds.
CALLS = {
    'ping': (_nothing, [], {}),
    'session_logout': (_nothing, [], {}),
    'batch': (_host, [[{'method': 'host_show', 'params': [[H1], {}]}]], {}),
    'host_add': (_nothing, [H1], {'force': True, 'description': 'd'}),
    'host_mod': (_host, [H1], {'description': 'new'}),
    'host_show': (_host, [H1], {}),
    'host_find': (_hosts, [], {}),
    'host_del': (_host, [H1], {}),
    'host_disable': (_enrolled, [H1], {}),
    'host_add_managedby': (_hosts, [H1], {'host': [H2]}),
    'host_remove_managedby': (_hosts, [H1], {'host': [H1]}),
    'service_add': (_host, [HTTP_H1], {'force': True}),
    'service_mod': (_service, [HTTP_H1], {'ipakrbokasdelegate': True}),
    'service_show': (_service, [HTTP_H1], {}),
    'service_find': (_service, [], {}),
    'service_del': (_service, [HTTP_H1], {}),
    'service_disable': (_service, [HTTP_H1], {}),
    'service_add_host': (_service, [HTTP_H1], {'host': [H1]}),
    'service_remove_host': (_service, [HTTP_H1], {'host': [H2]}),
    'dnsrecord_add': (_nothing, [ZONE, 'www'], {'arecord': ['192.0.2.10']}),
    'dnsrecord_del': (_record, [ZONE, 'www'], {'del_all': True}),
    'dnsrecord_find': (_record, [ZONE], {}),
    'dnsrecord_show': (_record, [ZONE, 'www'], {}),
    'dnszone_show': (_nothing, [ZONE], {}),
    'server_find': (_nothing, [], {}),
}


def test_every_command_of_the_contract_has_a_call():
    assert set(CALLS) == set(SIGNATURES)


def _without_volatile(value):
    if isinstance(value, dict):
        return {k: _without_volatile(v) for k, v in value.items()
                if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [_without_volatile(v) for v in value]
    return value


def _run(sim, ipa, command, extra_options):
    sim.admin.reset()
    ipa.login()
    setup, args, options = CALLS[command]
    setup(sim, ipa)
    envelope = ipa.call(command, *args, **dict(extra_options, **options))
    assert envelope['error'] is None, envelope['error']
    return _without_volatile(envelope['result'])


@pytest.mark.parametrize('command', sorted(CALLS))
def test_autofill_defaults_change_nothing(sim, ipa, command):
    defaults = SIGNATURES[command].autofill_defaults()
    plain = _run(sim, ipa, command, {})
    autofilled = _run(sim, ipa, command, defaults)
    assert autofilled == plain


def _value_for(param, cert_der):
    kind_values = {params.FLAG: False, params.BOOL: False, params.INT: 1,
                   params.DECIMAL: '1.5', params.DICT: {},
                   params.CERT: {'__base64__': base64.b64encode(
                       cert_der).decode()}}
    value = kind_values.get(param.kind, 'x')
    if param.kind == params.ENUM:
        value = param.values[0]
    return [value] if param.multi else value


@pytest.fixture(scope='module')
def cert_der(sim):
    with open(sim.ca_file, 'rb') as f:
        cert = x509.load_pem_x509_certificate(f.read())
    return cert.public_bytes(serialization.Encoding.DER)


@pytest.mark.parametrize('command', sorted(CALLS))
def test_every_option_in_the_signature_is_accepted(sim, ipa, command,
                                                   cert_der):
    _, args, _ = CALLS[command]
    refused = []
    for name, param in sorted(SIGNATURES[command].options.items()):
        if command == 'session_logout':
            ipa.login()
        envelope = ipa.call(command, *args,
                            **{name: _value_for(param, cert_der)})
        error = envelope['error'] or {}
        # dnsrecord_add without a record is OptionError 3005 too, with
        # another message.
        if error.get('data') == {'option': name}:
            refused.append(name)
    assert refused == []


@pytest.mark.parametrize('command', sorted(CALLS))
def test_a_name_outside_the_signature_is_option_error(ipa, command):
    _, args, _ = CALLS[command]
    error = ipa.error(command, *args, bogus_option=True)
    assert error == {'code': 3005, 'name': 'OptionError',
                     'message': 'Unknown option: bogus_option',
                     'data': {'option': 'bogus_option'}}


def test_the_issues_failing_calls_now_succeed(sim, ipa):
    # The calls a schema-generated client made that the simulator used to
    # refuse (issue 10).
    ipa.result('host_add', H1, force=True, raw=False, all=False,
               no_members=False, random=False, no_reverse=False)
    ipa.result('host_show', H1, rights=False, all=False, raw=False,
               no_members=False)
    ipa.result('host_mod', H1, description='d', rights=False,
               updatedns=False)
    ipa.result('host_find', raw=False, pkey_only=False, no_members=True)
    ipa.result('service_add', HTTP_H1, raw=False, force=True,
               skip_host_check=False)
    ipa.result('dnsrecord_add', ZONE, 'www', arecord=['192.0.2.1'],
               a_extra_create_reverse=False, structured=False)
    ipa.result('dnsrecord_find', ZONE, structured=False)
    ipa.result('dnsrecord_del', ZONE, 'www', del_all=True,
               structured=False)

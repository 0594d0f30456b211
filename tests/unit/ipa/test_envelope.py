"""JSON-RPC requests as FreeIPA expects them, and envelopes mapped to
outputs and typed errors."""

import datetime

import pytest

from novajoin.ipa import client as ipa_client
from novajoin.ipa import errors as ipa_errors
from tests.unit.ipa import fakes


def test_request_is_json_rpc_with_args_options_and_version():
    fake = fakes.FakeIPA(rpc=lambda r: fakes.ok(value='vm1.example.test'))
    ipa = fakes.make_client(fake)

    out = ipa.host_add('vm1.example.test', force=True, random=True)

    assert out['value'] == 'vm1.example.test'
    request = fake.rpc_requests()[-1]
    assert request.url == 'https://ipa1.example.test/ipa/session/json'
    assert request.headers['Referer'] == 'https://ipa1.example.test/ipa'
    assert request.headers['Content-Type'] == 'application/json'
    assert request.verify == '/etc/test/ca.crt'
    assert request.body['method'] == 'host_add'
    assert request.body['params'] == [
        ['vm1.example.test'],
        {'force': True, 'random': True, 'version': '2.251'}]


def test_referer_names_the_port_when_not_443():
    fake = fakes.FakeIPA()
    ipa = fakes.make_client(fake, servers=[fakes.SERVER2])

    ipa.ping()

    for request in fake.requests:
        assert request.headers['Referer'] == (
            'https://ipa2.example.test:8443/ipa')
    assert fake.requests[-1].url == (
        'https://ipa2.example.test:8443/ipa/session/json')


@pytest.mark.parametrize('method,call,params', [
    ('ping', lambda c: c.ping(), [[], {}]),
    ('host_del', lambda c: c.host_del(['a.example.test', 'b.example.test'],
                                      updatedns=True),
     [[['a.example.test', 'b.example.test']], {'updatedns': True}]),
    ('host_find', lambda c: c.host_find(), [[], {}]),
    ('host_find', lambda c: c.host_find('vm', description='x'),
     [['vm'], {'description': 'x'}]),
    ('host_mod', lambda c: c.host_mod('vm.example.test', random=True),
     [['vm.example.test'], {'random': True}]),
    ('host_show', lambda c: c.host_show('vm.example.test', all=True),
     [['vm.example.test'], {'all': True}]),
    ('dnsrecord_add', lambda c: c.dnsrecord_add(
        'example.test', 'vm', arecord=['192.0.2.7']),
     [['example.test', 'vm'], {'arecord': ['192.0.2.7']}]),
    ('dnsrecord_del', lambda c: c.dnsrecord_del('example.test', 'vm',
                                                del_all=True),
     [['example.test', 'vm'], {'del_all': True}]),
    ('dnsrecord_find', lambda c: c.dnsrecord_find('example.test'),
     [['example.test'], {}]),
    ('dnsrecord_find', lambda c: c.dnsrecord_find('example.test', 'vm'),
     [['example.test', 'vm'], {}]),
    ('service_add', lambda c: c.service_add('HTTP/vm.example.test',
                                            force=True),
     [['HTTP/vm.example.test'], {'force': True}]),
    ('service_del', lambda c: c.service_del('HTTP/vm.example.test'),
     [['HTTP/vm.example.test'], {}]),
    ('service_show', lambda c: c.service_show('HTTP/vm.example.test'),
     [['HTTP/vm.example.test'], {}]),
    ('service_find', lambda c: c.service_find(None, pkey_only=True),
     [[], {'pkey_only': True}]),
    ('service_add_host', lambda c: c.service_add_host(
        'HTTP/vm.example.test', hosts=['vm.example.test']),
     [['HTTP/vm.example.test'], {'host': ['vm.example.test']}]),
])
def test_each_operation_is_one_round_trip_with_its_params(
        method, call, params):
    fake = fakes.FakeIPA()
    ipa = fakes.make_client(fake)

    call(ipa)

    [request] = fake.rpc_requests()
    assert request.body['method'] == method
    params[1]['version'] = '2.251'
    assert request.body['params'] == params


@pytest.mark.parametrize('code,name,cls,message,data', [
    (4001, 'NotFound', ipa_errors.NotFound,
     'vm1.example.test: host not found',
     {'reason': 'vm1.example.test: host not found'}),
    (4002, 'DuplicateEntry', ipa_errors.DuplicateEntry,
     'host with name "vm1.example.test" already exists', {}),
    (3009, 'ValidationError', ipa_errors.ValidationError,
     "invalid 'password': Password cannot be set on enrolled host.",
     {'name': 'password',
      'error': 'Password cannot be set on enrolled host.'}),
    (2100, 'ACIError', ipa_errors.ACIError,
     'Insufficient access: Insufficient write privilege',
     {'info': 'Insufficient write privilege'}),
    (4202, 'EmptyModlist', ipa_errors.EmptyModlist,
     'no modifications to be performed', {}),
    (4019, 'DNSNotARecordError', ipa_errors.DNSNotARecordError,
     "Host 'vm1.example.test' does not have corresponding DNS A/AAAA "
     "record", {'hostname': 'vm1.example.test'}),
    (901, 'VersionError', ipa_errors.VersionError,
     "3.0 client incompatible with 2.254 server at "
     "'https://ipa1.example.test/ipa/json'", {}),
    (911, 'RefererError', ipa_errors.RefererError,
     'Missing or invalid HTTP Referer, missing', {'referer': 'missing'}),
])
def test_envelope_error_maps_to_class_by_code_keeping_server_text(
        code, name, cls, message, data):
    fake = fakes.FakeIPA(rpc=lambda r: fakes.envelope(error={
        'code': code, 'name': name, 'message': message, 'data': data}))
    ipa = fakes.make_client(fake)

    with pytest.raises(cls) as caught:
        ipa.host_mod('vm1.example.test', random=True)

    assert caught.value.code == code
    assert caught.value.name == name
    assert caught.value.message == message
    assert caught.value.data == data
    assert len(fake.rpc_requests()) == 1, 'business errors are not retried'


def test_unknown_error_code_is_a_plain_command_error():
    fake = fakes.FakeIPA(rpc=lambda r: fakes.envelope(error={
        'code': 4999, 'name': 'NewError', 'message': 'new', 'data': {}}))

    with pytest.raises(ipa_errors.IPACommandError) as caught:
        fakes.make_client(fake).ping()

    assert type(caught.value) is ipa_errors.IPACommandError
    assert (caught.value.code, caught.value.name) == (4999, 'NewError')


@pytest.mark.parametrize('body', [
    ['not', 'an', 'envelope'],
    {'result': {'summary': 'x'}},
    {'result': None, 'error': None},
    {'result': None, 'error': 'boom'},
])
def test_malformed_envelope_is_a_protocol_error(body):
    fake = fakes.FakeIPA(rpc=lambda r: fakes.response(200, body))

    with pytest.raises(ipa_errors.IPAProtocolError):
        fakes.make_client(fake).ping()


def test_non_json_answer_is_a_protocol_error_quoting_the_body():
    fake = fakes.FakeIPA(rpc=lambda r: fakes.response(
        200, b'<html>maintenance</html>',
        headers={'Content-Type': 'text/html'}))

    with pytest.raises(ipa_errors.IPAProtocolError,
                       match='text/html.*maintenance'):
        fakes.make_client(fake).ping()


def test_referer_rejection_is_a_protocol_error_not_retried():
    fake = fakes.FakeIPA(rpc=lambda r: fakes.response(
        400, b'<html><body>Access denied</body></html>',
        headers={'Content-Type': 'text/html'}))

    with pytest.raises(ipa_errors.IPAProtocolError, match='HTTP 400'):
        fakes.make_client(fake).ping()
    assert len(fake.rpc_requests()) == 1


def test_batch_sends_subcalls_and_surfaces_errors_per_item():
    def rpc(request):
        return fakes.envelope({
            'count': 3,
            'results': [
                {'result': {'fqdn': ['a.example.test']}, 'value':
                 'a.example.test', 'summary': None, 'error': None},
                {'error': 'b.example.test: host not found',
                 'error_code': 4001, 'error_name': 'NotFound',
                 'error_kw': {'reason': 'b.example.test: host not found'}},
                {'result': {'failed': []}, 'value': ['c.example.test'],
                 'summary': 'Deleted host "c.example.test"', 'error': None},
            ]})
    fake = fakes.FakeIPA(rpc=rpc)
    ipa = fakes.make_client(fake)

    items = ipa.batch([('host_show', ['a.example.test'], {}),
                       ('host_show', ['b.example.test'], {'all': True}),
                       ('host_del', [['c.example.test']], None)])

    [request] = fake.rpc_requests()
    assert request.body['method'] == 'batch'
    assert request.body['params'] == [
        [[{'method': 'host_show', 'params': [['a.example.test'], {}]},
          {'method': 'host_show',
           'params': [['b.example.test'], {'all': True}]},
          {'method': 'host_del', 'params': [[['c.example.test']], {}]}]],
        {'version': '2.251'}]
    assert items[0].error is None
    assert items[0].result == {'result': {'fqdn': ['a.example.test']},
                               'value': 'a.example.test', 'summary': None}
    assert items[1].result is None
    assert isinstance(items[1].error, ipa_errors.NotFound)
    assert items[1].error.message == 'b.example.test: host not found'
    assert items[1].error.data == {
        'reason': 'b.example.test: host not found'}
    assert items[2].result['value'] == ['c.example.test']


def test_batch_with_wrong_number_of_results_is_a_protocol_error():
    fake = fakes.FakeIPA(rpc=lambda r: fakes.envelope(
        {'count': 1, 'results': [{'error': None, 'result': {}}]}))

    with pytest.raises(ipa_errors.IPAProtocolError, match='1 results'):
        fakes.make_client(fake).batch([('ping', [], {}), ('ping', [], {})])


def test_command_output_returns_messages_with_the_output():
    output = ipa_client.command_output('host_del', {
        'error': None, 'result': {
            'result': {'failed': []}, 'value': ['vm.example.test'],
            'summary': 'Deleted host "vm.example.test"',
            'messages': [{'type': 'warning', 'code': 13020,
                          'name': 'FailedToRemoveHostDNSRecords',
                          'message': 'x', 'data': {}}]}})

    assert output['messages'][0]['code'] == 13020


def test_wire_types_are_decoded_in_outputs():
    fake = fakes.FakeIPA(rpc=lambda r: fakes.ok(result={
        'idnsname': [{'__dns_name__': 'vm'}],
        'krblastpwdchange': [{'__datetime__': '20240131120000Z'}],
        'usercertificate': [{'__base64__': 'AAEC'}],
        'description': ['{"__dns_name__" is only text here}'],
    }))

    result = fakes.make_client(fake).host_show('vm.example.test')['result']

    assert result['idnsname'] == ['vm']
    assert result['krblastpwdchange'] == [datetime.datetime(
        2024, 1, 31, 12, 0, 0, tzinfo=datetime.timezone.utc)]
    assert result['usercertificate'] == [b'\x00\x01\x02']
    assert result['description'] == ['{"__dns_name__" is only text here}']


def test_malformed_wire_type_is_a_protocol_error():
    fake = fakes.FakeIPA(rpc=lambda r: fakes.ok(result={
        'krblastpwdchange': [{'__datetime__': 'yesterday'}]}))

    with pytest.raises(ipa_errors.IPAProtocolError, match='__datetime__'):
        fakes.make_client(fake).host_show('vm.example.test')

"""Reading and validating the TLS service keys of instance metadata."""

import json

import pytest

from novajoin.services import metadata

DOMAIN = 'example.test'
REALM = 'EXAMPLE.TEST'


def parse(items):
    return metadata.parse(items, DOMAIN, REALM)


def test_compact_service_keys_give_service_network_pairs():
    request = parse({
        'compact_service_HTTP': json.dumps(['internalapi', 'ctlplane']),
        'compact_service_rabbitmq': '["internalapi", "InternalAPI"]',
        'ipa_enroll': 'true'})
    assert request.compact == {('HTTP', 'internalapi'), ('HTTP', 'ctlplane'),
                               ('rabbitmq', 'internalapi')}
    assert request.refusals == []


def test_legacy_compact_services_object_is_read_without_new_keys():
    request = parse({'compact_services': json.dumps(
        {'http': ['storage'], 'mysql': ['internalapi']})})
    assert request.compact == {('http', 'storage'), ('mysql', 'internalapi')}


def test_new_keys_take_precedence_over_the_legacy_object_as_in_1_3_0():
    request = parse({'compact_services': '{"mysql": ["internalapi"]}',
                     'compact_service_http': '["storage"]'})
    assert request.compact == {('http', 'storage')}


@pytest.mark.parametrize('value,reason', [
    ('["internalapi"', 'is not valid JSON'),
    ('{"a": 1}', 'must be a JSON list'),
    ('[]', 'must be a JSON list'),
    ('[1]', 'must be strings'),
    ('["-bad"]', 'may not start or end with a hyphen'),
    ('["a.b"]', 'may only contain'),
    ('["' + 'a' * 64 + '"]', 'at most 63'),
    ('["caf\\u00e9"]', 'may only contain'),
])
def test_malformed_compact_value_is_refused_with_its_reason(value, reason):
    request = parse({'compact_service_http': value,
                     'compact_service_ldap': '["internalapi"]'})
    assert request.compact == {('ldap', 'internalapi')}
    (refusal,) = request.refusals
    assert refusal.key == 'compact_service_http'
    assert reason in refusal.reason
    assert request.compact_unreadable('http')
    assert not request.compact_unreadable('ldap')


@pytest.mark.parametrize('service', ['ht_tp', 'h/x', '', 'a' * 64, 'host',
                                     'HOST', 'h\u00e9'])
def test_bad_service_names_are_refused(service):
    request = parse({'compact_service_' + service: '["internalapi"]'})
    assert request.compact == set()
    assert len(request.refusals) == 1


def test_malformed_legacy_object_marks_every_compact_service_unreadable():
    request = parse({'compact_services': '["not", "an", "object"]'})
    assert request.refusals[0].key == 'compact_services'
    assert request.compact_unreadable('anything')


def test_refusal_quotes_only_a_bounded_part_of_the_value():
    request = parse({'managed_service_x': 'HTTP' + 'x' * 200})
    (refusal,) = request.refusals
    assert len(refusal.reason) < 120


@pytest.mark.parametrize('value,expected', [
    ('HTTP/overcloud.internalapi.example.test',
     ('HTTP', 'overcloud.internalapi.example.test')),
    ('HTTP/VIP.Example.Test.', ('HTTP', 'vip.example.test')),
    ('haproxy/vip.example.test@EXAMPLE.TEST', ('haproxy', 'vip.example.test')),
])
def test_managed_principals_are_normalised(value, expected):
    request = parse({'managed_service_a': value})
    assert request.managed == {metadata.Principal(*expected)}
    assert str(metadata.Principal(*expected)) == '%s/%s' % expected


@pytest.mark.parametrize('value,reason', [
    ('HTTP/www.other.test', 'not inside the domain'),
    ('HTTP/example.test', 'not inside the domain'),
    ('HTTP/vip.example.test.evil', 'not inside the domain'),
    ('HTTP/vip.example.test@OTHER.TEST', 'realm'),
    ('vip.example.test', 'not <service>/<host name>'),
    ('host/vip.example.test', 'host principal'),
    ('HTTP/vip_1.example.test', 'may only contain'),
    ('HTTP/vip..example.test', 'empty DNS label'),
])
def test_managed_principals_outside_our_reach_are_refused(value, reason):
    request = parse({'managed_service_a': value})
    assert request.managed == set()
    assert reason in request.refusals[0].reason
    assert request.managed_unreadable


def test_request_without_service_keys_is_empty():
    assert not parse({'ipa_enroll': 'true', 'other': 'x'})

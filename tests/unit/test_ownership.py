import json

import pytest

from novajoin import ownership

INSTANCE = '178b0921-8f85-4257-88b6-2e743b5a975c'


def test_description_written_by_novajoin_1_3_0_is_recognised():
    legacy = json.dumps({'novajoin_metadata': {'nova_instance_id': INSTANCE}})
    record = ownership.parse_description([legacy])
    assert record.instance_id == INSTANCE
    assert record.otp_nonce is None


def test_round_trip_keeps_instance_and_nonce():
    text = ownership.build_description(INSTANCE, otp_nonce='n0nce')
    document = json.loads(text)
    assert document['novajoin_metadata']['nova_instance_id'] == INSTANCE
    assert ownership.parse_description(text) == ownership.OwnerRecord(
        INSTANCE, 'n0nce')


def test_extra_keys_are_allowed():
    text = json.dumps({'novajoin_metadata': {'nova_instance_id': INSTANCE,
                                             'something': 'else'},
                       'other': 1})
    assert ownership.parse_description(text).instance_id == INSTANCE


@pytest.mark.parametrize('description', [
    None,
    '',
    'IPA master',
    ['a', 'b'],
    '[]',
    '"novajoin_metadata"',
    json.dumps({'novajoin_metadata': 'x'}),
    json.dumps({'novajoin_metadata': {}}),
    json.dumps({'novajoin_metadata': {'nova_instance_id': ''}}),
    json.dumps({'novajoin_metadata': {'nova_instance_id': 42}}),
    json.dumps({'something_else': {'nova_instance_id': INSTANCE}}),
])
def test_entries_not_made_by_novajoin_have_no_owner(description):
    assert ownership.parse_description(description) is None


def test_owner_of_and_is_owned_by_read_ipa_entries():
    entry = {'fqdn': ['a.example.test'],
             'description': [ownership.build_description(INSTANCE)]}
    assert ownership.owner_of(entry).instance_id == INSTANCE
    assert ownership.is_owned_by(entry, INSTANCE)
    assert not ownership.is_owned_by(entry, 'another-instance')
    assert not ownership.is_owned_by({'fqdn': ['b.example.test']}, INSTANCE)


def test_repr_does_not_show_the_nonce():
    assert 'n0nce' not in repr(ownership.OwnerRecord(INSTANCE, 'n0nce'))

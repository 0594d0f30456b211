import datetime
import json

import pytest

from novajoin.hosts import ownership

INSTANCE = '178b0921-8f85-4257-88b6-2e743b5a975c'


def test_description_written_by_novajoin_1_3_0_is_recognised():
    legacy = json.dumps({'novajoin_metadata': {'nova_instance_id': INSTANCE}})
    record = ownership.parse_description([legacy])
    assert record.instance_id == INSTANCE
    assert record.otp_nonce is None


CREATED = datetime.datetime(2026, 11, 28, 22, 5, 7,
                            tzinfo=datetime.timezone.utc)


def test_round_trip_keeps_instance_nonce_and_creation_time():
    text = ownership.build_description(INSTANCE, otp_nonce='n0nce',
                                       created=CREATED)
    document = json.loads(text)
    assert document['novajoin_metadata'] == {
        'nova_instance_id': INSTANCE, 'otp_nonce': 'n0nce',
        'created': '2026-11-28T22:05:07Z'}
    assert ownership.parse_description(text) == ownership.OwnerRecord(
        INSTANCE, 'n0nce', created=CREATED)


def test_creation_time_defaults_to_now():
    before = ownership.utcnow()
    record = ownership.parse_description(
        ownership.build_description(INSTANCE))
    assert before <= record.created <= ownership.utcnow()


@pytest.mark.parametrize('created', [None, 'yesterday', 1700000000,
                                     '2026-11-28 22:05:07'])
def test_unreadable_creation_time_is_unknown(created):
    text = json.dumps({'novajoin_metadata': {'nova_instance_id': INSTANCE,
                                             'created': created}})
    assert ownership.parse_description(text).created is None


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

"""The answer for a host entry in each state, without IPA."""

import pytest

from novajoin import exception
from novajoin.hosts import enrollment_attempt
from novajoin.hosts import enrollment_decision as decisions
from novajoin.hosts import ownership
from tests.unit.hosts import conftest
from tests.unit.hosts import fakes

FQDN = 'web1.example.test'
NONCE = 'n0nce'


def entry(instance_id=conftest.INSTANCE, nonce=NONCE, has_password=False,
          has_keytab=False):
    return {'description': [ownership.build_description(instance_id,
                                                        nonce)],
            'has_password': has_password, 'has_keytab': has_keytab}


@pytest.mark.parametrize('found,expected', [
    (entry(has_password=True), (decisions.REPEAT, NONCE)),
    (entry(has_keytab=True), (decisions.ENROLLED, None)),
    (entry(), (decisions.DISABLED, None)),
])
def test_decision_for_an_entry_of_the_instance(found, expected):
    assert decisions.for_existing_entry(found, conftest.INSTANCE,
                                        FQDN) == expected


def test_password_without_our_nonce_is_unknown():
    with pytest.raises(exception.HostPasswordUnknown):
        decisions.for_existing_entry(entry(nonce=None, has_password=True),
                                     conftest.INSTANCE, FQDN)


def test_entry_of_another_instance_is_refused():
    with pytest.raises(exception.HostOwnedByOther):
        decisions.for_existing_entry(
            entry(instance_id=conftest.OTHER_INSTANCE, has_password=True),
            conftest.INSTANCE, FQDN)


def test_answer_has_the_otp_only_when_there_is_one():
    attempt = enrollment_attempt.Attempt(conftest.INSTANCE, 10.0,
                                         fakes.FakeClock(), 0.25, 5)
    attempt.fqdn = FQDN
    attempt.ipa_calls = 1
    result = decisions.answer(decisions.ENROLLED, attempt, 'EXAMPLE.TEST')
    assert result.body == {'hostname': FQDN, 'krb_realm': 'EXAMPLE.TEST'}
    assert (result.fqdn, result.ipa_calls) == (FQDN, 1)
    attempt.otp = 'secret'
    result = decisions.answer(decisions.REPEAT, attempt, 'EXAMPLE.TEST')
    assert result.body['ipaotp'] == 'secret'
    assert 'secret' not in repr(result)

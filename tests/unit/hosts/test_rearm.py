"""Re-arming: the one owner-checked path that gives an existing entry an
OTP again, with a nonce no earlier answer held."""

import copy

from pymemcache.test import utils as memcache_utils
import pytest

from novajoin import exception
from novajoin.hosts import enrollment
from novajoin.hosts import nonce_cache
from novajoin.hosts import ownership
from novajoin.hosts import rearm
from novajoin.hosts import reserved_names
from novajoin.ipa import errors as ipa_errors
from tests.unit.hosts import conftest

FQDN = 'web1.example.test'


@pytest.fixture
def nonces(clock, otp_key):
    return nonce_cache.NonceCache(memcache_utils.MockMemcacheClient(), 10,
                                  otp_key, clock=clock)


@pytest.fixture
def cached_enroller(make_enroller, nonces):
    return make_enroller(names=reserved_names.ReservedNames((), ()),
                         nonces=nonces)


def rebuild(ipa, otp_key, nonces, instance_id=conftest.INSTANCE):
    """What the listener does on a rebuild of an enrolled instance."""
    try:
        ipa.host_disable(FQDN)
    except ipa_errors.AlreadyInactive:
        pass
    return rearm.rearm_host(ipa, otp_key, nonces, instance_id, FQDN)


def test_rebuild_gives_a_fresh_otp_the_old_one_never_works_again(
        cached_enroller, enroll, ipa, otp_key, nonces):
    first = enroll(enroller=cached_enroller)
    ipa.enroll_with(FQDN, first.body['ipaotp'])
    assert rebuild(ipa, otp_key, nonces) == rearm.REARMED
    # The cache holds the new nonce at once: no stale answer, no IPA call.
    del ipa.calls[:]
    after = enroll(enroller=cached_enroller)
    assert ipa.calls == []
    assert after.decision == enrollment.REPEAT
    assert after.body['ipaotp'] != first.body['ipaotp']
    assert not ipa.accepts_otp(FQDN, first.body['ipaotp'])
    ipa.enroll_with(FQDN, after.body['ipaotp'])
    # A second rebuild: again a value never answered before.
    assert rebuild(ipa, otp_key, nonces) == rearm.REARMED
    third = enroll(enroller=cached_enroller)
    assert third.body['ipaotp'] not in (first.body['ipaotp'],
                                        after.body['ipaotp'])


def test_rebuild_of_a_never_enrolled_host_keeps_its_otp(
        cached_enroller, enroll, ipa, otp_key, nonces):
    first = enroll(enroller=cached_enroller)
    assert rebuild(ipa, otp_key, nonces) == rearm.KEPT
    assert [call[0] for call in ipa.writes()] == ['batch:host_add']
    assert enroll(enroller=cached_enroller).body == first.body


def test_rearm_without_a_cache_is_read_from_ipa(make_enroller, enroll, ipa,
                                                otp_key):
    first = enroll()
    ipa.enroll_with(FQDN, first.body['ipaotp'])
    rebuild(ipa, otp_key, nonce_cache.NoNonceCache())
    after = enroll()
    assert after.decision == enrollment.REPEAT
    ipa.enroll_with(FQDN, after.body['ipaotp'])


def test_rearm_replaces_a_password_novajoin_1_3_0_set(enroll, ipa, otp_key,
                                                      nonces):
    legacy = ownership.build_description(conftest.INSTANCE)
    ipa.add_existing(FQDN, description=legacy, userpassword='otp-of-1.3.0')
    assert rebuild(ipa, otp_key, nonces) == rearm.REARMED
    assert not ipa.accepts_otp(FQDN, 'otp-of-1.3.0')
    assert enroll().decision == enrollment.REPEAT


@pytest.mark.parametrize('description', [
    ownership.build_description(conftest.OTHER_INSTANCE, 'theirs'),
    'IPA master', None])
def test_rearm_of_a_host_not_owned_writes_nothing(ipa, otp_key, nonces,
                                                  description):
    ipa.add_existing(FQDN, description=description, enrolled=True)
    ipa.host_disable(FQDN)
    before = copy.deepcopy(ipa.hosts)
    with pytest.raises(exception.HostOwnedByOther):
        rearm.rearm_host(ipa, otp_key, nonces, conftest.INSTANCE, FQDN)
    assert ipa.hosts == before


def test_rearm_of_an_enrolled_host_is_refused(enroll, ipa, otp_key, nonces):
    first = enroll()
    ipa.enroll_with(FQDN, first.body['ipaotp'])
    del ipa.calls[:]
    with pytest.raises(exception.HostStillEnrolled):
        rearm.rearm_host(ipa, otp_key, nonces, conftest.INSTANCE, FQDN)
    assert ipa.writes() == []


def test_rearm_of_a_missing_host_is_not_found(ipa, otp_key, nonces):
    with pytest.raises(ipa_errors.NotFound):
        rearm.rearm_host(ipa, otp_key, nonces, conftest.INSTANCE, FQDN)


def test_forget_host_drops_the_cached_nonce(cached_enroller, enroll, ipa,
                                            nonces):
    enroll(enroller=cached_enroller)
    # The listener deletes the host, then forgets it.
    del ipa.hosts[FQDN]
    assert rearm.forget_host(nonces, conftest.INSTANCE, FQDN)
    again = enroll(enroller=cached_enroller)
    assert again.decision == enrollment.CREATED
    ipa.enroll_with(FQDN, again.body['ipaotp'])


def test_cleared_unused_otp_is_no_longer_answered_once_forgotten(
        cached_enroller, enroll, ipa, nonces):
    first = enroll(enroller=cached_enroller)
    # Expiry of an unenrolled host: its OTP is cleared, then forgotten.
    ipa.hosts[FQDN]['userpassword'] = None
    rearm.forget_host(nonces, conftest.INSTANCE, FQDN)
    result = enroll(enroller=cached_enroller)
    assert result.decision == enrollment.DISABLED
    assert 'ipaotp' not in result.body
    assert not ipa.accepts_otp(FQDN, first.body['ipaotp'])


def test_batch_rearm_with_shared_nonce_answers_the_new_otp_at_once(
        cached_enroller, enroll, ipa, otp_key, nonces):
    first = enroll(enroller=cached_enroller)
    ipa.enroll_with(FQDN, first.body['ipaotp'])
    arming = rearm.arming_for(otp_key, conftest.INSTANCE, FQDN)
    # The listener's own batch: disable, then the new owner record and OTP.
    ipa.host_disable(FQDN)
    ipa.host_mod(FQDN, **arming.host_mod_options)
    assert rearm.share_nonce(nonces, conftest.INSTANCE, FQDN, arming.nonce)
    del ipa.calls[:]
    after = enroll(enroller=cached_enroller)
    assert ipa.calls == []
    assert after.body['ipaotp'] == arming.host_mod_options['userpassword']
    assert description_nonce(ipa) == arming.nonce
    ipa.enroll_with(FQDN, after.body['ipaotp'])


def test_every_arming_is_new(otp_key):
    armings = [rearm.arming_for(otp_key, conftest.INSTANCE, FQDN)
               for _ in range(50)]
    assert len({a.nonce for a in armings}) == 50
    assert len({a.host_mod_options['userpassword'] for a in armings}) == 50


def description_nonce(ipa):
    return ownership.parse_description(ipa.hosts[FQDN]['description']
                                       ).otp_nonce


def test_rearm_logs_its_decision_but_never_the_otp(cached_enroller, enroll,
                                                   ipa, otp_key, nonces,
                                                   caplog):
    caplog.set_level('DEBUG')
    first = enroll(enroller=cached_enroller)
    ipa.enroll_with(FQDN, first.body['ipaotp'])
    rebuild(ipa, otp_key, nonces)
    after = enroll(enroller=cached_enroller)
    assert 'decision=rearmed' in caplog.text
    assert after.body['ipaotp'] not in caplog.text
    assert first.body['ipaotp'] not in caplog.text

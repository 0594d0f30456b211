"""Logins a worker does once it serves (novajoin.api.warm_up)."""

import logging

from keystoneauth1 import exceptions as ksa_exceptions

from novajoin.api import warm_up
from novajoin.ipa import errors as ipa_errors


def _run(logins):
    for thread in logins.start():
        thread.join(10)
        assert not thread.is_alive()


def test_every_step_runs_and_is_logged_with_its_duration(caplog):
    done = []
    logins = warm_up.WarmUp()
    logins.add('IPA login to ipa1', lambda: done.append('ipa1'))
    logins.add('Keystone login', lambda: done.append('keystone'))

    with caplog.at_level(logging.INFO, logger='novajoin.api.warm_up'):
        _run(logins)

    assert sorted(done) == ['ipa1', 'keystone']
    assert logins.names == ['IPA login to ipa1', 'Keystone login']
    assert sorted(r.getMessage().split(' done')[0] for r in caplog.records
                  ) == ['IPA login to ipa1', 'Keystone login']


def test_an_outage_is_a_warning_and_the_other_steps_still_run(caplog):
    done = []

    def ipa_down():
        raise ipa_errors.IPAUnavailable('no answer from IPA')

    def keystone_down():
        raise ksa_exceptions.ConnectFailure('Keystone refused the connection')

    logins = warm_up.WarmUp()
    logins.add('IPA login to ipa1', ipa_down)
    logins.add('Keystone login', keystone_down)
    logins.add('IPA login to ipa2', lambda: done.append('ipa2'))

    with caplog.at_level(logging.INFO, logger='novajoin.api.warm_up'):
        _run(logins)

    assert done == ['ipa2']
    warnings = sorted(r.getMessage() for r in caplog.records
                      if r.levelno == logging.WARNING)
    assert len(warnings) == 2
    assert warnings[0].startswith('IPA login to ipa1 failed at start')
    assert 'no answer from IPA' in warnings[0]
    assert warnings[1].startswith('Keystone login failed at start')


def test_a_bug_in_a_step_is_logged_with_its_traceback(caplog):
    def broken():
        raise KeyError('catalog')

    logins = warm_up.WarmUp()
    logins.add('Keystone login', broken)

    with caplog.at_level(logging.INFO, logger='novajoin.api.warm_up'):
        _run(logins)

    [record] = caplog.records
    assert record.levelno == logging.ERROR
    assert record.exc_info[0] is KeyError


def test_nothing_runs_before_start():
    done = []
    logins = warm_up.WarmUp()
    logins.add('IPA login to ipa1', lambda: done.append('ipa1'))

    assert done == []
    _run(logins)
    assert done == ['ipa1']

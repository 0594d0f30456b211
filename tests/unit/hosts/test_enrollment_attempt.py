"""One request's time budget, and what its errors carry."""

import pytest

from novajoin import exception
from novajoin.hosts import enrollment_attempt
from tests.unit.hosts import conftest
from tests.unit.hosts import fakes


def make_attempt(clock, budget=5.0):
    return enrollment_attempt.Attempt(conftest.INSTANCE, clock() + budget,
                                      clock, min_call_time=0.25,
                                      retry_after=5)


def test_time_left_until_too_little_is():
    clock = fakes.FakeClock()
    attempt = make_attempt(clock)
    assert attempt.time_left() == 5.0
    clock.advance(4.8)
    with pytest.raises(exception.EnrollmentUnavailable) as caught:
        attempt.time_left()
    assert caught.value.retry_after == 5


def test_annotated_keeps_an_fqdn_the_error_has():
    attempt = make_attempt(fakes.FakeClock())
    attempt.fqdn = 'web1.example.test'
    attempt.ipa_calls = 2
    error = attempt.annotated(attempt.unavailable('IPA is unavailable'))
    assert (error.fqdn, error.ipa_calls) == ('web1.example.test', 2)
    other = exception.EnrollmentUnavailable('x', 5)
    other.fqdn = 'other.example.test'
    assert attempt.annotated(other).fqdn == 'other.example.test'


def test_scrub_hides_the_otp():
    attempt = make_attempt(fakes.FakeClock())
    assert attempt.scrub('password abc') == 'password abc'
    attempt.otp = 'abc'
    assert attempt.scrub('password abc') == 'password <otp>'

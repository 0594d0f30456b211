"""One vendordata request being served: its time budget and what it did.

Every outbound call of an enrollment (Glance, Keystone, IPA) asks the
:class:`Attempt` for the time left before the request's deadline, so that
nova gets an answer in time: when too little is left, the request fails at
once with :class:`novajoin.exception.EnrollmentUnavailable` (nothing is
retried on the request path). The attempt also keeps what an error raised
for the request must carry (the FQDN, once known, and the IPA round trips
made) and the OTP, so that no log line or error message repeats it.
"""

from novajoin import exception


class Attempt(object):
    """State of one ``Enroller.enroll()`` call, for errors and log lines."""

    def __init__(self, instance_id, deadline, clock, min_call_time,
                 retry_after):
        self.instance_id = instance_id
        self.deadline = deadline
        self.fqdn = None
        self.ipa_calls = 0
        self.otp = None
        self._clock = clock
        self._min_call_time = min_call_time
        self._retry_after = retry_after

    def __repr__(self):
        return 'Attempt(instance_id=%r, fqdn=%r)' % (self.instance_id,
                                                     self.fqdn)

    def scrub(self, text):
        """``text`` without the OTP, should a dependency have echoed it."""
        if self.otp:
            return text.replace(self.otp, '<otp>')
        return text

    def time_left(self):
        """Seconds left for the next call, if enough are."""
        left = self.deadline - self._clock()
        if left < self._min_call_time:
            raise self.unavailable(
                'not enough time left to answer before the deadline')
        return left

    def unavailable(self, message):
        return exception.EnrollmentUnavailable(message, self._retry_after)

    def annotated(self, error):
        """``error``, carrying this attempt's FQDN and IPA round trips."""
        if error.fqdn is None:
            error.fqdn = self.fqdn
        error.ipa_calls = self.ipa_calls
        return error

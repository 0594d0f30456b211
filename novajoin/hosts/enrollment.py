"""Enrollment of one booting instance in IPA, for a vendordata request.

:class:`Enroller` decides whether enrollment is requested (instance metadata
``ipa_enroll``, else the Glance image's ``ipa_enroll`` property), computes
the FQDN, checks the requested host class, and makes sure IPA has a host
entry owned by the instance with an OTP every request of that boot agrees
on (see :mod:`novajoin.hosts.otp` for why the OTP is derived, not stored).

It orchestrates modules with one job each:

- :mod:`novajoin.hosts.enrollment_request`: what the request asks for,
  read from its metadata, Glance and Keystone before IPA is called;
- :mod:`novajoin.hosts.enrollment_decision`: what to answer for the entry
  found (``EnrollmentResult.decision``: ``not-requested``, ``created``,
  ``repeat``, ``enrolled``, ``disabled``);
- :mod:`novajoin.hosts.enrollment_ipa`: the IPA calls that read or add the
  entry;
- :mod:`novajoin.hosts.enrollment_attempt`: the request's time budget, and
  what its errors carry.

A ``repeat`` (the entry exists, is this instance's and its OTP is unused)
answers the same OTP as before, from the shared nonce cache
(:mod:`novajoin.hosts.nonce_cache`) without any IPA call when it has it.
``enrolled`` and ``disabled`` answer hostname and realm only; only an
owner-checked re-arm gives a disabled entry an OTP again
(:mod:`novajoin.hosts.rearm`).

A vendordata request sets a password only on an entry it has just created:
an entry that is not novajoin's, or is another instance's, or holds a
password novajoin cannot derive, is never modified
(:class:`novajoin.exception.HostOwnedByOther`,
:class:`novajoin.exception.HostPasswordUnknown`), and names that must never
be handed out are refused before any OTP is answered
(:mod:`novajoin.hosts.reserved_names`; an entry added in the same batch as
the checks that refuse it is deleted again).

IPA round trips: a repeat found in the nonce cache makes none. Otherwise
one ``batch`` carrying the name checks, the instance's other hosts and the
``host_add`` (:mod:`novajoin.hosts.enrollment_ipa`); it adds a new host
and finds an existing one alike. Only two rare paths cost one more: a
name the checks refuse after the add (the entry is deleted again, no OTP
leaves) and an entry another request added while the batch ran. Every
outbound call gets the time left before ``deadline``; when too little is
left, or a service cannot be reached,
:class:`novajoin.exception.EnrollmentUnavailable` is raised at once:
nothing is retried on the request path.
"""

import time

from oslo_log import log as logging

from novajoin.conf import enrollment as enrollment_conf
from novajoin import exception
from novajoin.hosts import enrollment_attempt
from novajoin.hosts import enrollment_decision as decisions
from novajoin.hosts import enrollment_ipa
from novajoin.hosts import enrollment_request
from novajoin.hosts import hostname
from novajoin.hosts import nonce_cache
from novajoin.hosts import otp
from novajoin.hosts import reserved_names
from novajoin.ipa import errors as ipa_errors
from novajoin.openstack import images
from novajoin.openstack import projects

LOG = logging.getLogger(__name__)

# Where callers have always found them.
NOT_REQUESTED = decisions.NOT_REQUESTED
CREATED = decisions.CREATED
REPEAT = decisions.REPEAT
ENROLLED = decisions.ENROLLED
DISABLED = decisions.DISABLED
EnrollmentResult = decisions.EnrollmentResult
VendordataRequest = enrollment_request.VendordataRequest

# IPA failures that say nothing about this host: IPA could not be used.
_IPA_UNUSABLE = (ipa_errors.IPAUnavailable, ipa_errors.IPATLSError,
                 ipa_errors.IPAAuthenticationError,
                 ipa_errors.IPAProtocolError)


class Enroller(object):
    """Serves vendordata requests; one per worker process, thread-safe."""

    def __init__(self, ipa, otp_key, image_properties, project_names,
                 allowed_classes=None, domain=None, project_subdomain=False,
                 project_names_domain_id='default',
                 max_hostname_length=hostname.MAX_NAME_OCTETS,
                 min_call_time=0.25, retry_after=5, names=None, nonces=None,
                 clock=time.monotonic):
        self._ipa = ipa
        self._names = names or reserved_names.ReservedNames((), ())
        self._nonces = nonces or nonce_cache.NoNonceCache()
        self._otp_key = otp_key
        self._domain = domain
        self._min_call_time = min_call_time
        self._retry_after = retry_after
        self._clock = clock
        self._requests = enrollment_request.RequestReader(
            ipa, image_properties, project_names, allowed_classes, domain,
            project_subdomain, project_names_domain_id, max_hostname_length)
        self._hosts = enrollment_ipa.HostEntryCalls(ipa, self._names)

    @classmethod
    def from_conf(cls, conf, ipa, session):
        """Build from configuration; call once per process, at start.

        Registers ``allowed_classes`` in the project sections of the
        configuration files and loads the OTP key.

        :raises novajoin.exception.ConfigurationError: e.g. a bad key file.
        """
        project_sections = enrollment_conf.register_project_opts(conf)
        otp_key = otp.OTPKey.from_file(conf.enrollment.otp_key_file)
        return cls(
            ipa=ipa,
            otp_key=otp_key,
            image_properties=images.ImageProperties.from_conf(conf, session),
            project_names=projects.ProjectNames.from_conf(conf, session),
            allowed_classes=enrollment_conf.allowed_classes_by_project(
                conf, project_sections),
            domain=conf.domain,
            project_subdomain=conf.project_subdomain,
            project_names_domain_id=conf.project_names_domain_id,
            max_hostname_length=conf.ipa.max_hostname_length,
            min_call_time=conf.enrollment.min_call_time,
            retry_after=conf.enrollment.retry_after,
            names=reserved_names.ReservedNames.from_conf(conf),
            nonces=nonce_cache.NonceCache.from_conf(conf, otp_key))

    def enroll(self, request, deadline):
        """Serve ``request``, answering by ``deadline`` (time.monotonic()).

        :returns: :class:`EnrollmentResult`
        :raises novajoin.exception.NovajoinError: a subclass; it carries the
            fqdn (when known) and the IPA round trips made.
        """
        attempt = enrollment_attempt.Attempt(
            request.instance_id, deadline, self._clock, self._min_call_time,
            self._retry_after)
        try:
            return self._enroll(request, attempt)
        except exception.NovajoinError as error:
            attempt.annotated(error)
            raise
        except _IPA_UNUSABLE as exc:
            LOG.error('IPA could not be used for instance=%s fqdn=%s: %s: '
                      '%s', attempt.instance_id, attempt.fqdn,
                      type(exc).__name__, attempt.scrub(str(exc)))
            raise attempt.annotated(
                attempt.unavailable('IPA is unavailable')) from None
        except ipa_errors.IPACommandError as exc:
            LOG.error('IPA refused a command for instance=%s fqdn=%s: %s',
                      attempt.instance_id, attempt.fqdn,
                      attempt.scrub(str(exc)))
            raise attempt.annotated(attempt.unavailable(
                'IPA could not complete the enrollment')) from None

    def _enroll(self, request, attempt):
        host = self._requests.read(request, attempt)
        if host is None:
            return EnrollmentResult(NOT_REQUESTED, {})
        attempt.fqdn = host.fqdn
        return self._ensure_host(attempt, host.attributes)

    def _ensure_host(self, attempt, attributes):
        domain = self._domain or self._ipa.domain
        self._names.refuse_known(attempt.fqdn, domain)
        cached = self._nonces.lookup(attempt.instance_id, attempt.fqdn)
        if cached.nonce:
            return self._answer_unused_otp(attempt, cached.nonce)
        # One batch: the name checks, the instance's other hosts and the
        # add; an existing entry makes the add fail and is answered.
        nonce = otp.new_nonce()
        attempt.otp = self._otp_key.derive_otp(attempt.instance_id,
                                               attempt.fqdn, nonce)
        creation = self._hosts.create_with_checks(
            attempt, self._names.reads(attempt.fqdn, domain), nonce,
            attributes)
        if creation.created:
            self._nonces.remember(attempt.instance_id, attempt.fqdn, nonce)
            return decisions.answer(CREATED, attempt, self._ipa.realm)
        # Ours was never written.
        attempt.otp = None
        entry = creation.entry
        if entry is None:
            # A concurrent request (any worker or replica) added it while
            # the batch ran: answer with its OTP, if it has an unused one.
            entry = self._hosts.show(attempt)
            if entry is None:
                raise attempt.unavailable(
                    '%s was deleted while it was being enrolled'
                    % attempt.fqdn)
        return self._answer_existing(attempt, entry)

    def _answer_existing(self, attempt, entry):
        decision, nonce = decisions.for_existing_entry(
            entry, attempt.instance_id, attempt.fqdn)
        if decision != REPEAT:
            return decisions.answer(decision, attempt, self._ipa.realm)
        self._nonces.remember(attempt.instance_id, attempt.fqdn, nonce,
                              replace=False)
        return self._answer_unused_otp(attempt, nonce)

    def _answer_unused_otp(self, attempt, nonce):
        attempt.otp = self._otp_key.derive_otp(attempt.instance_id,
                                               attempt.fqdn, nonce)
        return decisions.answer(REPEAT, attempt, self._ipa.realm)

"""Enrollment of one booting instance in IPA, for a vendordata request.

:class:`Enroller` decides whether enrollment is requested (instance metadata
``ipa_enroll``, else the Glance image's ``ipa_enroll`` property), computes
the FQDN, checks the requested host class, and makes sure IPA has a host
entry owned by the instance with an OTP every request of that boot agrees
on (see :mod:`novajoin.hosts.otp` for why the OTP is derived, not stored).

Decisions (``EnrollmentResult.decision``):

- ``not-requested``: ``{}``, no IPA call;
- ``created``: the entry was added, with a fresh nonce and its OTP;
- ``repeat``: the entry exists, is this instance's and its OTP is unused:
  the same OTP as before, nothing written (from the shared nonce cache,
  :mod:`novajoin.hosts.nonce_cache`, without any IPA call when it has it);
- ``enrolled``: the instance has enrolled (the entry has a keytab): hostname
  and realm only, nothing written;
- ``disabled``: the entry has neither keytab nor password (enrolled once,
  then disabled): hostname and realm only, nothing written. Only an
  owner-checked re-arm gives it an OTP again (:mod:`novajoin.hosts.rearm`).

A vendordata request sets a password only on an entry it has just created:
an entry that is not novajoin's, or is another instance's, or holds a
password novajoin cannot derive, is never modified
(:class:`novajoin.exception.HostOwnedByOther`,
:class:`novajoin.exception.HostPasswordUnknown`), and names that must never
be handed out are refused before any write
(:mod:`novajoin.hosts.reserved_names`).

IPA round trips: a repeat found in the nonce cache makes none. Otherwise
one read (a ``batch`` of ``host_show`` and the name checks) and, for a new
host, one ``host_add``. With ``check_dns_records`` off and a working cache
a miss is taken for a new host and adds first (one write; a duplicate
falls back to ``host_show``). Every outbound
call gets the time left before ``deadline``; when too little is left, or a
service cannot be reached, :class:`novajoin.exception.EnrollmentUnavailable`
is raised at once: nothing is retried on the request path.
"""

import fnmatch
import time

from oslo_log import log as logging

from novajoin.conf import enrollment as enrollment_conf
from novajoin import exception
from novajoin.hosts import host_entry
from novajoin.hosts import hostname
from novajoin.hosts import nonce_cache
from novajoin.hosts import otp
from novajoin.hosts import ownership
from novajoin.hosts import reserved_names
from novajoin.ipa import errors as ipa_errors
from novajoin.openstack import http
from novajoin.openstack import images
from novajoin.openstack import projects

LOG = logging.getLogger(__name__)

NOT_REQUESTED = 'not-requested'
CREATED = 'created'
REPEAT = 'repeat'
ENROLLED = 'enrolled'
DISABLED = 'disabled'

# IPA failures that say nothing about this host: IPA could not be used.
_IPA_UNUSABLE = (ipa_errors.IPAUnavailable, ipa_errors.IPATLSError,
                 ipa_errors.IPAAuthenticationError,
                 ipa_errors.IPAProtocolError)


class VendordataRequest(object):
    """What nova sent, after the API validated the body's shape."""

    def __init__(self, project_id, instance_id, image_id, hostname,
                 metadata=None, boot_roles=None):
        self.project_id = project_id
        self.instance_id = instance_id
        self.image_id = image_id
        self.hostname = hostname
        self.metadata = metadata or {}
        self.boot_roles = list(boot_roles or [])

    def __repr__(self):
        return ('VendordataRequest(instance_id=%r, project_id=%r, '
                'hostname=%r)' % (self.instance_id, self.project_id,
                                  self.hostname))


class EnrollmentResult(object):
    """The decision, and the body to answer nova with."""

    def __init__(self, decision, body, fqdn=None, ipa_calls=0):
        self.decision = decision
        self.body = body
        self.fqdn = fqdn
        self.ipa_calls = ipa_calls

    def __repr__(self):
        # The body may hold the OTP.
        return ('EnrollmentResult(decision=%r, fqdn=%r, ipa_calls=%r)'
                % (self.decision, self.fqdn, self.ipa_calls))


class _Attempt(object):
    """State of one enroll() call, for errors and log lines."""

    def __init__(self, instance_id, deadline):
        self.instance_id = instance_id
        self.deadline = deadline
        self.fqdn = None
        self.ipa_calls = 0
        self.otp = None

    def __repr__(self):
        return '_Attempt(instance_id=%r, fqdn=%r)' % (self.instance_id,
                                                      self.fqdn)

    def scrub(self, text):
        """``text`` without the OTP, should a dependency have echoed it."""
        if self.otp:
            return text.replace(self.otp, '<otp>')
        return text


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
        self._images = image_properties
        self._projects = project_names
        self._allowed_classes = dict(allowed_classes or {})
        self._domain = domain
        self._project_subdomain = project_subdomain
        self._project_names_domain_id = project_names_domain_id
        self._max_hostname_length = max_hostname_length
        self._min_call_time = min_call_time
        self._retry_after = retry_after
        self._clock = clock

    @classmethod
    def from_conf(cls, conf, ipa, session):
        """Build from configuration; call once per process, at start.

        Registers ``allowed_classes`` in the project sections of the
        configuration files and loads the OTP key.

        :raises novajoin.exception.ConfigurationError: e.g. a bad key file.
        """
        project_sections = enrollment_conf.register_project_opts(conf)
        return cls(
            ipa=ipa,
            otp_key=otp.OTPKey.from_file(conf.enrollment.otp_key_file),
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
            nonces=nonce_cache.NonceCache.from_conf(conf))

    def enroll(self, request, deadline):
        """Serve ``request``, answering by ``deadline`` (time.monotonic()).

        :returns: :class:`EnrollmentResult`
        :raises novajoin.exception.NovajoinError: a subclass; it carries the
            fqdn (when known) and the IPA round trips made.
        """
        attempt = _Attempt(request.instance_id, deadline)
        try:
            return self._enroll(request, attempt)
        except exception.NovajoinError as error:
            self._annotated(error, attempt)
            raise
        except _IPA_UNUSABLE as exc:
            LOG.error('IPA could not be used for instance=%s fqdn=%s: %s: '
                      '%s', attempt.instance_id, attempt.fqdn,
                      type(exc).__name__, attempt.scrub(str(exc)))
            raise self._annotated(self._unavailable('IPA is unavailable'),
                                  attempt) from None
        except ipa_errors.IPACommandError as exc:
            LOG.error('IPA refused a command for instance=%s fqdn=%s: %s',
                      attempt.instance_id, attempt.fqdn,
                      attempt.scrub(str(exc)))
            raise self._annotated(
                self._unavailable('IPA could not complete the enrollment'),
                attempt) from None

    def _enroll(self, request, attempt):
        metadata = request.metadata
        requested_by_instance = _says_true(metadata.get('ipa_enroll'))
        image = None
        if request.image_id:
            image = self._image_properties(
                request.image_id, attempt, required=not requested_by_instance)
        requested_by_image = (image is not None
                              and _says_true(image.get('ipa_enroll')))
        if not (requested_by_instance or requested_by_image):
            return EnrollmentResult(NOT_REQUESTED, {})

        hostclass = _metadata_text(metadata, 'ipa_hostclass')
        location = _metadata_text(metadata, 'ipa_host_location')
        project = None
        if hostclass or self._project_subdomain:
            project = self._project(request.project_id, attempt)
        if hostclass:
            self._check_hostclass(hostclass, project)
        if self._project_subdomain:
            self._check_subdomain_domain(project)

        attempt.fqdn = hostname.instance_fqdn(
            request.hostname, self._domain or self._ipa.domain,
            project_name=project.name if project else None,
            project_subdomain=self._project_subdomain,
            max_length=self._max_hostname_length)

        attributes = {}
        if hostclass:
            attributes['userclass'] = hostclass
        os_version = _os_version(image)
        if os_version:
            attributes['nsosversion'] = os_version
        if location:
            attributes['nshostlocation'] = location
        return self._ensure_host(attempt, attributes)

    def _ensure_host(self, attempt, attributes):
        domain = self._domain or self._ipa.domain
        self._names.refuse_known(attempt.fqdn, domain)
        cached = self._nonces.lookup(attempt.instance_id, attempt.fqdn)
        if cached.nonce:
            return self._answer_unused_otp(attempt, cached.nonce)
        checks = self._names.reads(attempt.fqdn, domain)
        if checks:
            entry = self._show_host_and_check_name(attempt, checks)
        elif cached.answered:
            # A working cache without the nonce: most likely the first
            # request of this boot.
            entry = None
        else:
            entry = self._show_host(attempt)
        if entry is None:
            try:
                return self._add_host(attempt, attributes)
            except ipa_errors.DuplicateEntry:
                # A concurrent request (any worker or replica) added it
                # first, or it was there already (add first after a cache
                # miss): answer with its OTP, if it has an unused one;
                # ours was never written.
                attempt.otp = None
                entry = self._show_host(attempt)
                if entry is None:
                    raise self._unavailable(
                        '%s was deleted while it was being enrolled'
                        % attempt.fqdn)
        return self._answer_existing(attempt, entry)

    def _add_host(self, attempt, attributes):
        nonce = otp.new_nonce()
        attempt.otp = self._otp_key.derive_otp(attempt.instance_id,
                                               attempt.fqdn, nonce)
        try:
            self._call_ipa(
                attempt, self._ipa.host_add, force=True,
                description=ownership.build_description(attempt.instance_id,
                                                        nonce),
                userpassword=attempt.otp, **attributes)
        except ipa_errors.ValidationError as exc:
            raise exception.InvalidRequest(
                'IPA refused to add %s: %s'
                % (attempt.fqdn, attempt.scrub(exc.message)))
        self._nonces.remember(attempt.instance_id, attempt.fqdn, nonce)
        return self._answer(CREATED, attempt)

    def _answer_existing(self, attempt, entry):
        state = host_entry.state_for(entry, attempt.instance_id,
                                     attempt.fqdn)
        if state.state == host_entry.ENROLLED:
            return self._answer(ENROLLED, attempt)
        if state.state == host_entry.DISABLED:
            return self._answer(DISABLED, attempt)
        if state.state == host_entry.UNKNOWN_PASSWORD:
            raise exception.HostPasswordUnknown(attempt.fqdn)
        self._nonces.remember(attempt.instance_id, attempt.fqdn, state.nonce,
                              replace=False)
        return self._answer_unused_otp(attempt, state.nonce)

    def _answer_unused_otp(self, attempt, nonce):
        attempt.otp = self._otp_key.derive_otp(attempt.instance_id,
                                               attempt.fqdn, nonce)
        return self._answer(REPEAT, attempt)

    def _show_host(self, attempt):
        """The host entry of ``attempt.fqdn``, or None if there is none."""
        try:
            output = self._call_ipa(attempt, self._ipa.host_show)
        except ipa_errors.NotFound:
            return None
        return output['result']

    def _show_host_and_check_name(self, attempt, checks):
        """:meth:`_show_host`, and the name checks, in one round trip."""
        timeout = self._time_left(attempt)
        attempt.ipa_calls += 1
        items = self._ipa.batch([('host_show', [attempt.fqdn], {})] + checks,
                                timeout=timeout)
        shown = items[0]
        if isinstance(shown.error, ipa_errors.NotFound):
            entry = None
        elif shown.error is not None:
            raise shown.error
        else:
            entry = shown.result['result']
        self._names.refuse_from_reads(attempt.fqdn, checks, items[1:],
                                      new_host=entry is None)
        return entry

    def _call_ipa(self, attempt, command, **options):
        timeout = self._time_left(attempt)
        attempt.ipa_calls += 1
        return command(attempt.fqdn, timeout=timeout, **options)

    def _answer(self, decision, attempt):
        body = {'hostname': attempt.fqdn, 'krb_realm': self._ipa.realm}
        if attempt.otp is not None:
            body['ipaotp'] = attempt.otp
        return EnrollmentResult(decision, body, attempt.fqdn,
                                attempt.ipa_calls)

    def _image_properties(self, image_id, attempt, required):
        """The image's properties, or None when Glance has no such image.

        When the instance's own metadata already asks for enrollment the
        image only contributes the OS version, so a Glance outage does not
        stop the enrollment (``required`` false).
        """
        timeout = self._time_left(attempt)
        try:
            properties = self._images.get(image_id, timeout)
        except http.ServiceUnavailable as exc:
            if required:
                LOG.error('Cannot tell whether image %s of instance=%s asks '
                          'for IPA enrollment: %s', image_id,
                          attempt.instance_id, exc)
                raise self._unavailable('Glance is unavailable')
            LOG.warning('Enrolling instance=%s without the OS version of '
                        'image %s: %s', attempt.instance_id, image_id, exc)
            return None
        if properties is None:
            LOG.warning('Image %s of instance=%s is not visible in Glance; '
                        'its properties are not used', image_id,
                        attempt.instance_id)
        return properties

    def _project(self, project_id, attempt):
        if not project_id:
            raise exception.InvalidRequest(
                'project-id is needed for the project subdomain or host '
                'class')
        timeout = self._time_left(attempt)
        try:
            project = self._projects.get(project_id, timeout)
        except http.ServiceUnavailable as exc:
            LOG.error('Cannot read the name of project %s of instance=%s: '
                      '%s', project_id, attempt.instance_id, exc)
            raise self._unavailable('Keystone is unavailable')
        if project is None:
            raise exception.InvalidRequest(
                'project %s does not exist in Keystone' % project_id)
        return project

    def _names_project(self, project):
        """Whether ``project``'s name is what the configuration means."""
        return project.domain_id == self._project_names_domain_id

    def _check_hostclass(self, hostclass, project):
        # Project sections are keyed by name, which is unique only in its
        # domain: a same-named project elsewhere gets nothing from them.
        patterns = (self._allowed_classes.get(project.name, ())
                    if self._names_project(project) else ())
        if not any(fnmatch.fnmatchcase(hostclass, pattern)
                   for pattern in patterns):
            raise exception.HostClassNotAllowed(hostclass, project.name)

    def _check_subdomain_domain(self, project):
        if not self._names_project(project):
            raise exception.InvalidRequest(
                'project %s is in Keystone domain %s; project subdomains '
                'are only given to projects of domain %s'
                % (project.name, project.domain_id,
                   self._project_names_domain_id))

    def _time_left(self, attempt):
        """Seconds left for the next call, if enough are."""
        left = attempt.deadline - self._clock()
        if left < self._min_call_time:
            raise self._unavailable(
                'not enough time left to answer before the deadline')
        return left

    def _unavailable(self, message):
        return exception.EnrollmentUnavailable(message, self._retry_after)

    @staticmethod
    def _annotated(error, attempt):
        if error.fqdn is None:
            error.fqdn = attempt.fqdn
        error.ipa_calls = attempt.ipa_calls
        return error


def _says_true(value):
    return isinstance(value, str) and value.lower() == 'true'


def _metadata_text(metadata, key):
    value = metadata.get(key)
    if value is None or value == '':
        return None
    if not isinstance(value, str):
        raise exception.InvalidRequest('metadata %s must be a string' % key)
    return value


def _os_version(image):
    """``nsosversion``: the image's os_distro and os_version."""
    if image is None:
        return None
    parts = [image.get(key) for key in ('os_distro', 'os_version')]
    text = ' '.join(part for part in parts
                    if isinstance(part, str) and part)
    return text or None

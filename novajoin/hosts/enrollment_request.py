"""What a vendordata request asks of IPA, read before IPA is called.

Enrollment is requested by the instance's metadata (``ipa_enroll``), else
by its Glance image's ``ipa_enroll`` property. A request that asks for it
gets an FQDN (in the project's subdomain with ``project_subdomain``) and
the host attributes it may set: a host class the project is allowed
(``allowed_classes`` of the project's configuration section), a location,
and the image's OS version. Everything here is checked before IPA is
called, so a refused request writes nothing.

Glance and Keystone are asked only when the answer matters: the project
only for a host class or a project subdomain. When the instance's metadata
already asks for enrollment, the image only contributes the OS version,
and a Glance outage does not stop the enrollment. The lookups' errors
become the enrollment's: an unreachable service is
:class:`novajoin.exception.EnrollmentUnavailable`.
"""

import fnmatch

from oslo_log import log as logging

from novajoin import exception
from novajoin.hosts import hostname
from novajoin.hosts import tenant_text
from novajoin.openstack import http

# The lines logged here are the enrollment's: they keep the logger name
# they have always had, which operators may filter on.
LOG = logging.getLogger('novajoin.hosts.enrollment')


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


class RequestedHost(object):
    """The host entry a request asks for: its FQDN and attributes."""

    def __init__(self, fqdn, attributes):
        self.fqdn = fqdn
        self.attributes = attributes


class RequestReader(object):
    """Reads a :class:`VendordataRequest` into a :class:`RequestedHost`."""

    def __init__(self, ipa, image_properties, project_names, allowed_classes,
                 domain, project_subdomain, project_names_domain_id,
                 max_hostname_length):
        self._ipa = ipa
        self._images = image_properties
        self._projects = project_names
        self._allowed_classes = dict(allowed_classes or {})
        self._domain = domain
        self._project_subdomain = project_subdomain
        self._project_names_domain_id = project_names_domain_id
        self._max_hostname_length = max_hostname_length

    def read(self, request, attempt):
        """The host ``request`` asks for, or None if it asks for none.

        :raises novajoin.exception.NovajoinError: a subclass, e.g. for a
            host class the project is not allowed, or Glance or Keystone
            being unavailable.
        """
        metadata = request.metadata
        requested_by_instance = _says_true(metadata.get('ipa_enroll'))
        image = None
        if request.image_id:
            image = self._image_properties(
                request.image_id, attempt, required=not requested_by_instance)
        requested_by_image = (image is not None
                              and _says_true(image.get('ipa_enroll')))
        if not (requested_by_instance or requested_by_image):
            return None

        hostclass = _metadata_text(metadata, 'ipa_hostclass')
        location = _metadata_text(metadata, 'ipa_host_location')
        for key, value in (('ipa_hostclass', hostclass),
                           ('ipa_host_location', location)):
            if value is not None:
                tenant_text.check('metadata %s' % key, value)
        project = None
        if hostclass or self._project_subdomain:
            project = self._project(request.project_id, attempt)
        if hostclass:
            self._check_hostclass(hostclass, project)
        if self._project_subdomain:
            self._check_subdomain_domain(project)

        fqdn = hostname.instance_fqdn(
            request.hostname, self._domain or self._ipa.domain,
            project_name=project.name if project else None,
            project_subdomain=self._project_subdomain,
            max_length=self._max_hostname_length)
        return RequestedHost(fqdn, _attributes(hostclass, image, location,
                                               attempt.instance_id))

    def _image_properties(self, image_id, attempt, required):
        """The image's properties, or None when Glance has no such image.

        When the instance's own metadata already asks for enrollment the
        image only contributes the OS version, so a Glance outage does not
        stop the enrollment (``required`` false).
        """
        timeout = attempt.time_left()
        try:
            properties = self._images.get(image_id, timeout)
        except http.ServiceUnavailable as exc:
            if required:
                LOG.error('Cannot tell whether image %s of instance=%s asks '
                          'for IPA enrollment: %s', image_id,
                          attempt.instance_id, exc)
                raise attempt.unavailable('Glance is unavailable')
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
        timeout = attempt.time_left()
        try:
            project = self._projects.get(project_id, timeout)
        except http.ServiceUnavailable as exc:
            LOG.error('Cannot read the name of project %s of instance=%s: '
                      '%s', project_id, attempt.instance_id, exc)
            raise attempt.unavailable('Keystone is unavailable')
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


def _attributes(hostclass, image, location, instance_id):
    """The ``host_add`` attributes the request sets."""
    attributes = {}
    if hostclass:
        attributes['userclass'] = hostclass
    os_version = _os_version(image)
    reason = os_version and tenant_text.problem(os_version)
    if reason:
        # The image may be anyone's: its text is left out, not the
        # enrollment refused.
        LOG.warning('Enrolling instance=%s without the OS version of its '
                    'image: os_distro and os_version %s', instance_id,
                    reason)
    elif os_version:
        attributes['nsosversion'] = os_version
    if location:
        attributes['nshostlocation'] = location
    return attributes


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

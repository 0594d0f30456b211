"""Keystone projects' names and domains, read with novajoin's service
credentials."""

import collections
import time
from urllib import parse

from novajoin.openstack import cache
from novajoin.openstack import http


# A project's name is unique only within its domain.
Project = collections.namedtuple('Project', ['name', 'domain_id'])


class ProjectNames(object):
    """``GET /v3/projects/{id}`` from the catalog's identity endpoint, cached.

    The identity endpoint in catalogs may or may not end in ``/v3``; asking
    keystoneauth1 for version 3 resolves either to the v3 root.
    """

    def __init__(self, session, interface, region_name, ttl, maxsize,
                 timer=time.monotonic):
        self._session = session
        self._endpoint_filter = {'service_type': 'identity',
                                 'interface': interface,
                                 'region_name': region_name,
                                 'version': (3, 0)}
        self._cache = cache.ExpiringCache(maxsize, ttl, timer)

    @classmethod
    def from_conf(cls, conf, session):
        return cls(session,
                   interface=conf.service_credentials.interface,
                   region_name=conf.service_credentials.region_name,
                   ttl=conf.enrollment.project_cache_ttl,
                   maxsize=conf.enrollment.cache_size)

    def get(self, project_id, timeout):
        """The :class:`Project`, or None if Keystone has no such project.

        :raises novajoin.openstack.http.ServiceUnavailable:
        """
        path = 'projects/%s' % parse.quote(project_id, safe='')
        return self._cache.get_or_fetch(
            project_id, lambda: self._fetch(path, timeout))

    def _fetch(self, path, timeout):
        document = http.get_resource(self._session, path,
                                     self._endpoint_filter, timeout,
                                     'Keystone')
        if document is None:
            return None
        project = document.get('project')
        if not isinstance(project, dict):
            project = {}
        name = project.get('name')
        domain_id = project.get('domain_id')
        if not (isinstance(name, str) and name
                and isinstance(domain_id, str) and domain_id):
            raise http.ServiceUnavailable('Keystone answered GET %s without '
                                          'a project name and domain' % path)
        return Project(name, domain_id)

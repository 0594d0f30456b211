"""Glance image properties, read with novajoin's service credentials."""

import time
from urllib import parse

from novajoin.openstack import cache
from novajoin.openstack import http


class ImageProperties(object):
    """``GET /v2/images/{id}`` from the catalog's image endpoint, cached."""

    def __init__(self, session, interface, region_name, ttl, maxsize,
                 timer=time.monotonic):
        self._session = session
        self._endpoint_filter = {'service_type': 'image',
                                 'interface': interface,
                                 'region_name': region_name}
        self._cache = cache.ExpiringCache(maxsize, ttl, timer)

    @classmethod
    def from_conf(cls, conf, session):
        return cls(session,
                   interface=conf.service_credentials.interface,
                   region_name=conf.service_credentials.region_name,
                   ttl=conf.enrollment.image_cache_ttl,
                   maxsize=conf.enrollment.cache_size)

    def list_one(self, timeout):
        """``GET /v2/images?limit=1``: logs in, connects to Glance and has
        Glance validate novajoin's token, as the first image lookup would.

        :raises novajoin.openstack.http.ServiceUnavailable:
        """
        http.get_resource(self._session, '/v2/images?limit=1',
                          self._endpoint_filter, timeout, 'Glance')

    def get(self, image_id, timeout):
        """The image's properties (a dict), or None if Glance has no such
        image visible to novajoin.

        Glance v2 puts properties such as ``ipa_enroll`` and ``os_distro``
        at the top level of the image document.

        :raises novajoin.openstack.http.ServiceUnavailable:
        """
        path = '/v2/images/%s' % parse.quote(image_id, safe='')
        return self._cache.get_or_fetch(
            image_id,
            lambda: http.get_resource(self._session, path,
                                      self._endpoint_filter, timeout,
                                      'Glance'))

"""Glance metadata definitions of novajoin's keys, for Horizon's forms.

The namespace ``OS::Identity::IPA`` (``data/os-identity-ipa.json``, also
loadable with ``glance-manage db_load_metadefs``) is associated with images
and servers. Loading it is idempotent: a missing namespace is created
whole; in an existing one, missing or different properties and missing
resource type associations are added or updated, and nothing else is
touched.
"""

import json
import os

from keystoneauth1 import exceptions as ks_exceptions

from novajoin.conf import service_credentials
from novajoin.install import changes

NAMESPACE_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              'data', 'os-identity-ipa.json')
NAMESPACES_PATH = '/v2/metadefs/namespaces'
TIMEOUT = 30


def register_opts(conf):
    service_credentials.register_opts(conf)


def load_namespace():
    with open(NAMESPACE_FILE, encoding='utf-8') as f:
        return json.load(f)


class GlanceMetadefs(object):
    """The few metadefs calls needed, through the catalog's image API."""

    def __init__(self, session, interface, region_name):
        self._session = session
        self._endpoint_filter = {'service_type': 'image',
                                 'interface': interface,
                                 'region_name': region_name}

    @classmethod
    def from_conf(cls, conf):
        group = conf.service_credentials
        return cls(service_credentials.load_session(conf), group.interface,
                   group.region_name)

    def _request(self, method, path, body=None, expect=(200, 201)):
        try:
            response = self._session.request(
                path, method, json=body, timeout=TIMEOUT, raise_exc=False,
                endpoint_filter=self._endpoint_filter)
        except ks_exceptions.ClientException as exc:
            raise changes.InstallError('Glance could not be reached: %s'
                                       % exc)
        if response.status_code == 404 and method == 'GET':
            return None
        if response.status_code not in expect:
            raise changes.InstallError(
                'Glance answered HTTP %d to %s %s: %s' % (
                    response.status_code, method, path,
                    response.text[:200]))
        return response.json() if response.content else {}

    def namespace(self, name):
        return self._request('GET', '%s/%s' % (NAMESPACES_PATH, name))

    def create_namespace(self, document):
        self._request('POST', NAMESPACES_PATH, document)

    def put_property(self, namespace, name, definition, exists):
        body = dict(definition, name=name)
        if exists:
            self._request('PUT', '%s/%s/properties/%s' % (
                NAMESPACES_PATH, namespace, name), body)
        else:
            self._request('POST', '%s/%s/properties' % (
                NAMESPACES_PATH, namespace), body)

    def associate(self, namespace, association):
        self._request('POST', '%s/%s/resource_types' % (
            NAMESPACES_PATH, namespace), association)


def _differs(wanted, have):
    return any(have.get(key) != value for key, value in wanted.items())


def metadefs_changes(conf, report, glance=None):
    glance = glance or GlanceMetadefs.from_conf(conf)
    document = load_namespace()
    name = document['namespace']
    existing = glance.namespace(name)
    if existing is None:
        return [changes.Change(
            'create Glance metadata namespace %s (%s)' % (
                name, ', '.join(sorted(document['properties']))),
            lambda: glance.create_namespace(document))]
    found = []
    have_properties = existing.get('properties') or {}
    for prop, definition in sorted(document['properties'].items()):
        have = have_properties.get(prop)
        if have is None or _differs(definition, have):
            found.append(changes.Change(
                '%s property %s of Glance namespace %s' % (
                    'add' if have is None else 'update', prop, name),
                _property_setter(glance, name, prop, definition,
                                 have is not None)))
    associated = {a['name'] for a in
                  existing.get('resource_type_associations') or []}
    for association in document['resource_type_associations']:
        if association['name'] not in associated:
            found.append(changes.Change(
                'associate Glance namespace %s with %s' % (
                    name, association['name']),
                _associator(glance, name, association)))
    if not found:
        report.unchanged('Glance metadata namespace %s' % name)
    return found


def _property_setter(glance, namespace, prop, definition, exists):
    return lambda: glance.put_property(namespace, prop, definition, exists)


def _associator(glance, namespace, association):
    return lambda: glance.associate(namespace, association)

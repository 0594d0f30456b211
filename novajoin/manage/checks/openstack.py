"""Checks of OpenStack: Keystone issues a token, nova lists every server."""

from keystoneauth1 import exceptions as ks_exceptions
from novaclient import exceptions as nova_exceptions

from novajoin.conf import service_credentials
from novajoin.manage.checks import results
from novajoin.openstack import nova

KEYSTONE = 'Keystone credentials'
COMPUTE = 'nova (all projects)'


def check_all(conf):
    """The results of :data:`KEYSTONE` and then :data:`COMPUTE`."""
    try:
        session = service_credentials.load_session(conf)
        session.get_token()
    except ks_exceptions.ClientException as exc:
        return [results.failed(KEYSTONE, '%s: %s' % (type(exc).__name__,
                                                     exc),
                               'check [service_credentials] (auth_url, '
                               'username, password, project and domains)'),
                results.skipped(COMPUTE, KEYSTONE)]
    return [results.passed(KEYSTONE, 'token issued for %s'
                           % conf.service_credentials.username),
            check_compute(conf, session)]


def check_compute(conf, session):
    client = nova.client_from_conf(conf, session)
    try:
        client.servers.list(search_opts={'all_tenants': True}, limit=1)
    except ks_exceptions.ClientException as exc:
        return results.failed(COMPUTE, str(exc),
                              'check the compute endpoint in the catalog '
                              'and [service_credentials] '
                              'interface/region_name')
    except nova_exceptions.ClientException as exc:
        fix = ('give novajoin\'s user the admin role (listing every '
               'project\'s servers needs it)'
               if getattr(exc, 'code', None) == 403 else
               'check nova and [service_credentials]')
        return results.failed(COMPUTE, '%s: %s' % (type(exc).__name__, exc),
                              fix)
    return results.passed(COMPUTE, 'servers of every project can be '
                          'listed')

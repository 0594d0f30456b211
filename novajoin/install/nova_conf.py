"""The nova.conf settings that make nova call novajoin and notify it.

DynamicJSON vendordata (``[api]``, ``[vendordata_dynamic_auth]``) for the
nova API / metadata service, and notifications for every nova service.
Lists are merged, never replaced: other vendordata providers and targets
stay; only a ``join@...`` target is replaced by ours.
"""

from novajoin.install import changes
from novajoin.install import ini_files

TARGET_NAME = 'join'
CLOUD_INIT_VENDORDATA = (
    '/usr/share/novajoin/cloud-init/cloud-config-novajoin.json')
# Copied from nova's own service user when [vendordata_dynamic_auth] has
# none: the nova user has the service role novajoin's policy asks for.
AUTH_OPTIONS = ('auth_type', 'auth_url', 'username', 'password',
                'project_name', 'user_domain_name', 'project_domain_name',
                'cafile')
AUTH_SOURCE_SECTION = 'keystone_authtoken'


def _merged_list(old, add, drop_prefix=None):
    items = [item.strip() for item in (old or '').split(',')
             if item.strip()]
    if drop_prefix:
        items = [item for item in items if not item.startswith(drop_prefix)]
    for item in add:
        if item not in items:
            items.append(item)
    return ','.join(items)


def settings(updater, api_url, api_ca_file=None,
             cloud_init_vendordata=CLOUD_INIT_VENDORDATA):
    """({section: {option: value}}, [notes]) for nova.conf as it is."""
    def current(section, option):
        return ini_files.current(updater, section, option)

    notes = []
    providers = ['DynamicJSON']
    api = {}
    static_file = current('api', 'vendordata_jsonfile_path')
    if static_file in (None, ''):
        providers.insert(0, 'StaticJSON')
        api['vendordata_jsonfile_path'] = cloud_init_vendordata
    elif static_file != cloud_init_vendordata:
        notes.append('nova already serves StaticJSON vendordata from %s; '
                     'add the cloud-config of %s to it (cloud-init '
                     'guide, "Enrollment inside the instance")'
                     % (static_file, cloud_init_vendordata))
    api['vendordata_providers'] = _merged_list(
        current('api', 'vendordata_providers'), providers)
    api['vendordata_dynamic_targets'] = _merged_list(
        current('api', 'vendordata_dynamic_targets'),
        ['%s@%s' % (TARGET_NAME, api_url)],
        drop_prefix=TARGET_NAME + '@')
    if api_ca_file:
        api['vendordata_dynamic_ssl_certfile'] = api_ca_file
    wanted = {'api': api}

    if not current('vendordata_dynamic_auth', 'auth_type'):
        auth = {option: current(AUTH_SOURCE_SECTION, option)
                for option in AUTH_OPTIONS}
        auth = {option: value for option, value in auth.items() if value}
        if 'auth_type' in auth:
            wanted['vendordata_dynamic_auth'] = auth
        else:
            notes.append('set [vendordata_dynamic_auth] (auth_type = '
                         'password, auth_url, username, password, '
                         'project_name, user_domain_name, '
                         'project_domain_name) to a user with the service '
                         'role, e.g. nova\'s own')

    if not current('notifications', 'notify_on_state_change'):
        wanted['notifications'] = {
            'notify_on_state_change': 'vm_and_task_state'}
    driver = current('oslo_messaging_notifications', 'driver')
    if driver in (None, '', 'noop'):
        wanted['oslo_messaging_notifications'] = {'driver': 'messagingv2'}
    elif driver not in ('messagingv2', 'messaging'):
        notes.append('[oslo_messaging_notifications] driver = %s does not '
                     'reach RabbitMQ; novajoin-notify needs messagingv2'
                     % driver)
    return wanted, notes


def as_text(wanted):
    """The settings as an ini snippet (secrets masked) to print."""
    lines = []
    for section, options in wanted.items():
        lines.append('[%s]' % section)
        lines += ['%s = %s' % (option, changes.shown_value(option, value))
                  for option, value in options.items()]
        lines.append('')
    return '\n'.join(lines)

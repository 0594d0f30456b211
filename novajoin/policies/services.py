"""Which instances may manage service principals on other hosts."""

from oslo_policy import policy

MANAGED_SERVICES = 'join:managed_services'

# Credentials the rule is checked against (novajoin.services.manager):
# roles and project_id of the booting user and instance, plus two facts
# computed from [services] options.
BOOT_ROLE_OR_LISTED_PROJECT = 'boot_role_allowed:True or project_allowed:True'

rules = [
    policy.DocumentedRuleDefault(
        name=MANAGED_SERVICES,
        check_str=BOOT_ROLE_OR_LISTED_PROJECT,
        description='Honour managed_service_* instance metadata: create '
                    'the named principal (and its host) if missing and '
                    'make the instance\'s host one of its managers, so '
                    'the instance can fetch its keytab and certificates. '
                    'Checked per vendordata request and metadata update '
                    'with these credentials: roles (the booting user\'s '
                    'roles from nova\'s boot-roles at the instance\'s '
                    'first vendordata request; empty for a metadata '
                    'update and for a managed service first named by a '
                    'later vendordata request), project_id (the '
                    'instance\'s project), '
                    'boot_role_allowed (True when one of those roles is '
                    'in [services] managed_service_roles) and '
                    'project_allowed (True when the project is in '
                    '[services] managed_service_projects). Whatever this '
                    'rule says, IPA servers, hosts of other projects and '
                    'hosts novajoin did not create (unless in [services] '
                    'managed_service_hosts) are refused.',
        operations=[{'method': 'POST', 'path': '/v1'}]),
]


def list_rules():
    return rules

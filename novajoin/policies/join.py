"""Who may ask novajoin to enroll an instance."""

from oslo_policy import policy

CREATE = 'join:create'
NOVA_SERVICE_USER = 'nova_service_user'

# novajoin 1.3.0 allowed nova's service user by name only, which also let a
# user called "nova" in a project called "service" of any other Keystone
# domain in. The names count only in the domain nova's user and project
# belong to: Keystone's Default domain, whose id is "default".
NOVA_IN_DEFAULT_DOMAIN = (
    'user_name:nova and user_domain_id:default and '
    'project_name:service and project_domain_id:default')

# ``service`` is the role OpenStack gives its service users; granting it is
# an administrator's act in every domain.
NOVA_SERVICE_USER_OR_SERVICE_ROLE = (
    'rule:%s or role:service' % NOVA_SERVICE_USER)

rules = [
    policy.RuleDefault(
        name=NOVA_SERVICE_USER,
        check_str=NOVA_IN_DEFAULT_DOMAIN,
        description='nova\'s service user: the user "nova" of project '
                    '"service", both in the Default domain. Where nova\'s '
                    'user lives in another domain, put that domain\'s id '
                    'here; to pin it down further, match its id: '
                    '"user_id:<id of nova\'s user>".'),
    policy.DocumentedRuleDefault(
        name=CREATE,
        check_str=NOVA_SERVICE_USER_OR_SERVICE_ROLE,
        description='Answer a nova DynamicJSON vendordata request: add the '
                    'booting instance to IPA and return its one-time '
                    'password. Only nova\'s metadata service should hold '
                    'this right.',
        operations=[{'method': 'POST', 'path': '/v1'}]),
]


def list_rules():
    return rules

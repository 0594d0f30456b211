"""Who may ask novajoin to enroll an instance."""

from oslo_policy import policy

CREATE = 'join:create'

# novajoin 1.3.0 allowed nova's service user by name; the ``service`` role is
# how current deployments mark service users.
NOVA_SERVICE_USER_OR_SERVICE_ROLE = (
    '(user_name:nova and project_name:service) or role:service')

rules = [
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

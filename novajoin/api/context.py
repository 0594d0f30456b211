"""The request context of the novajoin API."""

from oslo_context import context


class RequestContext(context.RequestContext):
    """oslo.context's context, with the names novajoin 1.3.0's policy used.

    The default ``join:create`` rule, like novajoin's, matches nova's service
    user by ``user_name`` and ``project_name``; oslo.context leaves names out
    of the policy values, or marks them deprecated when added to its own
    mapping. We keep them on purpose for policy files written for novajoin.
    """

    def to_policy_values(self):
        values = dict(super().to_policy_values())
        values['user_name'] = self.user_name
        values['project_name'] = self.project_name
        return values

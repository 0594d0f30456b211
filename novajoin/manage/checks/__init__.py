"""``novajoin-manage check``: can this configuration do novajoin's work?

Each check returns a :class:`results.Result`; a failed one says how to fix
it. A check whose prerequisite failed (login when IPA cannot be reached,
say) is skipped rather than reported as a second, misleading failure.
Nothing here changes IPA except the permission probe, which adds a host
named ``novajoin-check-<random>`` in the domain, gives it a one-time
password and deletes it again.
"""

import secrets

import oslo_messaging

from novajoin.manage.checks import freeipa
from novajoin.manage.checks import local
from novajoin.manage.checks import openstack
from novajoin.manage.checks import rabbitmq
from novajoin.manage.checks import results

# novajoin-manage compares each result's status with this.
PASS = results.PASS


class Checker(object):
    """Runs every check against one parsed configuration."""

    def __init__(self, conf, probe_name=None):
        self._conf = conf
        self._probe_name = probe_name or 'novajoin-check-%s' % (
            secrets.token_hex(4))

    def run(self):
        """Every check's :class:`results.Result`, in the table's order."""
        # Building a transport registers oslo.messaging's options (it does
        # not connect).
        oslo_messaging.get_notification_transport(self._conf).cleanup()
        return ([local.check_configuration(self._conf),
                 local.check_otp_key(self._conf)]
                + freeipa.check_all(self._conf, self._probe_name)
                + openstack.check_all(self._conf)
                + [rabbitmq.check(self._conf),
                   local.check_token_cache(self._conf)])

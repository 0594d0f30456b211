"""The oslo.policy enforcer of the novajoin API.

Built from an explicit ConfigOpts by :func:`build_enforcer`; nothing is
created at import. :func:`get_enforcer` is the ``oslo.policy.enforcer``
entry point used by the oslopolicy-* tools.
"""

import json
import os
import sys
import threading

import cachetools
from oslo_config import cfg
from oslo_context import context as oslo_context
from oslo_policy import policy

from novajoin import conf as novajoin_conf
from novajoin import policies


# How long an allowed (rule, caller) stays allowed without evaluating the
# rule again: a policy file change applies within this time.
DECISION_TTL = 10.0
DECISION_CACHE_SIZE = 1024


class Enforcer(policy.Enforcer):
    """oslo.policy's Enforcer, remembering allowed callers for a while.

    nova asks with the same service token for every instance; evaluating
    the rule again each time (reading the policy file's mtime, inspecting
    check signatures, parsing literals) was about a tenth of the API's CPU
    per request. Only target-independent allows are remembered: a refusal
    is evaluated (and logged) every time.
    """

    def __init__(self, conf, **kwargs):
        super().__init__(conf, **kwargs)
        self._allowed = cachetools.TTLCache(DECISION_CACHE_SIZE,
                                            DECISION_TTL)
        self._allowed_lock = threading.Lock()

    def authorize(self, rule, target, creds, do_raise=False, exc=None,
                  *args, **kwargs):
        key = None
        if not target and not args and not kwargs and isinstance(
                creds, oslo_context.RequestContext):
            key = (rule, _frozen(creds.to_policy_values()))
            with self._allowed_lock:
                if self._allowed.get(key):
                    return True
        allowed = super().authorize(rule, target, creds, do_raise, exc,
                                    *args, **kwargs)
        if allowed and key is not None:
            with self._allowed_lock:
                self._allowed[key] = True
        return allowed


def _frozen(values):
    return json.dumps(dict(values), sort_keys=True, default=str)


def build_enforcer(conf):
    """An Enforcer reading ``[oslo_policy]`` of ``conf``, with our defaults."""
    enforcer = Enforcer(conf)
    enforcer.register_defaults(policies.list_rules())
    return enforcer


def get_enforcer():
    """Enforcer for the oslopolicy command line tools.

    They pass their own arguments in ``sys.argv``; only ``--config-file``
    and ``--config-dir`` concern us.
    """
    conf = cfg.ConfigOpts()
    novajoin_conf.register_opts(conf)
    conf(_config_args(sys.argv[1:]), project='novajoin',
         default_config_files=_existing(novajoin_conf.DEFAULT_CONFIG_FILES))
    return build_enforcer(conf)


def _config_args(argv):
    wanted = ('--config-file', '--config-dir')
    picked = []
    for index, arg in enumerate(argv):
        if arg in wanted and index + 1 < len(argv):
            picked += [arg, argv[index + 1]]
        elif arg.startswith(tuple(w + '=' for w in wanted)):
            picked.append(arg)
    return picked


def _existing(paths):
    return [path for path in paths if os.path.exists(path)]

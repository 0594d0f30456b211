"""The oslo.policy enforcer of the novajoin API.

Built from an explicit ConfigOpts by :func:`build_enforcer`; nothing is
created at import. :func:`get_enforcer` is the ``oslo.policy.enforcer``
entry point used by the oslopolicy-* tools.
"""

import os
import sys

from oslo_config import cfg
from oslo_policy import policy

from novajoin import conf as novajoin_conf
from novajoin import policies


def build_enforcer(conf):
    """An Enforcer reading ``[oslo_policy]`` of ``conf``, with our defaults."""
    enforcer = policy.Enforcer(conf)
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

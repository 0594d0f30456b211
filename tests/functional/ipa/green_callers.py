"""``python -m tests.functional.ipa.green_callers CONFIG_FILE FQDN CALLS``

Runs CALLS concurrent ``host_show FQDN`` calls from eventlet green threads
that share one IPAClient built from CONFIG_FILE, as novajoin-server does,
and prints a JSON summary. A process of its own, because monkey patching
must happen before anything else is imported.
"""

import eventlet

eventlet.monkey_patch()

import collections  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402

from oslo_config import cfg  # noqa: E402

from novajoin import conf as novajoin_conf  # noqa: E402
from novajoin.ipa import client as ipa_client  # noqa: E402


def main(argv):
    config_file, fqdn, calls = argv[0], argv[1], int(argv[2])
    # Everything at DEBUG on stderr, which the test checks for secrets.
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    conf = cfg.ConfigOpts()
    novajoin_conf.register_opts(conf)
    conf(['--config-file', config_file], default_config_files=[])
    ipa = ipa_client.IPAClient.from_conf(conf)

    def show(_):
        try:
            return ipa.host_show(fqdn)['result']['fqdn'][0]
        except Exception as exc:  # reported in the summary
            return '%s: %s' % (type(exc).__name__, exc)

    try:
        outcomes = collections.Counter(
            eventlet.GreenPool(calls).imap(show, range(calls)))
    finally:
        ipa.close()
    print(json.dumps({'outcomes': outcomes}))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

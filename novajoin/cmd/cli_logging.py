"""Logging of the console scripts: stdout is for their result only.

oslo.log writes to stdout when no log file is configured (and stderr is not
asked for), so ``novajoin-manage hosts list --format json | jq .`` would
read log lines before the JSON. Every console script sets logging up here:
oslo.log's handlers as configured, with any of them that would write to
stdout writing to stderr instead.
"""

import logging
import sys

from oslo_log import log


def register_options(conf):
    log.register_options(conf)


def setup(conf, product='novajoin'):
    log.setup(conf, product)
    to_stdout_moved(logging.getLogger(), sys.stdout, sys.stderr)


def to_stdout_moved(logger, stdout, stderr):
    """Point ``logger``'s handlers that write to ``stdout`` at ``stderr``."""
    for handler in logger.handlers:
        if (isinstance(handler, logging.StreamHandler)
                and getattr(handler, 'stream', None) is stdout):
            handler.setStream(stderr)

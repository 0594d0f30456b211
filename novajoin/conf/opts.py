"""Entry point for oslo-config-generator (``oslo.config.opts``)."""

from novajoin import conf


def list_opts():
    return conf.list_opts()

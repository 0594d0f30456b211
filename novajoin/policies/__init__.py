"""Default policy rules of the novajoin API, for oslo.policy."""

import itertools

from novajoin.policies import join


def list_rules():
    return list(itertools.chain(join.list_rules()))

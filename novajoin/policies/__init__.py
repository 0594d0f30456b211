"""Default policy rules of the novajoin API, for oslo.policy."""

import itertools

from novajoin.policies import join
from novajoin.policies import services


def list_rules():
    return list(itertools.chain(join.list_rules(), services.list_rules()))

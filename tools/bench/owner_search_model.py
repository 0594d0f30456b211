"""How many ``host_find`` calls the owner listing makes, against a model
of FreeIPA's limits: ``sizelimit`` honoured (100 when not given), and the
directory server's own limit (``nsslapd-sizelimit``, 2000 by default) on
top, even with ``sizelimit=0``. Owners are uniform random UUIDs.

    python3 -m tools.bench.owner_search_model [N ...]

prints N, the searches, and the bound 1.2 x N/100 + 20. No IPA, no
network: the model answers a prefix search from a sorted id list.
"""

import bisect
import random
import sys
import uuid

from novajoin.hosts import inventory
from novajoin.hosts import ownership

DEFAULT_SIZELIMIT = 100
SERVER_SIZELIMIT = 2000
BOUND_CONSTANT = 20


def bound(count):
    """The most searches the issue allows for ``count`` owned hosts."""
    return 1.2 * count / 100 + BOUND_CONSTANT


class ModelIPA(object):
    """host_find over owner records only, answered by id prefix."""

    def __init__(self, count, seed=0, server_sizelimit=SERVER_SIZELIMIT):
        generator = random.Random(seed)
        self.ids = sorted(str(uuid.UUID(int=generator.getrandbits(128),
                                        version=4))
                          for _ in range(count))
        self.server_sizelimit = server_sizelimit
        self.finds = 0
        self.sizelimits = []

    def host_find(self, criteria=None, sizelimit=None, **options):
        assert criteria.startswith(inventory.ID_MARKER), criteria
        assert not options.get('all'), 'the listing asked for all'
        self.finds += 1
        self.sizelimits.append(sizelimit)
        prefix = criteria[len(inventory.ID_MARKER):].lower()
        start = bisect.bisect_left(self.ids, prefix)
        end = bisect.bisect_left(self.ids, prefix + '\uffff')
        limit = DEFAULT_SIZELIMIT if sizelimit is None else sizelimit
        limits = [value for value in (limit, self.server_sizelimit) if value]
        limit = min(limits) if limits else None
        truncated = limit is not None and end - start > limit
        if truncated:
            end = start + limit
        return {'result': [self._entry(i) for i in self.ids[start:end]],
                'truncated': truncated}

    @staticmethod
    def _entry(instance_id):
        return {'fqdn': ['%s.example.test' % instance_id[:13]],
                'description': [ownership.build_description(instance_id)]}


def count_searches(count, seed=0, **model_options):
    """(hosts listed, searches) for ``count`` owned hosts."""
    ipa = ModelIPA(count, seed, **model_options)
    listed = sum(1 for _ in inventory.iter_owned_hosts(ipa))
    return listed, ipa.finds


def main(argv):
    sizes = [int(arg) for arg in argv] or [2000, 20000, 100000]
    print('%10s %10s %10s %10s' % ('N', 'listed', 'host_find', 'bound'))
    for count in sizes:
        listed, finds = count_searches(count)
        print('%10d %10d %10d %10.0f' % (count, listed, finds, bound(count)))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

"""The owner listing's cost against the model of FreeIPA's limits
(tools/bench/owner_search_model.py): uniform random instance ids,
``sizelimit`` honoured with 100 by default and the directory server's
2000 on top. Counts searches; no time is measured.
"""

import pytest

from novajoin.hosts import inventory
from tools.bench import owner_search_model as model


@pytest.mark.parametrize('count', [2000, 20000, 100000])
def test_searches_stay_within_the_bound(count):
    ipa = model.ModelIPA(count, seed=count)
    listed = [host.record.instance_id
              for host in inventory.iter_owned_hosts(ipa)]

    assert sorted(listed) == ipa.ids
    assert ipa.finds <= model.bound(count)
    # Every page is asked for below the directory server's limit.
    assert all(0 < limit <= model.SERVER_SIZELIMIT
               for limit in ipa.sizelimits)


@pytest.mark.parametrize('count', [1601, 22500, 25000, 26000, 40000])
def test_no_cliff_just_past_a_split(count):
    listed, finds = model.count_searches(count, seed=7)
    assert listed == count
    assert finds <= model.bound(count)


def test_a_lower_directory_limit_shrinks_the_pages():
    ipa = model.ModelIPA(3000, seed=1, server_sizelimit=500)
    listing = inventory.OwnerListing(ipa)

    assert sum(1 for _ in listing) == 3000
    assert listing.page_size == 500
    assert listing.searches == ipa.finds


def test_hyphen_positions_have_one_child():
    assert inventory._children('0123456') == [
        '0123456%x' % digit for digit in range(16)]
    assert inventory._children('01234567') == ['01234567-']
    assert inventory._share('01234567-a') == 16.0 ** -9

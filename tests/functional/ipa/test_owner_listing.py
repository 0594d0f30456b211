"""The owner listing against the simulator when the directory server's
own size limit cuts its pages off: it splits the cut-off searches at the
next character of the instance id, across hexadecimal and ``-``
boundaries, and lists every owned host once.
"""

from novajoin.hosts import inventory
from novajoin.hosts import ownership
from tests.fixtures import ipasim

# nsslapd-sizelimit in the simulator: well under the listing's page.
DIRECTORY_LIMIT = 20


def _uuid(head, number):
    """A UUID starting with ``head`` (hex digits and '-')."""
    digits = (head.replace('-', '') + '%04x' % number + '5a' * 16)[:32]
    return '%s-%s-%s-%s-%s' % (digits[:8], digits[8:12], digits[12:16],
                               digits[16:20], digits[20:])


def _owners():
    """{instance id: fqdn} crowding the prefixes around the boundaries."""
    owners = {}
    # 0f0 ... 0ff: more than a page under '0' and under '0f'.
    for number in range(32):
        owners[_uuid('0f%x' % (number % 16), number)] = 'zf%02d' % number
    # Neighbours of '0f' on both sides.
    owners[_uuid('0e', 1)] = 'ze'
    owners[_uuid('10', 2)] = 'z10'
    owners[_uuid('ff', 3)] = 'zff'
    # Twenty-two ids sharing their first 8 digits: the split reaches the
    # '-' (one child only) and the digit after it.
    for number in range(22):
        owners[_uuid('12345678-%x' % (number % 16), number)] = 'h%02d' % (
            number)
    return {instance_id: '%s.example.test' % name
            for instance_id, name in owners.items()}


def test_listing_splits_cut_off_searches_at_id_boundaries(
        ca, tmp_path, make_client):
    owners = _owners()
    with ipasim.run_ipasim(tmp_path / 'sim', ca) as sim:
        ipa = make_client([sim])
        calls = [('host_add', [fqdn], {
            'force': True,
            'description': ownership.build_description(instance_id)})
            for instance_id, fqdn in sorted(owners.items())]
        # Tenant text naming a crowded prefix: matched by the search, not
        # owned, never listed.
        calls.append(('host_add', ['tenant.example.test'], {
            'force': True, 'nshostlocation': '%s0f1' % inventory.ID_MARKER}))
        # An owned host whose location names another instance's prefix:
        # listed once, under its own id.
        owners[_uuid('fa', 4)] = 'shadow.example.test'
        calls.append(('host_add', ['shadow.example.test'], {
            'force': True,
            'description': ownership.build_description(_uuid('fa', 4)),
            'nshostlocation': '%s0f2' % inventory.ID_MARKER}))
        for start in range(0, len(calls), 50):
            for item in ipa.batch(calls[start:start + 50]):
                assert item.error is None, item.error
        sim.admin.control(directory_sizelimit=DIRECTORY_LIMIT)
        sim.admin.reset_stats()

        listing = inventory.OwnerListing(ipa)
        listed = [(host.fqdn, host.record.instance_id) for host in listing]

        finds = sim.admin.calls('host_find')
    assert sorted(listed) == sorted((fqdn, instance_id)
                                    for instance_id, fqdn in owners.items())
    assert listing.skipped == []
    # IPA's answers were cut off at its limit: the pages shrank to it.
    assert listing.page_size == DIRECTORY_LIMIT
    assert listing.searches == finds
    # The root, '0' and '0f' split into 16 each, '1', '12', ..., '1234567'
    # into 16, '12345678' into '-' alone, '12345678-' into 16.
    assert finds <= 1 + 16 * 3 + 16 * 7 + 1 + 16 + 16


def test_one_page_lists_everything_in_one_search(ca, tmp_path, make_client):
    owners = {_uuid('%02x' % n, n): 'vm%03d.example.test' % n
              for n in range(150)}
    with ipasim.run_ipasim(tmp_path / 'sim', ca) as sim:
        ipa = make_client([sim])
        calls = [('host_add', [fqdn], {
            'force': True,
            'description': ownership.build_description(instance_id)})
            for instance_id, fqdn in sorted(owners.items())]
        for start in range(0, len(calls), 50):
            for item in ipa.batch(calls[start:start + 50]):
                assert item.error is None, item.error
        sim.admin.reset_stats()

        found = inventory.owned_hosts(ipa)

        # More than IPA's default 100 entries, in one search.
        assert sim.admin.calls('host_find') == 1
    assert [host.fqdn for host in found] == sorted(owners.values())
    assert found.searches == 1

"""Malformed and hostile vendordata bodies against the running API.

Thousands of bodies nova would never send (broken JSON, wrong shapes,
hostile hostnames and metadata) must each get a 4xx or a harmless 200,
never a 5xx, and must never make the API write to IPA.
"""

import json
import re
import uuid

from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis import strategies as st

from tests.functional.api import conftest

EXAMPLES = 2000

_VALID_LABEL = re.compile(r'(?!-)[A-Za-z0-9-]{1,63}(?<!-)')

json_scalars = (st.none() | st.booleans() | st.integers()
                | st.floats(allow_nan=False, allow_infinity=False)
                | st.text(max_size=40))
json_values = st.recursive(
    json_scalars,
    lambda children: (st.lists(children, max_size=4)
                      | st.dictionaries(st.text(max_size=12), children,
                                        max_size=4)),
    max_leaves=12)

# Hostnames no FQDN may be built from: IPA must never see them.
hostile_hostnames = st.one_of(
    st.text(max_size=80).filter(lambda s: not _VALID_LABEL.fullmatch(s)),
    st.sampled_from(['', '.', '..', 'a.b', 'ipa.example.test', '-x', 'x-',
                     'x' * 64, 'café', 'a b', 'a\x00b', '../../etc',
                     '*', 'admin@EXAMPLE.TEST', 'host\nname']),
    st.builds(lambda a, b: a + '.' + b,
              st.from_regex(r'[a-z]{1,10}', fullmatch=True),
              st.from_regex(r'[a-z]{1,10}', fullmatch=True)),
)

# Metadata without an enrollment request, so any hostname is safe here.
quiet_metadata = st.dictionaries(
    st.text(max_size=20).filter(lambda k: k != 'ipa_enroll'),
    st.text(max_size=60), max_size=5)

enrolling_metadata = st.fixed_dictionaries(
    {'ipa_enroll': st.sampled_from(['true', 'True', 'TRUE'])},
    optional={'ipa_hostclass': st.text(max_size=30),
              'ipa_host_location': st.text(max_size=30)})

instance_ids = st.one_of(st.uuids().map(str), json_values,
                         st.text(max_size=40))


def _body(instance_id, hostname, metadata, extra):
    body = {'project-id': '', 'instance-id': instance_id, 'image-id': '',
            'user-data': None, 'hostname': hostname, 'metadata': metadata,
            'boot-roles': 'member'}
    body.update(extra)
    return json.dumps(body)


near_valid_bodies = st.one_of(
    st.builds(_body, instance_ids, hostile_hostnames,
              enrolling_metadata | quiet_metadata,
              st.dictionaries(st.sampled_from(['user-data', 'boot-roles',
                                               'project-id', 'extra']),
                              json_values, max_size=2)),
    # Hostnames of the wrong type (strings are hostile_hostnames' job: a
    # generated string may be a valid name, and enrolling it is right).
    st.builds(_body, instance_ids,
              json_values.filter(lambda v: not isinstance(v, str)),
              enrolling_metadata, st.just({})),
    st.builds(_body, st.uuids().map(str), st.text(max_size=40),
              json_values.filter(lambda v: not isinstance(v, dict)),
              st.just({})),
)

hostile_bodies = st.one_of(
    st.binary(max_size=300),
    json_values.map(json.dumps),
    st.dictionaries(st.sampled_from(['hostname', 'instance-id', 'metadata',
                                     'project-id', 'image-id']),
                    json_values).map(json.dumps),
    near_valid_bodies,
    near_valid_bodies.map(lambda text: text[:len(text) // 2]),
)


def _writes(stats):
    return {name: count for name, count in stats['calls'].items()
            if not name.endswith(('_show', '_find')) and name != 'ping'}


def test_hostile_bodies_get_no_5xx_and_no_ipa_write(novajoin, nova, sim):
    sim.admin.reset_stats()
    statuses = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(raw=hostile_bodies)
    def check(raw):
        response = nova.post(None, data=raw)
        statuses.append(response.status_code)
        assert response.status_code < 500, (raw, response.text)
        assert response.headers['Content-Type'].startswith(
            'application/json'), response.text
        if response.status_code == 200:
            assert response.json() == {}

    check()
    assert len(statuses) >= EXAMPLES
    assert _writes(sim.admin.stats()) == {}
    assert sim.admin.hosts() == []
    # The run exercised refusals, not only one kind of answer.
    assert {400, 200} <= set(statuses)


def test_valid_request_still_served_after_fuzzing(nova, sim):
    response = nova.post(conftest.vendordata_body(
        instance_id=str(uuid.uuid4())))
    assert response.status_code == 200, response.text

"""The steps of a service request import each other in one direction.

metadata (parse) -> state (read) -> confinement (plan) -> writes (apply),
with manager calling them in that order and rules beneath them all: no
step imports a later step or the manager, so no step can call back into
one the request has left.
"""

import pathlib

import pytest

from tests.unit import test_layers

SERVICES = test_layers.PACKAGE / 'services'

# What each module may import from novajoin.services.
ALLOWED = {
    'rules': set(),
    'metadata': set(),
    'state': {'metadata', 'rules'},
    'confinement': {'metadata', 'rules', 'state'},
    'writes': {'metadata', 'rules'},
    'release': {'metadata', 'state'},
    'records': {'metadata'},
}


def _service_imports(name):
    source = (SERVICES / ('%s.py' % name)).read_text()
    module = 'novajoin.services.%s' % name
    found = set()
    for imported in test_layers._imported_modules(source, module):
        parts = imported.split('.')
        if parts[:2] == ['novajoin', 'services'] and len(parts) > 2:
            found.add(parts[2])
    return found


def test_every_step_module_is_listed():
    modules = {p.stem for p in pathlib.Path(SERVICES).glob('*.py')}
    assert modules - {'__init__', 'manager'} == set(ALLOWED)


@pytest.mark.parametrize('name', sorted(ALLOWED))
def test_a_step_imports_no_later_step(name):
    assert _service_imports(name) <= ALLOWED[name]

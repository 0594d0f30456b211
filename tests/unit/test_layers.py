"""Imports inside novajoin point one way: edges -> domain -> clients/config.

Each top-level part of the package has a layer; a module may import its own
part and parts of lower layers only. Parts that share a layer do not import
each other, so no cycle can form between them. The graph is read from the
source with :mod:`ast` (imports inside functions count too).
"""

import ast
import pathlib
import shutil

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / 'novajoin'

# Lowest first. The contributor guide's "Code map"
# (doc/source/contributor/layout.rst) shows the same layers.
LAYERS = (
    ('exception', 'metrics'),                     # cross-cutting
    ('conf',),                                    # configuration
    ('policies', 'ipa', 'openstack'),             # rules; other services
    ('hosts',),                                   # domain: the host entry
    ('services',),                                # domain: TLS services
    ('api', 'notify', 'install'),                 # edges
    ('manage',),                                  # operator commands
    ('cmd', 'wsgi'),                              # entry points
)
LAYER_OF = {part: rank for rank, parts in enumerate(LAYERS) for part in parts}


def _module_name(path, package_dir):
    rel = path.relative_to(package_dir.parent).with_suffix('')
    parts = rel.parts[:-1] if rel.name == '__init__' else rel.parts
    return '.'.join(parts)


def _imported_modules(source, module):
    """Every novajoin module or package a source imports."""
    package = module if module.count('.') == 0 else module.rsplit('.', 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                anchor = package.split('.')
                anchor = anchor[:len(anchor) - node.level + 1]
                base = '.'.join(anchor + ([base] if base else []))
            for alias in node.names:
                yield '%s.%s' % (base, alias.name) if base else alias.name


def _part(dotted):
    """The top-level part of novajoin a dotted name belongs to, or None."""
    names = dotted.split('.')
    if names[0] != 'novajoin' or len(names) < 2:
        return None
    return names[1]


def upward_imports(package_dir=PACKAGE):
    """(importer, imported) pairs that break the layering."""
    found = []
    for path in sorted(package_dir.rglob('*.py')):
        module = _module_name(path, package_dir)
        own = _part(module)
        if own is None:
            continue
        for imported in _imported_modules(path.read_text(), module):
            other = _part(imported)
            if other is None or other == own:
                continue
            if other not in LAYER_OF:
                # "from novajoin import x" where x is a part, or a module
                # that is not a part: both must be known parts.
                found.append((module, imported))
            elif LAYER_OF[other] >= LAYER_OF[own]:
                found.append((module, imported))
    return found


def test_every_part_has_a_layer():
    parts = {p.stem if p.is_file() else p.name
             for p in PACKAGE.iterdir()
             if (p.is_dir() and (p / '__init__.py').exists())
             or (p.suffix == '.py' and p.stem != '__init__')}
    assert parts == set(LAYER_OF)


def test_imports_point_down_only():
    assert upward_imports() == []


@pytest.mark.parametrize('importer,line', [
    ('hosts/enrollment.py', 'from novajoin.api import errors\n'),
    ('ipa/client.py', 'from novajoin.hosts import ownership\n'),
    ('hosts/otp.py', 'from novajoin import services\n'),
    ('api/errors.py', 'from novajoin.notify import payloads\n'),
    ('conf/api.py', '    import novajoin.policies.enforcer\n'),
])
def test_an_upward_import_is_found(tmp_path, importer, line):
    copy = tmp_path / 'novajoin'
    shutil.copytree(PACKAGE, copy,
                    ignore=shutil.ignore_patterns('__pycache__', 'data'))
    target = copy / importer
    source = target.read_text()
    if line.startswith(' '):
        source += '\n\ndef _added():\n' + line
    else:
        source = line + source
    target.write_text(source)
    assert upward_imports(copy) != []


# A class a reader can hold in mind; configuration (conf/) is option lists.
MAX_CLASS_LINES = 150


def test_no_long_classes():
    long_classes = []
    for path in sorted(PACKAGE.rglob('*.py')):
        if path.relative_to(PACKAGE).parts[0] == 'conf':
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_CLASS_LINES:
                    long_classes.append((str(path.relative_to(PACKAGE)),
                                         node.name, lines))
    assert long_classes == []

"""Release notes (reno) are valid and name only options that exist.

A note that tells an operator to set ``[group] option`` is useless, or
worse, when novajoin reads no such option. Every option a note names in
that form must be one of join.conf's options (the namespaces of
``etc/novajoin/novajoin-config-generator.conf``, novajoin's own through its
``oslo.config.opts`` entry point), or a deprecated name one of them still
reads. Options of another service's file are written with that file in the
literal, ``nova.conf [api] vendordata_providers``, and are not checked.
"""

import collections
import importlib.metadata
import pathlib
import re

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[3]
NOTES_DIR = ROOT / 'releasenotes' / 'notes'
GENERATOR_CONF = ROOT / 'etc/novajoin/novajoin-config-generator.conf'

# reno's default sections; releasenotes/ has no config.yaml changing them.
RENO_SECTIONS = frozenset([
    'prelude', 'features', 'issues', 'upgrade', 'deprecations', 'critical',
    'security', 'fixes', 'other'])

# ``[group] option``, ``[group] option = value``, ``[group]`` or
# ``other.conf [group] option``; a literal may be wrapped over lines.
_REFERENCE = re.compile(
    r'``(?:(?P<file>[\w.-]+\.conf)\s+)?\[(?P<group>[A-Za-z_][\w-]*)\]'
    r'(?:\s+(?P<option>[A-Za-z_][\w-]*)(?:\s*=[^`]*)?)?``')
_OWN_FILE = 'join.conf'


def _normal(name):
    return name.replace('-', '_')


def _namespaces():
    text = GENERATOR_CONF.read_text(encoding='utf-8')
    return re.findall(r'^namespace = (\S+)$', text, re.MULTILINE)


def join_conf_options():
    """``{group: option names}`` of join.conf, deprecated names included."""
    entry_points = {entry.name: entry for entry in
                    importlib.metadata.entry_points(group='oslo.config.opts')}
    known = collections.defaultdict(set)
    for namespace in _namespaces():
        for group, opts in entry_points[namespace].load()():
            group_name = getattr(group, 'name', group) or 'DEFAULT'
            for opt in opts:
                known[group_name].update(
                    {_normal(opt.name), _normal(opt.dest)})
                for old in opt.deprecated_opts:
                    known[old.group or group_name].add(
                        _normal(old.name or opt.name))
    return known


def note_problems(path, known):
    """What is wrong with the note at ``path``; empty when nothing is."""
    try:
        note = yaml.safe_load(path.read_text(encoding='utf-8'))
    except yaml.YAMLError as exc:
        return ['not valid YAML: %s' % exc]
    if not isinstance(note, dict) or not note:
        return ['not a mapping of reno sections']
    problems = []
    texts = []
    for section, content in note.items():
        if section not in RENO_SECTIONS:
            problems.append('unknown section %r' % section)
            continue
        entries = [content] if section == 'prelude' else content
        if not isinstance(entries, list) or not entries or not all(
                isinstance(entry, str) and entry.strip()
                for entry in entries):
            problems.append('section %r is not %s' % (
                section, 'a text' if section == 'prelude'
                else 'a list of texts'))
            continue
        texts += entries
    for reference in _REFERENCE.finditer('\n'.join(texts)):
        if reference['file'] not in (None, _OWN_FILE):
            continue
        literal = ' '.join(reference[0].split())
        group, option = reference['group'], reference['option']
        if group not in known:
            problems.append('%s: no option group [%s] in join.conf'
                            % (literal, group))
        elif option is not None and _normal(option) not in known[group]:
            problems.append('%s: no option %s in [%s], not even a '
                            'deprecated name' % (literal, option, group))
    return problems


@pytest.fixture(scope='module')
def known_options():
    return join_conf_options()


def _notes():
    return sorted(NOTES_DIR.glob('*.yaml'))


def test_there_are_release_notes():
    assert _notes()


@pytest.mark.parametrize('path', _notes(), ids=lambda path: path.name)
def test_note_is_valid_and_names_real_options(path, known_options):
    assert note_problems(path, known_options) == []


def test_only_one_note_has_a_prelude():
    preludes = [path.name for path in _notes()
                if 'prelude' in yaml.safe_load(path.read_text('utf-8'))]
    assert len(preludes) == 1, preludes


def test_note_file_names_carry_renos_unique_suffix():
    for path in _notes():
        assert re.fullmatch(r'[a-z0-9-]+-[0-9a-f]{16}\.yaml', path.name), (
            path.name)


def test_known_options_hold_current_and_deprecated_names(known_options):
    assert 'otp_key_file' in known_options['enrollment']
    # [ipa] keytab still reads novajoin 1.3.0's [DEFAULT] keytab.
    assert 'keytab' in known_options['DEFAULT']
    assert 'memcache_servers' in known_options['cache']
    assert 'memcache_secret_key' in known_options['keystone_authtoken']
    assert 'otp_key' not in known_options['enrollment']


def _doctored(tmp_path, text):
    path = tmp_path / 'doctored-0123456789abcdef.yaml'
    path.write_text(text, encoding='utf-8')
    return path


def test_check_refuses_a_note_naming_an_option_that_does_not_exist(
        tmp_path, known_options):
    path = _doctored(tmp_path, (
        'upgrade:\n'
        '  - |\n'
        '    Set ``[enrollment] otp_key_file`` and ``[enrollment] otp_key``,\n'
        '    ``[DEFAULT] keytab`` (deprecated name), ``[ipa] keytab`` and\n'
        '    ``[notify]\n'
        '    rebuild_reenrol = false``.\n'))
    assert note_problems(path, known_options) == [
        '``[enrollment] otp_key``: no option otp_key in [enrollment], not '
        'even a deprecated name',
        '``[notify] rebuild_reenrol = false``: no option '
        'rebuild_reenrol in [notify], not even a deprecated name']


def test_check_refuses_an_unknown_group_unless_another_file_is_named(
        tmp_path, known_options):
    path = _doctored(tmp_path, (
        'upgrade:\n'
        '  - Set ``nova.conf [api] vendordata_providers`` and\n'
        '    ``[vendordata_dynamic_auth]``; ``join.conf [ipa] servers``\n'
        '    and ``join.conf [ipa] server``.\n'))
    assert note_problems(path, known_options) == [
        '``[vendordata_dynamic_auth]``: no option group '
        '[vendordata_dynamic_auth] in join.conf',
        '``join.conf [ipa] server``: no option server in [ipa], not even a '
        'deprecated name']


def test_check_refuses_unknown_sections_and_bad_yaml(tmp_path,
                                                     known_options):
    unknown = _doctored(tmp_path, 'feature:\n  - singular, not reno\'s\n')
    assert note_problems(unknown, known_options) == [
        "unknown section 'feature'"]
    broken = _doctored(tmp_path, 'fixes:\n  - [unclosed\n')
    assert note_problems(broken, known_options)[0].startswith(
        'not valid YAML')
    not_a_list = _doctored(tmp_path, 'fixes: 3\n')
    assert note_problems(not_a_list, known_options) == [
        "section 'fixes' is not a list of texts"]

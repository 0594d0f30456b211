"""Generated documents: both JSON readers of the script report the same.

The readers are taken from novajoin-enroll.sh as shipped and run the way it
runs them; the expected report is computed here from the parsed document.
"""

import json
import re
import shutil
import subprocess

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from tests.functional.instance import guest as g

SCRIPT_TEXT = g.ENROLL_SCRIPT.read_text()
AWK_PARSER = re.search(r"\nAWK_PARSER='(.*?)\n'\n", SCRIPT_TEXT, re.S).group(1)
PYTHON_PARSER = re.search(r"\nPYTHON_PARSER='(.*?)\n'\n", SCRIPT_TEXT,
                          re.S).group(1)
JOIN_KEYS = ('hostname', 'krb_realm', 'ipaotp')

# Any text JSON can carry, lone surrogates aside (not encodable as UTF-8).
texts = st.text(st.characters(blacklist_categories=('Cs',)), max_size=12)
# Characters that JSON escapes or that a byte-wise reader could trip on.
TRICKY_CHARACTERS = list('aZ9 ~-.\'"\\/{}[],:') + [
    '\n', '\t', '\x00', '\x1f', '\x7f', '\u00e9', '\u2603', '\U0001f600']
tricky_texts = st.text(st.sampled_from(TRICKY_CHARACTERS), max_size=10)
names = st.one_of(texts, st.sampled_from(JOIN_KEYS + ('join', 'static')))
scalars = st.one_of(st.none(), st.booleans(), st.integers(),
                    st.floats(allow_nan=False, allow_infinity=False), texts,
                    tricky_texts)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(names, inner, max_size=3)),
    max_leaves=12)
join_entries = st.one_of(
    st.dictionaries(st.one_of(st.sampled_from(JOIN_KEYS), texts),
                    st.one_of(tricky_texts, values), max_size=5),
    values)
documents = st.builds(
    lambda other, join, with_join: dict(other, join=join) if with_join
    else {k: v for k, v in other.items() if k != 'join'},
    st.dictionaries(names, values, max_size=4), join_entries, st.booleans())
layouts = st.sampled_from([
    dict(ensure_ascii=True),
    dict(ensure_ascii=False),
    dict(ensure_ascii=True, indent='\t'),
    dict(ensure_ascii=False, indent=3, separators=(' ,', ' : ')),
])


def expected_report(document):
    if 'join' not in document:
        return ['join absent']
    join = document['join']
    if not isinstance(join, dict):
        return ['join other']
    report = ['join object']
    for key in JOIN_KEYS:
        if key not in join:
            continue
        value = join[key]
        if isinstance(value, str) and all(' ' <= c <= '~' for c in value):
            report.append('field %s %s' % (key, value))
        else:
            report.append('badfield %s' % key)
    return report


def read_with(command, text):
    result = subprocess.run(command, input=text.encode('utf-8'),
                            capture_output=True, env={'LC_ALL': 'C'})
    assert result.returncode == 0, result.stderr
    return result.stdout.decode('utf-8').splitlines()


def tool(name):
    path = shutil.which(name)
    assert path, '%s is needed for these tests (bindep.txt)' % name
    return path


@settings(max_examples=40, deadline=None)
@given(documents, layouts)
def test_awk_and_python_readers_agree_with_the_document(document, layout):
    text = json.dumps(document, **layout)
    expected = expected_report(document)

    assert read_with([tool('python3'), '-I', '-c', PYTHON_PARSER],
                     text) == expected
    for awk in (['mawk'], ['gawk'], ['busybox', 'awk']):
        command = [tool(awk[0])] + awk[1:] + [AWK_PARSER]
        assert read_with(command, text) == expected, awk

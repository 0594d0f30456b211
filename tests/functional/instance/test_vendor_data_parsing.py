"""Reading the join entry: python3 where the guest has it, awk where not.

Each document is put on a config drive tree and the script is run with
each reader; both must take the same decision and pass the same values to
ipa-client-install.
"""

import json

import pytest

from tests.functional.instance import guest as g

READERS = ('python3', 'mawk', 'gawk', 'busybox')

UNUSUAL_BUT_VALID = {
    'whitespace-and-key-order': (
        ' \r\n\t{ "join" :\n\t{\r\n "ipaotp"\t:\t"Secret-1" ,\n'
        ' "krb_realm" : "EXAMPLE.TEST",  "hostname":"vm1.project.example.test"'
        '\n}\n,"static":{ } }\n\n',
        'Secret-1'),
    'decoy-join-inside-a-string': (
        '{"static": {"note": "{\\"join\\": {\\"ipaotp\\": \\"decoy\\"}}"},'
        ' "join": {"hostname": "vm1.project.example.test",'
        ' "krb_realm": "EXAMPLE.TEST", "ipaotp": "Real-0tp"}}',
        'Real-0tp'),
    'decoys-in-nested-objects': (
        '{"static": {"join": {"ipaotp": "decoy1"}}, "join": {'
        '"extra": {"ipaotp": "decoy2", "hostname": "evil.example.test"},'
        ' "hostname": "vm1.project.example.test", "krb_realm": "EXAMPLE.TEST",'
        ' "ipaotp": "Real-0tp", "list": [{"ipaotp": "decoy3"}]}}',
        'Real-0tp'),
    'unicode-escapes-in-names-and-values': (
        '{"\\u006aoin": {"hostn\\u0061me": "vm1.project.example.t\\u0065st",'
        ' "krb_realm": "EXAMPLE.TEST", "ipaotp": "p\\u0040ss\\u007E"},'
        ' "static": {"greeting": "\\u00e9t\\u00e9 \\ud83d\\ude00"}}',
        'p@ss~'),
    'raw-utf8-elsewhere': (
        '{"static": {"name": "\u00e9t\u00e9 \u2603"}, "join": {'
        '"hostname": "vm1.project.example.test", "krb_realm": "EXAMPLE.TEST",'
        ' "ipaotp": "Real-0tp"}}',
        'Real-0tp'),
    'json-escapes-in-the-otp': (
        '{"join": {"hostname": "vm1.project.example.test",'
        ' "krb_realm": "EXAMPLE.TEST", "ipaotp": "a\\\\b\\"c\\/d"}}',
        'a\\b"c/d'),
    'shell-metacharacters-in-the-otp': (
        json.dumps({'join': {'hostname': g.FQDN, 'krb_realm': g.REALM,
                             'ipaotp': "$(touch pwned) `id` '*' ; | &"}}),
        "$(touch pwned) `id` '*' ; | &"),
    'numbers-literals-arrays': (
        '{"a": [1, -0, 2.5e-3, 1E+2, true, false, null, [], {}, [[]]],'
        ' "join": {"hostname": "vm1.project.example.test",'
        ' "krb_realm": "EXAMPLE.TEST", "ipaotp": "Real-0tp"}, "z": -12.75}',
        'Real-0tp'),
    'last-duplicate-join-wins': (
        '{"join": {"hostname": "old.example.test", "krb_realm": "OLD",'
        ' "ipaotp": "old"}, "join": {"hostname": "vm1.project.example.test",'
        ' "krb_realm": "EXAMPLE.TEST", "ipaotp": "N3w-0tp"}}',
        'N3w-0tp'),
}

MALFORMED = {
    'truncated': '{"join": {"hostname": "vm1.example.test"',
    'trailing-comma': '{"join": {"ipaotp": "x",}}',
    'single-quotes': "{'join': {'ipaotp': 'x'}}",
    'nan': '{"join": {"ipaotp": "x"}, "n": NaN}',
    'bad-escape': '{"join": {"ipaotp": "a\\qb"}}',
    'short-unicode-escape': '{"join": {"ipaotp": "\\u12"}}',
    'raw-newline-in-string': '{"join": {"ipaotp": "a\nb"}}',
    'trailing-data': '{"join": {}} {"join": {}}',
    'unquoted-name': '{join: {}}',
    'empty-file': '',
    'top-level-array': '[{"join": {"ipaotp": "x"}}]',
    'bad-number': '{"n": 01, "join": {}}',
}


def run_reader(guest, tmp_path, reader, body, shell='bash'):
    tree = g.write_config_drive_tree(tmp_path / 'config-drive',
                                     {'latest': body})
    if reader != 'python3':
        guest.without_python3()
        guest.use_awk(reader)
    return guest.run(shell, NOVAJOIN_CONFIG_DRIVE_DIR=str(tree))


@pytest.mark.parametrize('reader', READERS)
@pytest.mark.parametrize('case', sorted(UNUSUAL_BUT_VALID))
def test_unusual_but_valid_documents_give_the_same_enrollment(
        guest, tmp_path, reader, case):
    body, otp = UNUSUAL_BUT_VALID[case]

    result = run_reader(guest, tmp_path, reader, body)

    assert result.returncode == 0, result.stderr
    [call] = guest.ipa_calls()
    assert g.args_without_password(call) == g.expected_ipa_args()
    assert g.password_given(call) == otp
    assert not (tmp_path / 'pwned').exists()
    g.assert_otp_kept_secret(guest, result, otp)


@pytest.mark.parametrize('reader', READERS)
@pytest.mark.parametrize('case', sorted(MALFORMED))
def test_malformed_documents_fail_clearly(guest, tmp_path, reader, case):
    result = run_reader(guest, tmp_path, reader, MALFORMED[case])

    assert result.returncode == 1
    assert 'vendor_data2.json from %s' % (
        tmp_path / 'config-drive/openstack/latest/vendor_data2.json'
    ) in result.stderr
    assert 'is malformed' in result.stderr
    assert guest.ipa_calls() == []
    assert guest.leftovers() == []


@pytest.mark.parametrize('reader', READERS)
@pytest.mark.parametrize('join,message', [
    ('[]', 'the join entry in'),
    ('{"hostname": 5, "krb_realm": "R", "ipaotp": "x"}',
     'join.hostname in'),
    ('{"hostname": "vm1.example.test", "krb_realm": "R", "ipaotp": null}',
     'join.ipaotp in'),
    ('{"hostname": "vm1.example.test", "krb_realm": "R",'
     ' "ipaotp": "tab\\there"}', 'join.ipaotp in'),
    ('{"hostname": "vm1.example.test", "krb_realm": "R",'
     ' "ipaotp": "caf\\u00e9"}', 'join.ipaotp in'),
    ('{"hostname": "vm1;reboot.example.test", "krb_realm": "R",'
     ' "ipaotp": "x"}', "join.hostname 'vm1;reboot.example.test' is not"),
    ('{"hostname": "vm1", "krb_realm": "R", "ipaotp": "x"}',
     "join.hostname 'vm1' is not fully qualified"),
    ('{"hostname": "vm1.example.test", "krb_realm": "R$(id)",'
     ' "ipaotp": "x"}', "join.krb_realm 'R$(id)' is not"),
    ('{"krb_realm": "R", "ipaotp": "x"}', 'has an OTP but no hostname'),
    ('{"hostname": "vm1.example.test", "ipaotp": "x"}',
     'has an OTP but no krb_realm'),
], ids=['not-an-object', 'number-hostname', 'null-otp', 'control-in-otp',
        'non-ascii-otp', 'bad-hostname', 'short-hostname', 'bad-realm',
        'no-hostname', 'no-realm'])
def test_unusable_join_entries_fail_without_enrolling(
        guest, tmp_path, reader, join, message):
    result = run_reader(guest, tmp_path, reader, '{"join": %s}' % join)

    assert result.returncode == 1
    assert message in result.stderr
    assert guest.ipa_calls() == []


@pytest.mark.parametrize('shell', g.SHELLS)
@pytest.mark.parametrize('reader', READERS)
def test_readers_work_under_every_shell(guest, tmp_path, reader, shell):
    body, otp = UNUSUAL_BUT_VALID['unicode-escapes-in-names-and-values']

    result = run_reader(guest, tmp_path, reader, body, shell=shell)

    assert result.returncode == 0, result.stderr
    assert g.password_given(guest.ipa_calls()[0]) == otp

"""Every ``[group] option`` the guides name is an option the code has."""

from tests.unit.docs import doc_names


def test_every_documented_option_exists():
    known = doc_names.known_options()
    unknown = {path: sorted(doc_names.unknown_options(text, known))
               for path, text in doc_names.doc_texts().items()}
    assert {path: names for path, names in unknown.items() if names} == {}


def test_the_guides_name_options_at_all():
    named = set().union(*(doc_names.documented_options(text)
                          for text in doc_names.doc_texts().values()))
    assert ('ipa', 'timeout') in named
    assert ('enrollment', 'otp_key_file') in named
    assert ('metrics', 'api_port_path') in named


def test_a_misspelt_option_is_reported():
    text = ('Set ``[ipa] timeout`` and ``[ipa]\n  timout``, then::\n\n'
            '    [notify]\n    max_in_flight = 8\n    # pool_nam = x\n')
    assert doc_names.unknown_options(text) == {('ipa', 'timout'),
                                               ('notify', 'pool_nam')}


def test_an_option_of_a_group_it_is_not_in_is_reported():
    assert doc_names.unknown_options('``[api] otp_key_file``') == {
        ('api', 'otp_key_file')}

"""Every policy rule the guides name is one novajoin.policies defines."""

from tests.unit.docs import doc_names


def test_every_documented_policy_exists():
    unknown = {path: sorted(doc_names.unknown_policies(text))
               for path, text in doc_names.doc_texts().items()}
    assert {path: names for path, names in unknown.items() if names} == {}


def test_every_policy_is_documented_by_name():
    text = '\n'.join(doc_names.doc_texts().values())
    for name in doc_names.known_policies():
        assert name in text, name


def test_a_misspelt_policy_is_reported():
    text = '``join:create`` and ``join:managed_service``'
    assert doc_names.unknown_policies(text) == {'join:managed_service'}

import pytest

from novajoin import exception
from novajoin.hosts import tenant_text


@pytest.mark.parametrize('value', ['rack 4', 'DC-1/row_2 (east)', 'a',
                                   'x' * tenant_text.MAX_LENGTH])
def test_plain_text_is_stored(value):
    assert tenant_text.check('location', value) == value


@pytest.mark.parametrize('value', [
    '"nova_instance_id": "0123', '{"a": 1}', 'line\nbreak', ' padded',
    'x' * (tenant_text.MAX_LENGTH + 1), 'caf\u00e9', 'a:b'])
def test_other_text_is_refused_with_the_reason(value):
    with pytest.raises(exception.InvalidRequest) as caught:
        tenant_text.check('metadata ipa_host_location', value)
    assert 'metadata ipa_host_location' in str(caught.value)

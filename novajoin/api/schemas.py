"""JSON schemas of request bodies, and the one way they are enforced.

Validation messages are built from the schema and the path of the failing
value, never from the value itself: request bodies are tenant-controlled
and may be large or deeply nested.
"""

import jsonschema

from novajoin.api import errors

_UUID_PATTERN = ('^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?'
                 '[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$')

_SHORT_STRING = {'type': 'string', 'maxLength': 255}

# What nova's DynamicJSON provider POSTs (nova/api/metadata/
# vendordata_dynamic.py). Unknown keys are allowed so that a newer nova
# adding one does not break enrollment.
VENDORDATA_REQUEST = {
    'type': 'object',
    'properties': {
        'project-id': {'type': ['string', 'null'], 'maxLength': 255},
        'instance-id': {'type': 'string', 'pattern': _UUID_PATTERN},
        # Empty for instances booted from a volume.
        'image-id': {'type': ['string', 'null'], 'maxLength': 255},
        'user-data': {'type': ['string', 'null']},
        'hostname': {'type': 'string', 'minLength': 1, 'maxLength': 255},
        'metadata': {
            'type': ['object', 'null'],
            'propertyNames': _SHORT_STRING,
            'additionalProperties': _SHORT_STRING,
        },
        'boot-roles': {'type': ['string', 'null'], 'maxLength': 4096},
    },
    'required': ['instance-id', 'hostname'],
    'additionalProperties': True,
}


def validate(schema, document):
    """Raise :class:`errors.BadRequest` naming the first violation."""
    validator = _validator_for(schema)
    error = next(iter(validator.iter_errors(document)), None)
    if error is not None:
        raise errors.BadRequest(describe(error))


_validators = {}


def _validator_for(schema):
    # Building a validator costs more than checking nova's small body.
    validator = _validators.get(id(schema))
    if validator is None or validator.schema is not schema:
        validator = jsonschema.Draft7Validator(schema)
        _validators[id(schema)] = validator
    return validator


def describe(error):
    """A message for a jsonschema ValidationError without its instance."""
    where = _location(error.absolute_path)
    if error.validator == 'required':
        missing = [name for name in error.validator_value
                   if name not in error.instance]
        return '%s: missing required key %s' % (
            where, ', '.join(repr(name) for name in missing))
    if error.validator == 'type':
        expected = error.validator_value
        if isinstance(expected, list):
            expected = ' or '.join(expected)
        return '%s: must be of type %s' % (where, expected)
    if error.validator == 'pattern':
        return '%s: must be a UUID' % where
    if error.validator in ('maxLength', 'minLength'):
        return '%s: length must be %s %d' % (
            where, 'at most' if error.validator == 'maxLength'
            else 'at least', error.validator_value)
    return '%s: fails the %r check' % (where, error.validator)


def _location(path):
    parts = ['body']
    for element in path:
        if isinstance(element, int):
            parts.append('[%d]' % element)
        else:
            parts.append('[%r]' % _truncate(element))
    return ''.join(parts)


def _truncate(text, limit=64):
    return text if len(text) <= limit else text[:limit] + '...'

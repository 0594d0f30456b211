"""Keep our dependencies' deprecation notices out of operators' logs.

eventlet deprecates itself, and oslo.service its eventlet server, sslutils
and backdoor (the forward path is novajoin.wsgi.api under httpd or uWSGI);
webob still imports ``cgi``. These are known, and printing them at every
start only buries what the operator needs to see. Only the standard library
is imported here, so this can run before ``eventlet.monkey_patch()``.
"""

import warnings

# (category, message regex, module regex); empty regexes match anything.
_IGNORED = (
    (Warning, r'\s*Eventlet is deprecated', ''),
    (DeprecationWarning, r'Eventlet support is deprecated', ''),
    (DeprecationWarning, '', r'eventlet(\.|$)'),
    (DeprecationWarning, '', r'oslo_service(\.|$)'),
    (DeprecationWarning, '', r'oslo_utils\.eventletutils$'),
    (DeprecationWarning, '', r'webob\.compat$'),
    (DeprecationWarning, r".*class 'Server'", ''),
    (DeprecationWarning, r'.*oslo_service', ''),
)


def ignore():
    for category, message, module in _IGNORED:
        warnings.filterwarnings('ignore', message=message, category=category,
                                module=module)

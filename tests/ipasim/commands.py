"""The command table and the JSON-RPC dispatcher (``wsgi_execute``).

Signatures come from ``API.txt`` (:mod:`tests.ipasim.contract`); every
command there has a handler here, and the output options (``all``,
``raw``, ``rights``, ``no_members``) are applied the same way to all.
"""

import logging
import threading

from tests.ipasim import access
from tests.ipasim import contract
from tests.ipasim import dns
from tests.ipasim import hosts
from tests.ipasim import output as output_options
from tests.ipasim import rbac
from tests.ipasim import rpc
from tests.ipasim import servers
from tests.ipasim import services

LOG = logging.getLogger(__name__)

DIRECTORY_HANDLERS = {
    'host_add': hosts.host_add, 'host_mod': hosts.host_mod,
    'host_show': hosts.host_show, 'host_find': hosts.host_find,
    'host_del': hosts.host_del, 'host_disable': hosts.host_disable,
    'host_add_managedby': hosts.host_add_managedby,
    'host_remove_managedby': hosts.host_remove_managedby,
    'service_add': services.service_add, 'service_mod': services.service_mod,
    'service_show': services.service_show,
    'service_find': services.service_find,
    'service_del': services.service_del,
    'service_disable': services.service_disable,
    'service_add_host': services.service_add_host,
    'service_remove_host': services.service_remove_host,
    'dnsrecord_add': dns.dnsrecord_add, 'dnsrecord_del': dns.dnsrecord_del,
    'dnsrecord_find': dns.dnsrecord_find,
    'dnsrecord_show': dns.dnsrecord_show, 'dnszone_show': dns.dnszone_show,
    'server_find': servers.server_find,
}
ENGINE_COMMANDS = ('ping', 'session_logout', 'batch')
# Permissions, privileges and roles (novajoin-install).
DIRECTORY_HANDLERS.update(rbac.HANDLERS)


class Caller(object):
    """Who is calling: the session principal, a way to end the session
    (``session_logout``) and what the principal may do
    (:mod:`tests.ipasim.access`; everything unless told otherwise).
    """

    def __init__(self, principal, end_session, caller_access=None):
        self.principal = principal
        self.end_session = end_session
        self.access = caller_access or access.FULL


class CallCounter(object):
    """Calls per command, in all and per calling principal."""

    def __init__(self):
        self._lock = threading.Lock()
        self._calls = {}
        self._by_principal = {}

    def count(self, name, principal=None):
        with self._lock:
            self._calls[name] = self._calls.get(name, 0) + 1
            if principal is not None:
                mine = self._by_principal.setdefault(principal, {})
                mine[name] = mine.get(name, 0) + 1

    def snapshot(self):
        with self._lock:
            return dict(self._calls)

    def by_principal(self):
        with self._lock:
            return {principal: dict(calls)
                    for principal, calls in self._by_principal.items()}

    def reset(self):
        with self._lock:
            self._calls.clear()
            self._by_principal.clear()


def writes(command):
    """Whether a command changes the directory (for write latency)."""
    return not (command.endswith(('_show', '_find'))
                or command in ('ping', 'session_logout', 'batch'))


def _batch_writes(args):
    items = args[0] if len(args) == 1 and isinstance(args[0], list) else args
    for item in items:
        method = item.get('method') if isinstance(item, dict) else None
        if isinstance(method, str) and writes(method.split('/')[0]):
            return True
    return False


class Engine(object):
    def __init__(self, directory, api_version, release, server_uri,
                 latency):
        self.directory = directory
        self.api_version = api_version
        self.release = release
        self.server_uri = server_uri
        self.latency = latency
        self.calls = CallCounter()
        self.signatures = contract.load()
        self.signatures.update(rbac.SIGNATURES)
        unserved = set(self.signatures) - set(DIRECTORY_HANDLERS) - set(
            ENGINE_COMMANDS)
        if unserved:
            raise RuntimeError('API.txt commands without a handler: %s'
                               % ', '.join(sorted(unserved)))

    def handle(self, body, caller):
        """A request body -> (response envelope, command name or None)."""
        request_id = None
        command = None
        try:
            method, args, options, request_id = rpc.unmarshal(body)
            command = self._command_name(method)
        except rpc.IPAError as e:
            self.latency.pause(writes=False)
            return (rpc.envelope(None, e, request_id, caller.principal,
                                 self.release), command)
        self.calls.count(command, caller.principal)
        self.latency.pause(writes(command) or (
            command == 'batch' and _batch_writes(args)))
        try:
            output = self.execute(command, args, options, caller)
            capability = (rpc.parse_version(options.get('version'))
                          or rpc.NO_VERSION_CAPABILITY)
            result = rpc.encode(output, capability)
            error = None
        except rpc.IPAError as e:
            result, error = None, e
        return (rpc.envelope(result, error, request_id, caller.principal,
                             self.release), command)

    def handle_non_json(self, caller):
        """A GET or non-JSON POST: FreeIPA reads the path as the command."""
        error = rpc.CommandError(name='session/json')
        return rpc.envelope(None, error, None, caller.principal, self.release)

    def _command_name(self, method):
        name = method[:-2] if method.endswith('/1') else method
        if name not in self.signatures:
            raise rpc.CommandError(name=method)
        return name

    def _check_version(self, options, messages):
        if 'version' not in options:
            messages.append(rpc.version_missing(self.api_version))
            return
        client = rpc.parse_version(options['version'])
        server = rpc.parse_version(self.api_version)
        if client is None or client[0] != server[0]:
            raise rpc.VersionError(cver=str(options['version']),
                                   sver=self.api_version,
                                   server=self.server_uri)

    def execute(self, command, args, options, caller):
        messages = []
        self._check_version(options, messages)
        values = self.signatures[command].convert(args, options)
        if command == 'ping':
            output = {'summary': 'IPA server version %s. API version %s'
                      % (self.release, self.api_version)}
        elif command == 'session_logout':
            caller.end_session()
            output = {'result': None}
        elif command == 'batch':
            output = self._batch(values, caller)
        else:
            with self.directory.lock:
                output = DIRECTORY_HANDLERS[command](
                    self.directory, values, messages, caller.access)
                output_options.apply(output, self.signatures[command], values,
                                     self.directory, caller.access)
        if messages:
            output['messages'] = messages
        return output

    def _batch(self, values, caller):
        version = values['version'] or self.api_version
        keeponly = values.get('keeponly')
        results = [self._batch_item(item, version, keeponly, caller)
                   for item in values['methods'] or []]
        return {'count': len(results), 'results': results}

    def _batch_item(self, item, version, keeponly, caller):
        try:
            if 'method' not in item:
                raise rpc.RequirementError(name='method')
            if 'params' not in item:
                raise rpc.RequirementError(name='params')
            command = self._command_name(str(item['method']))
            self.calls.count('batch:' + command, caller.principal)
            try:
                args, options = item['params']
                options = {str(k): v for k, v in options.items()}
                args = list(args)
            except (AttributeError, TypeError, ValueError):
                raise rpc.ConversionError(
                    name='params', error='must contain a tuple (list, dict)')
            try:
                self.signatures[command].convert(args, options)
            except rpc.IPAError as e:
                raise rpc.ConversionError(name='params', error=e.message)
            options.setdefault('version', version)
            output = self.execute(command, args, options, caller)
        except rpc.IPAError as e:
            return {'error': e.message, 'error_code': e.code,
                    'error_name': e.name, 'error_kw': dict(e.kw)}
        if keeponly is not None and isinstance(output.get('result'), dict):
            output['result'] = {k: v for k, v in output['result'].items()
                                if k in keeponly}
        output['error'] = None
        return output

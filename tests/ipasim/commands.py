"""The command table and the JSON-RPC dispatcher (``wsgi_execute``).

Signatures are the subset of ``ipa-API-excerpt.txt`` the simulator
implements; options not listed here are answered as unknown (3005).
"""

import logging
import threading

from tests.ipasim import access
from tests.ipasim import dns
from tests.ipasim import hosts
from tests.ipasim import params
from tests.ipasim.params import BOOL, DICT, FLAG, INT, Param
from tests.ipasim import rbac
from tests.ipasim import rpc
from tests.ipasim import servers
from tests.ipasim import services

LOG = logging.getLogger(__name__)


def _fqdn_arg(multi=False):
    return Param('fqdn', cli_name='hostname', multi=multi, required=True)


def _principal_arg(multi=False):
    return Param('krbcanonicalname', cli_name='canonical_principal',
                 multi=multi, required=True)


def _host_attr_options():
    return [
        Param('addattr', multi=True), Param('setattr', multi=True),
        Param('description', cli_name='desc'),
        Param('l', cli_name='locality'),
        Param('nshostlocation', cli_name='location'),
        Param('nshardwareplatform', cli_name='platform'),
        Param('nsosversion', cli_name='os'),
        Param('macaddress', multi=True),
        Param('userclass', cli_name='class', multi=True),
        Param('ipakrbokasdelegate', BOOL, cli_name='ok_as_delegate'),
        Param('ipakrboktoauthasdelegate', BOOL,
              cli_name='ok_to_auth_as_delegate'),
        Param('ipakrbrequirespreauth', BOOL, cli_name='requires_pre_auth'),
        Param('userpassword', cli_name='password'),
        Param('random', FLAG), Param('all', FLAG),
        Param('no_members', FLAG)]


def _record_options():
    return [Param(rtype, multi=True) for rtype in dns.RECORD_TYPES]


def _find_options():
    return [Param('criteria'), Param('all', FLAG),
            Param('no_members', FLAG, default=True),
            Param('pkey_only', FLAG), Param('sizelimit', INT),
            Param('timelimit', INT)]


S = params.Signature
SIGNATURES = {
    'ping': S('ping'),
    'session_logout': S('session_logout'),
    'batch': S('batch', [Param('methods', DICT, multi=True)],
               [Param('keeponly', multi=True)]),
    'host_add': S('host_add', [_fqdn_arg()], _host_attr_options() + [
        Param('force', FLAG), Param('ip_address'),
        Param('no_reverse', FLAG)]),
    'host_mod': S('host_mod', [_fqdn_arg()], _host_attr_options() + [
        Param('delattr', multi=True), Param('updatedns', FLAG)]),
    'host_show': S('host_show', [_fqdn_arg()],
                   [Param('all', FLAG), Param('no_members', FLAG)]),
    'host_find': S('host_find', [Param('criteria')], _find_options()[1:] + [
        Param('fqdn', cli_name='hostname'),
        Param('description', cli_name='desc'),
        Param('l', cli_name='locality'),
        Param('nshostlocation', cli_name='location'),
        Param('nshardwareplatform', cli_name='platform'),
        Param('nsosversion', cli_name='os'),
        Param('macaddress', multi=True),
        Param('userclass', cli_name='class', multi=True)]),
    'host_del': S('host_del', [_fqdn_arg(multi=True)],
                  [Param('continue', FLAG), Param('updatedns', FLAG)]),
    'service_add': S('service_add', [_principal_arg()], [
        Param('all', FLAG), Param('force', FLAG),
        Param('skip_host_check', FLAG), Param('no_members', FLAG),
        Param('ipakrbokasdelegate', BOOL, cli_name='ok_as_delegate'),
        Param('ipakrboktoauthasdelegate', BOOL,
              cli_name='ok_to_auth_as_delegate'),
        Param('ipakrbrequirespreauth', BOOL, cli_name='requires_pre_auth')]),
    'service_del': S('service_del', [_principal_arg(multi=True)],
                     [Param('continue', FLAG)]),
    'service_show': S('service_show', [_principal_arg()],
                      [Param('all', FLAG), Param('no_members', FLAG)]),
    'service_find': S('service_find', [Param('criteria')],
                      _find_options()[1:] + [
                          Param('krbcanonicalname',
                                cli_name='canonical_principal'),
                          Param('krbprincipalname', cli_name='principal',
                                multi=True),
                          Param('man_by_host', multi=True),
                          Param('not_man_by_host', multi=True)]),
    'service_add_host': S('service_add_host', [_principal_arg()], [
        Param('all', FLAG), Param('no_members', FLAG),
        Param('host', cli_name='hosts', multi=True)]),
    'host_disable': S('host_disable', [_fqdn_arg()]),
    'host_add_managedby': S('host_add_managedby', [_fqdn_arg()], [
        Param('all', FLAG), Param('no_members', FLAG), Param('raw', FLAG),
        Param('host', cli_name='hosts', multi=True)]),
    'host_remove_managedby': S('host_remove_managedby', [_fqdn_arg()], [
        Param('all', FLAG), Param('no_members', FLAG), Param('raw', FLAG),
        Param('host', cli_name='hosts', multi=True)]),
    'service_remove_host': S('service_remove_host', [_principal_arg()], [
        Param('all', FLAG), Param('no_members', FLAG), Param('raw', FLAG),
        Param('host', cli_name='hosts', multi=True)]),
    'service_disable': S('service_disable', [_principal_arg()]),
    'service_mod': S('service_mod', [_principal_arg()], [
        Param('addattr', multi=True), Param('setattr', multi=True),
        Param('delattr', multi=True), Param('all', FLAG),
        Param('no_members', FLAG), Param('raw', FLAG), Param('rights', FLAG),
        Param('ipakrbauthzdata', cli_name='pac_type', multi=True),
        Param('krbprincipalauthind', cli_name='auth_ind', multi=True),
        Param('krbprincipalname', cli_name='principal', multi=True),
        Param('ipakrbokasdelegate', BOOL, cli_name='ok_as_delegate'),
        Param('ipakrboktoauthasdelegate', BOOL,
              cli_name='ok_to_auth_as_delegate'),
        Param('ipakrbrequirespreauth', BOOL, cli_name='requires_pre_auth')]),
    'dnsrecord_show': S('dnsrecord_show', [
        Param('dnszoneidnsname', cli_name='dnszone', required=True),
        Param('idnsname', cli_name='name', required=True)], [
        Param('all', FLAG), Param('raw', FLAG), Param('rights', FLAG),
        Param('structured', FLAG)]),
    'dnszone_show': S('dnszone_show', [
        Param('idnsname', cli_name='name', required=True)], [
        Param('all', FLAG), Param('raw', FLAG), Param('rights', FLAG)]),
    'server_find': S('server_find', [Param('criteria')],
                     _find_options()[1:] + [
                         Param('cn', cli_name='name'), Param('raw', FLAG),
                         Param('topologysuffix', multi=True),
                         Param('no_topologysuffix', multi=True)]),
    'dnsrecord_add': S('dnsrecord_add', [
        Param('dnszoneidnsname', cli_name='dnszone', required=True),
        Param('idnsname', cli_name='name', required=True)],
        _record_options() + [
            Param('a_part_ip_address', cli_name='a_ip_address'),
            Param('aaaa_part_ip_address', cli_name='aaaa_ip_address'),
            Param('all', FLAG), Param('force', FLAG)]),
    'dnsrecord_del': S('dnsrecord_del', [
        Param('dnszoneidnsname', cli_name='dnszone', required=True),
        Param('idnsname', cli_name='name', required=True)],
        _record_options() + [Param('del_all', FLAG)]),
    'dnsrecord_find': S('dnsrecord_find', [
        Param('dnszoneidnsname', cli_name='dnszone', required=True),
        Param('criteria')],
        _record_options() + _find_options()[1:] + [
            Param('idnsname', cli_name='name')]),
}

DIRECTORY_HANDLERS = {
    'host_add': hosts.host_add, 'host_mod': hosts.host_mod,
    'host_show': hosts.host_show, 'host_find': hosts.host_find,
    'host_del': hosts.host_del,
    'service_add': services.service_add, 'service_del': services.service_del,
    'service_show': services.service_show,
    'service_find': services.service_find,
    'service_add_host': services.service_add_host,
    'service_remove_host': services.service_remove_host,
    'service_disable': services.service_disable,
    'service_mod': services.service_mod,
    'host_disable': hosts.host_disable,
    'host_add_managedby': hosts.host_add_managedby,
    'host_remove_managedby': hosts.host_remove_managedby,
    'dnsrecord_show': dns.dnsrecord_show, 'dnszone_show': dns.dnszone_show,
    'server_find': servers.server_find,
    'dnsrecord_add': dns.dnsrecord_add, 'dnsrecord_del': dns.dnsrecord_del,
    'dnsrecord_find': dns.dnsrecord_find,
}

# Permissions, privileges and roles (novajoin-install).
SIGNATURES.update(rbac.SIGNATURES)
DIRECTORY_HANDLERS.update(rbac.HANDLERS)


class Caller(object):
    """Who is calling: the session principal, a way to end the session
    (``session_logout``) and whether the principal may only read.
    """

    def __init__(self, principal, end_session, read_only=False):
        self.principal = principal
        self.end_session = end_session
        self.access = access.Access(read_only)


class CallCounter(object):
    def __init__(self):
        self._lock = threading.Lock()
        self._calls = {}

    def count(self, name):
        with self._lock:
            self._calls[name] = self._calls.get(name, 0) + 1

    def snapshot(self):
        with self._lock:
            return dict(self._calls)

    def reset(self):
        with self._lock:
            self._calls.clear()


class Engine(object):
    def __init__(self, directory, api_version, release, server_uri):
        self.directory = directory
        self.api_version = api_version
        self.release = release
        self.server_uri = server_uri
        self.calls = CallCounter()

    def handle(self, body, caller):
        """A request body -> (response envelope, command name or None)."""
        request_id = None
        command = None
        try:
            method, args, options, request_id = rpc.unmarshal(body)
            command = self._command_name(method)
            self.calls.count(command)
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

    @staticmethod
    def _command_name(method):
        name = method[:-2] if method.endswith('/1') else method
        if name not in SIGNATURES:
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
        values = SIGNATURES[command].convert(args, options)
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
            self.calls.count('batch:' + command)
            try:
                args, options = item['params']
                options = {str(k): v for k, v in options.items()}
                args = list(args)
            except (AttributeError, TypeError, ValueError):
                raise rpc.ConversionError(
                    name='params', error='must contain a tuple (list, dict)')
            try:
                SIGNATURES[command].convert(args, options)
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

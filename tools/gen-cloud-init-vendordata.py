#!/usr/bin/env python3
"""Build nova's static vendor data for novajoin from files/cloud-init/.

The result, files/cloud-init/cloud-config-novajoin.json, has novajoin
1.3.0's shape ``{"cloud-init": "#cloud-config\\n..."}`` and is what nova's
``[api] vendordata_jsonfile_path`` points at. Its cloud-config is
cloud-config.yaml followed by a ``write_files`` entry that installs
novajoin-enroll.sh as /usr/local/sbin/novajoin-enroll.

    tools/gen-cloud-init-vendordata.py            # rewrite the JSON file
    tools/gen-cloud-init-vendordata.py --check    # fail if it is stale
    tools/gen-cloud-init-vendordata.py --cloud-config   # print the YAML
"""

import argparse
import json
import pathlib
import sys

import yaml

CLOUD_INIT_DIR = pathlib.Path(__file__).resolve().parent.parent.joinpath(
    'files', 'cloud-init')
CLOUD_CONFIG = CLOUD_INIT_DIR / 'cloud-config.yaml'
ENROLL_SCRIPT = CLOUD_INIT_DIR / 'novajoin-enroll.sh'
VENDOR_DATA = CLOUD_INIT_DIR / 'cloud-config-novajoin.json'

ENROLL_SCRIPT_PATH = '/usr/local/sbin/novajoin-enroll'
HEADER = '#cloud-config\n'


class SourceError(Exception):
    """A file in files/cloud-init/ cannot be assembled."""


def literal_block(text, indent):
    """``text`` as the lines of a YAML literal block at ``indent``."""
    pad = ' ' * indent
    return ''.join(pad + line if line.strip() else line
                   for line in text.splitlines(keepends=True))


def assemble_cloud_config(cloud_config, script):
    """The cloud-config text with the enrollment script added to it."""
    if not cloud_config.startswith(HEADER):
        raise SourceError('%s must start with %r' % (CLOUD_CONFIG, HEADER))
    if 'write_files' in (yaml.safe_load(cloud_config) or {}):
        raise SourceError('%s must not have write_files: the generator adds '
                          'them' % CLOUD_CONFIG)
    if not script.endswith('\n') or '\t' in script:
        raise SourceError('%s must end with a newline and have no tabs'
                          % ENROLL_SCRIPT)
    assembled = (
        cloud_config.rstrip('\n') + '\n'
        + 'write_files:\n'
        + '  - path: %s\n' % ENROLL_SCRIPT_PATH
        + "    owner: 'root:root'\n"
        + "    permissions: '0700'\n"
        + '    content: |\n'
        + literal_block(script, 6))
    written = yaml.safe_load(assembled)['write_files'][0]['content']
    if written != script:
        raise SourceError('%s does not survive YAML quoting unchanged'
                          % ENROLL_SCRIPT)
    return assembled


def render_vendor_data(cloud_config):
    return json.dumps({'cloud-init': cloud_config}, indent=2) + '\n'


def build():
    cloud_config = assemble_cloud_config(CLOUD_CONFIG.read_text(),
                                         ENROLL_SCRIPT.read_text())
    return cloud_config, render_vendor_data(cloud_config)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument('--check', action='store_true',
                      help='exit 1 if %s is not current' % VENDOR_DATA.name)
    mode.add_argument('--cloud-config', action='store_true',
                      help='print the assembled cloud-config (user data)')
    args = parser.parse_args(argv)
    try:
        cloud_config, vendor_data = build()
    except SourceError as exc:
        print('error: %s' % exc, file=sys.stderr)
        return 2
    if args.cloud_config:
        sys.stdout.write(cloud_config)
        return 0
    if args.check:
        current = VENDOR_DATA.read_text() if VENDOR_DATA.exists() else None
        if current != vendor_data:
            print('%s is stale: run tools/gen-cloud-init-vendordata.py'
                  % VENDOR_DATA, file=sys.stderr)
            return 1
        return 0
    VENDOR_DATA.write_text(vendor_data)
    print('wrote %s' % VENDOR_DATA)
    return 0


if __name__ == '__main__':
    sys.exit(main())

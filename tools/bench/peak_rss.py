"""Run a command and report its own peak resident memory.

``python peak_rss.py OUT COMMAND...`` runs COMMAND, writes its peak RSS in
KB to the file OUT and exits with its status. Linux counts into a process's
peak the memory of the process it was forked from, up to its ``exec``: a
command forked straight from a benchmark that holds 20,000 hosts' worth of
data would report the benchmark's size. Forked from this small process
instead, it reports its own.
"""

import os
import subprocess
import sys


def main(argv):
    out, command = argv[0], argv[1:]
    process = subprocess.Popen(command)
    _, status, usage = os.wait4(process.pid, 0)
    with open(out, 'w') as f:
        f.write('%d\n' % usage.ru_maxrss)
    return os.waitstatus_to_exitcode(status)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""Runs a command with its stderr on a terminal, for the tests of what oauthcli shows there.

    pty.py [--stdin-tty] CMD ARGS...

The command's stderr (and with --stdin-tty its stdin too) is a new pseudo-terminal of 80
columns and 24 rows, in its default (cooked) mode, which is the command's controlling
terminal: the command leads a session of its own, and the terminal's foreground process
group is its own. Its stdout, and its stdin without --stdin-tty, are this script's.

Everything the command writes to the terminal, and what the terminal echoes, is copied to
this script's stderr byte for byte as it comes (the terminal turns "\\n" into "\\r\\n").
SIGUSR1 to this script types Ctrl-C on the terminal: the terminal sends SIGINT to the
command and echoes "^C", as when a person presses it. The script exits with the command's
exit code (128 + N when a signal N ended it).

Python 3 standard library only.
"""

import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios


def main(argv):
    stdin_tty = len(argv) > 1 and argv[1] == "--stdin-tty"
    cmd = argv[2:] if stdin_tty else argv[1:]
    if not cmd:
        print("usage: pty.py [--stdin-tty] CMD ARGS...", file=sys.stderr)
        return 2
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))

    def controlling_terminal():
        # After setsid() (start_new_session): the terminal becomes this session's.
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

    child = subprocess.Popen(
        cmd,
        stdin=slave if stdin_tty else None,
        stderr=slave,
        start_new_session=True,
        preexec_fn=controlling_terminal,
        pass_fds=(slave,),
    )
    os.close(slave)
    signal.signal(signal.SIGUSR1, lambda *_: os.write(master, b"\x03"))
    out = sys.stderr.buffer
    while True:
        try:
            ready, _, _ = select.select([master], [], [])
        except InterruptedError:
            continue
        if not ready:
            continue
        try:
            data = os.read(master, 4096)
        except OSError:
            # EIO: every process that had the terminal open has closed it.
            break
        if not data:
            break
        out.write(data)
        out.flush()
    code = child.wait()
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main(sys.argv))

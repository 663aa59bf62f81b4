#!/usr/bin/env python3
"""Measures `oauthcli token`, the command scripts call most, in one run (see benches/run):

1. a good token from the file store, against `cat` of a file of the same size (the floor);
   goal: at most 2x the floor's median;
2. a good token from the keychain (gnome-keyring), against `secret-tool lookup` of the same
   item by the attributes oauthcli stored it under (libsecret, in the same run); goal: at most
   3 ms median, and never slower than `secret-tool`;
3. 20 concurrent calls on an expired token: exactly one refresh request reaches the provider
   (counted in its request log), every caller prints the same new token (checked over several
   batches), and the batch takes at most 2x a single refresh. Both are timed by hyperfine the
   same way, as `bash -c` started after a `--prepare` step that expires the stored token: one
   call, against 20 started at once in the background and waited for.

Per-call times come from hyperfine (no shell, warm-up runs first); in (1) and (2) the commands
take turns over ten rounds, and the medians are over all of them. Exits 1 if a correctness
property of (3) fails; the speed goals are reported, not enforced.
`token.py expire FILE` (the prepare step) marks the token in a token file as expired.
`token.py --against OTHER_BINARY` also times another build of oauthcli (an earlier commit's)
on the same logins, in the same hyperfine runs as (1) and (2): a before/after comparison
that the machine's load moves the same way for both.
"""

import json
import statistics
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "target" / "release" / "oauthcli"
BATCH = 20
BATCHES = 5


def start_provider(log):
    env = dict(os.environ, REQUEST_LOG=str(log), ROTATE_REFRESH="1")
    proc = subprocess.Popen(
        ["node", str(ROOT / "tests/provider/server.mjs")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = proc.stdout.readline().strip()
    if not line.startswith("READY "):
        sys.exit(f"the provider did not start: {line!r}")
    return proc, line.split(" ", 1)[1]


def refreshes(log):
    lines = log.read_text().splitlines() if log.exists() else []
    return sum(
        1
        for l in lines
        if (r := json.loads(l))["path"] == "/token"
        and r["form"].get("grant_type") == "refresh_token"
    )


def expire_token(path):
    stored = json.loads(path.read_text())
    stored["expires_at"] = int(time.time()) - 1
    path.write_text(json.dumps(stored))


def hyperfine(env, commands, runs, warmup, prepare=None, rounds=1):
    """Median milliseconds of each command. With several rounds, the commands take turns
    (`runs` each a round) and the medians are over all rounds: the load of a shared machine
    then falls on every command alike, not on whichever ran during a busy minute."""
    extra = ["--prepare", prepare] if prepare else []
    times = [[] for _ in commands]
    for _ in range(rounds):
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            subprocess.run(
                ["hyperfine", "-N", "--style", "none", "--warmup", str(warmup), "--runs", str(runs),
                 *extra, "--export-json", out.name, *commands],
                env=env, check=True, stdout=subprocess.DEVNULL,
            )
            for mine, result in zip(times, json.load(open(out.name))["results"]):
                mine.extend(result["times"])
    return [statistics.median(t) * 1000 for t in times]


def run(env, *args):
    return subprocess.run([str(BIN), *args], env=env, check=True, capture_output=True, text=True).stdout


def main(against):
    home = Path(tempfile.mkdtemp())
    log = home / "requests.jsonl"
    provider, issuer = start_provider(log)
    try:
        config = home / "config.toml"
        config.write_text(
            f'[providers.bench-file]\nissuer = "{issuer}"\nclient_id = "cli-public"\n'
            f'[providers.bench-kr]\nissuer = "{issuer}"\nclient_id = "cli-public"\n'
        )
        env = dict(
            os.environ,
            HOME=str(home),
            XDG_CONFIG_HOME=str(home / "config"),
            XDG_DATA_HOME=str(home / "data"),
            XDG_STATE_HOME=str(home / "state"),
            OAUTHCLI_CONFIG=str(config),
            BROWSER=str(ROOT / "tests/support/browser.py"),
        )
        run(env, "login", "bench-file", "--storage", "file")
        run(env, "login", "bench-kr", "--storage", "keyring")
        token_file = home / "data/oauthcli/bench-file.json"
        floor = home / "same-size"
        floor.write_bytes(b"x" * token_file.stat().st_size)

        other = [f"{against} token bench-file"] if against else []
        file_ms, cat_ms, *other_file = hyperfine(
            env, [f"{BIN} token bench-file", f"cat {floor}", *other], runs=30, warmup=3, rounds=10)
        other = [f"{against} token bench-kr"] if against else []
        kr_ms, lookup_ms, *other_kr = hyperfine(
            env,
            [f"{BIN} token bench-kr", "secret-tool lookup service oauthcli username bench-kr", *other],
            runs=20, warmup=2, rounds=10)
        expire = f"python3 {Path(__file__).resolve()} expire {token_file}"
        refresh_ms, batch = hyperfine(
            env,
            [f"bash -c '{BIN} token bench-file >/dev/null'",
             f"bash -c 'for i in $(seq {BATCH}); do {BIN} token bench-file >/dev/null & done; wait'"],
            runs=15, warmup=1, prepare=expire)

        # What starting 20 processes at once costs on this machine, refresh or not: the same
        # batch on a good token.
        (batch_floor,) = hyperfine(
            env,
            [f"bash -c 'for i in $(seq {BATCH}); do {BIN} token bench-file >/dev/null & done; wait'"],
            runs=15, warmup=1)

        for _ in range(BATCHES):
            expire_token(token_file)
            before = refreshes(log)
            procs = [
                subprocess.Popen([str(BIN), "token", "bench-file"], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(BATCH)
            ]
            outs = [p.communicate() for p in procs]
            codes = {p.returncode for p in procs}
            tokens = {o for o, _ in outs}
            new = json.loads(token_file.read_text())["access_token"] + "\n"
            if codes != {0} or tokens != {new} or refreshes(log) - before != 1:
                sys.exit(f"concurrent refresh is wrong: exit codes {codes}, {len(tokens)} distinct "
                         f"tokens, {refreshes(log) - before} refresh requests; stderr: {outs[0][1]}")
    finally:
        provider.terminate()
        provider.wait()

    ok = lambda met: "met" if met else "MISSED"
    size = BIN.stat().st_size
    print("| measurement | median | goal |")
    print("| --- | --- | --- |")
    print(f"| `cat` of a {floor.stat().st_size}-byte file (the floor) | {cat_ms:.2f} ms | |")
    print(f"| `oauthcli token`, file store, good token | {file_ms:.2f} ms ({file_ms / cat_ms:.2f}x the floor) "
          f"| at most 2x the floor: {ok(file_ms <= 2 * cat_ms)} |")
    print(f"| `secret-tool lookup` of the same keychain item | {lookup_ms:.2f} ms | |")
    print(f"| `oauthcli token`, keychain (gnome-keyring), good token | {kr_ms:.2f} ms "
          f"({kr_ms / lookup_ms:.2f}x `secret-tool`) "
          f"| at most 3 ms and at most `secret-tool`: {ok(kr_ms <= 3 and kr_ms <= lookup_ms)} |")
    if against:
        print(f"| `{against} token`, file store | {other_file[0]:.2f} ms | |")
        print(f"| `{against} token`, keychain | {other_kr[0]:.2f} ms | |")
    print(f"| one `token` on an expired token: one refresh (file store) | {refresh_ms:.2f} ms | |")
    print(f"| {BATCH} concurrent `token` on an expired token, whole batch "
          f"| {batch:.2f} ms ({batch / refresh_ms:.2f}x one refresh) "
          f"| at most 2x one refresh: {ok(batch <= 2 * refresh_ms)}; one refresh request and one token per batch: met |")
    print(f"| the same 20 on a good token (what starting them costs) | {batch_floor:.2f} ms | |")
    print(f"| the batch's cost beyond starting 20 processes | {batch - batch_floor:.2f} ms "
          f"({(batch - batch_floor) / refresh_ms:.2f}x one refresh) | |")
    print(f"\nrelease binary: {size / 1024 / 1024:.1f} MiB ({size} bytes)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["expire"]:
        expire_token(Path(sys.argv[2]))
    elif sys.argv[1:2] == ["--against"]:
        main(Path(sys.argv[2]).resolve())
    else:
        main(None)

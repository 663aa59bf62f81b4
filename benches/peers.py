"""The peers benches/token.py times `oauthcli token` against, each set up in the bench's private
home against the bench's own provider, so that every one hands out a good token it holds:

- `oidc-token` (oidc-agent, Debian's oidc-agent-cli): an agent of its own on a private socket,
  its account made by `oidc-gen` from a refresh token (its refresh flow, `--rt-env`) of the
  confidential test client `cli-basic`, got by `consented_refresh_token`;
- `pizauth show` (a daemon holding its tokens in memory; built from its source, given by
  `--pizauth PATH`): its own authorization-code flow, walked by tests/support/browser.py run
  as its `auth_notify_cmd`;
- `gh auth token` (Debian's gh 2.23, which keeps its token in a plain hosts.yml): a hosts.yml
  of a made-up token; `auth token` only reads it.

`start` returns the peers it could set up and, for each one it could not, why and how to get
it; `stop` ends the daemons it started.
"""

import base64
import hashlib
import http.server
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETUP_TIMEOUT = 30


class Peer:
    # Not a dataclass: `dataclasses` imports the standard `token` module, which benches/token.py
    # (on the path first when run) stands in front of.
    def __init__(self, name, version, command, daemons=()):
        self.name = name  # the command as the table names it
        self.version = version
        self.command = command
        self.daemons = list(daemons)  # how to end each daemon it runs


class Skip(Exception):
    """A peer that cannot be measured in this run; the message says why and how to get it."""


def version(argv, env):
    """The first x.y.z in what `argv` prints."""
    out = subprocess.run(argv, env=env, capture_output=True, text=True)
    found = re.search(r"\d+\.\d+\.\d+", out.stdout + out.stderr)
    return found.group(0) if found else "version unknown"


def check(peer, env):
    """The peer's command prints a token, or the peer is skipped: a row must time real work."""
    out = subprocess.run(peer.command.split(), env=env, capture_output=True, text=True)
    if out.returncode != 0 or not out.stdout.strip():
        raise Skip(f"`{peer.command}` gave no token (exit {out.returncode}): {out.stderr.strip()[:300]}")


def wait_for(what, ready):
    deadline = time.monotonic() + SETUP_TIMEOUT
    while not ready():
        if time.monotonic() > deadline:
            raise Skip(f"{what} did not happen within {SETUP_TIMEOUT} s")
        time.sleep(0.1)


def consented_refresh_token(issuer, env, client_id, client_secret):
    """A refresh token whose grant holds `offline_access`, which oidc-gen asks for in every
    refresh (oidc-agent adds it to an account's scopes). oidc-provider grants it only to an
    authorization request with `prompt=consent` (OpenID Connect Core §11), which no login of
    oauthcli's sends here: so one authorization-code flow with PKCE (RFC 7636), walked by the
    stand-in browser, its callback taken by a one-request listener here."""
    got = {}

    class Callback(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            got.update(urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_):
            pass

    listener = http.server.HTTPServer(("127.0.0.1", 0), Callback)
    threading.Thread(target=listener.handle_request, daemon=True).start()
    redirect = f"http://127.0.0.1:{listener.server_port}/callback"
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state = secrets.token_urlsafe(16)
    query = urllib.parse.urlencode({
        "response_type": "code", "client_id": client_id, "redirect_uri": redirect, "state": state,
        "scope": "openid email offline_access", "prompt": "consent",
        "code_challenge": challenge, "code_challenge_method": "S256"})
    walked = subprocess.run([str(ROOT / "tests/support/browser.py"), f"{issuer}/auth?{query}"], env=env,
                            capture_output=True, text=True)
    listener.server_close()
    if got.get("state") != [state] or "code" not in got:
        raise Skip(f"the consent login for oidc-agent's account got no code: {walked.stderr.strip()[:300]}")
    form = urllib.parse.urlencode({"grant_type": "authorization_code", "code": got["code"][0],
                                   "redirect_uri": redirect, "code_verifier": verifier}).encode()
    basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    answer = urllib.request.urlopen(urllib.request.Request(
        f"{issuer}/token", form, {"Authorization": f"Basic {basic}"}), timeout=10)
    return json.load(answer)["refresh_token"]


def oidc_agent(home, env, issuer):
    if not shutil.which("oidc-gen") or not shutil.which("oidc-token"):
        raise Skip("not installed: Debian's oidc-agent-cli (`apt-get install oidc-agent-cli`; benches/run does)")
    sock = home / "oidc-agent" / "agent.sock"
    sock.parent.mkdir(mode=0o700)
    started = subprocess.run(["oidc-agent", "--json", "--quiet", "--no-autoload", f"--socket-path={sock}"],
                             env=env, capture_output=True, text=True)
    if started.returncode != 0:
        raise Skip(f"oidc-agent did not start: {started.stderr.strip()}")
    agent = json.loads(started.stdout)
    env["OIDC_SOCK"] = agent["socket"]
    peer = Peer("`oidc-token`", f"oidc-agent {version(['oidc-token', '--version'], env)}", "oidc-token bench",
                daemons=[lambda: kill(int(agent["dpid"]))])
    try:
        refresh_token = consented_refresh_token(issuer, env, "cli-basic", "basic-secret")
    except Skip:
        stop([peer])
        raise
    # Secrets by environment, never argv: oidc-gen reads the refresh token from
    # OIDC_REFRESH_TOKEN and the password it encrypts the account file with from
    # OIDC_ENCRYPTION_PW. The client secret is the test client's, written in server.mjs.
    gen = subprocess.run(
        ["oidc-gen", "bench", f"--issuer={issuer}", "--client-id=cli-basic", "--client-secret=basic-secret",
         "--scope=openid email", "--rt-env", "--pw-env", "--confirm-default", "--prompt=none"],
        env=dict(env, OIDC_REFRESH_TOKEN=refresh_token, OIDC_ENCRYPTION_PW=secrets.token_hex(16)),
        capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if gen.returncode != 0:
        stop([peer])
        raise Skip(f"oidc-gen failed (exit {gen.returncode}): {(gen.stderr + gen.stdout).strip()[:600]}")
    return peer


def pizauth(path, home, env, issuer):
    if path is None:
        raise Skip("not built: build it outside the checkout (`git clone https://github.com/ltratt/pizauth "
                   "&& cd pizauth && cargo build --release --locked`) and pass `--pizauth target/release/pizauth`")
    conf = home / "pizauth.conf"
    # No HTTPS listener: it would make a self-signed certificate the provider's redirect needs not.
    conf.write_text(
        'http_listen = "127.0.0.1:0";\nhttps_listen = none;\n'
        f'auth_notify_cmd = "{ROOT / "tests/support/browser.py"} \\"$PIZAUTH_URL\\"";\n'
        'account "bench" {\n'
        f'  auth_uri = "{issuer}/auth";\n  token_uri = "{issuer}/token";\n'
        '  client_id = "cli-public";\n  redirect_uri = "http://127.0.0.1/callback";\n'
        '  scopes = ["openid", "offline_access"];\n}\n')
    # Asked before the server starts: `info` asked of a server still starting prints nothing.
    ver = f"pizauth {version([str(path), 'info', '-c', str(conf)], env)}"
    log = open(home / "pizauth.log", "w")
    # It runs auth_notify_cmd with $SHELL -c.
    server = subprocess.Popen([str(path), "server", "-d", "-c", str(conf)], env=dict(env, SHELL="/bin/sh"),
                              stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    peer = Peer("`pizauth show`", ver, f"{path} show bench",
                daemons=[lambda: (server.terminate(), server.wait(), log.close())])
    def alive():
        if server.poll() is not None:
            raise Skip(f"pizauth's server exited ({server.returncode}): {log_tail()}")
        return True

    def log_tail():
        return " / ".join((home / "pizauth.log").read_text().splitlines()[-3:])

    sock = Path(env["XDG_RUNTIME_DIR"]) / "pizauth/pizauth.sock"
    show = lambda: subprocess.run(peer.command.split(), env=env, capture_output=True).returncode == 0
    try:
        wait_for("pizauth's socket", lambda: alive() and sock.exists())
        # The first `show` asks for the token: pizauth runs auth_notify_cmd, the stand-in browser
        # walks the provider's pages and lands on pizauth's listener, which exchanges the code.
        wait_for("pizauth's login through tests/support/browser.py", lambda: alive() and show())
    except Skip as why:
        stop([peer])
        raise Skip(f"{why}; pizauth's log: {log_tail()}") from None
    return peer


def gh(home, env):
    if not shutil.which("gh"):
        raise Skip("not installed: Debian's gh (`apt-get install gh`; benches/run does)")
    config = home / "gh"
    config.mkdir(mode=0o700)
    # gh 2.23 keeps the token in hosts.yml (its keyring store came in 2.24); `gh auth token`
    # prints it without asking github.com. `gh auth login --with-token` would check it there.
    (config / "hosts.yml").write_text(
        f"github.com:\n    oauth_token: gho_{secrets.token_hex(18)}\n    user: bench\n    git_protocol: https\n")
    env["GH_CONFIG_DIR"] = str(config)
    env["GH_NO_UPDATE_NOTIFIER"] = "1"
    return Peer("`gh auth token`", f"gh {version(['gh', '--version'], env)}", "gh auth token")


def start(args, home, env, issuer):
    """The peers set up, and (name, why) for each skipped one. Sets their variables in `env`."""
    peers, skipped = [], []
    env["XDG_RUNTIME_DIR"] = str(home / "run")
    (home / "run").mkdir(mode=0o700, exist_ok=True)
    for name, make in [("`oidc-token`", lambda: oidc_agent(home, env, issuer)),
                       ("`pizauth show`", lambda: pizauth(args.pizauth, home, env, issuer)),
                       ("`gh auth token`", lambda: gh(home, env))]:
        try:
            peer = make()
            try:
                check(peer, env)
            except Skip:
                stop([peer])
                raise
            peers.append(peer)
        except Skip as why:
            skipped.append((name, str(why)))
    return peers, skipped


def kill(pid):
    """Ends a daemon that is not our child (it forked away) by its id."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass


def stop(peers):
    for peer in peers:
        for end in peer.daemons:
            end()

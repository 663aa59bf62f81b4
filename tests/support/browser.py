#!/usr/bin/env python3
"""A stand-in web browser for oauthcli's integration tests (set as $BROWSER).

    browser.py [ARGS...] URL

URL, the last argument, is the test provider's authorization URL. The script walks the
provider's login and consent pages with a cookie jar, following redirects by hand while they
stay on the provider's host:port: oidc-provider's development pages (devInteractions), or
Django's login form and Django OAuth Toolkit's authorization form. The first redirect
elsewhere is the CLI's loopback callback: it is fetched like a browser would, and so is every
redirect the listener answers with on its own host:port (its 303 to the final page); the last
HTTP status goes to stderr, and the script exits 0 if it got any HTTP response.

Environment:
    BROWSER_LOGIN   login name (default: alice); at oidc-provider it becomes the subject
    BROWSER_PASSWORD  password (default: x, which oidc-provider ignores)
    BROWSER_ACTION  consent (default) or deny: at oidc-provider, aborts the interaction; at
                    DOT, logs in and then cancels the authorization form; either way the
                    callback carries error=access_denied
    BROWSER_LOG     file to append `STATUS URL` to for every request sent to the CLI's
                    listener, redirects followed included (optional); the script holds an
                    exclusive lock (flock) on
                    BROWSER_LOG.lock from its start to its end, so that a test can wait
                    for it to finish
    BROWSER_PAGES   file to append every answer of the CLI's listener to, one JSON object
                    a line: {"url", "status", "headers": [[name, value]...], "body"} (optional)
    BROWSER_CALLBACK_FILE
                    when set, the callback URL is not fetched but written to this file, as
                    a user copies the address of a page that cannot be reached; the script
                    exits once it is written whole (the test waits for that exit)
    BROWSER_ENV     file to write the script's environment to, as one JSON object (optional)
    BROWSER_FORGE   when set, first sends the listener forged callbacks with a wrong state
                    (one with a code, one with error=access_denied), as a hostile page could,
                    then logs in as usual

Python 3 standard library only.
"""

import fcntl
import http.cookiejar
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser

MAX_STEPS = 30
TIMEOUT = 10


def fail(message):
    print(f"browser.py: {message}", file=sys.stderr)
    sys.exit(1)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class FormParser(HTMLParser):
    """Collects every <form> with its action, method and named input fields."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._current = None

    def handle_starttag(self, tag, attrs):
        attrs = {name.lower(): (value if value is not None else "") for name, value in attrs}
        if tag == "form":
            self._current = {
                "action": attrs.get("action", ""),
                "method": attrs.get("method", "get").lower(),
                "fields": [],
                "submits": [],
            }
            self.forms.append(self._current)
        elif self._current is not None and tag in ("input", "button", "select", "textarea"):
            name = attrs.get("name")
            if not name:
                return
            kind = attrs.get("type", "text").lower()
            if kind == "submit":
                # Sent only when it is the button pressed: see `submits` in the forms.
                self._current["submits"].append((name, attrs.get("value", "")))
                return
            if tag == "button" or kind in ("button", "reset", "image", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._current["fields"].append((name, attrs.get("value", "")))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def origin(url):
    parts = urllib.parse.urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return (parts.scheme, (parts.hostname or "").lower(), port)


class Browser:
    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def request(self, url, form=None):
        """Returns (status, headers, body text); never follows redirects."""
        data = None
        headers = {"User-Agent": "oauthcli-test-browser/1", "Accept": "text/html,*/*"}
        if form is not None:
            data = urllib.parse.urlencode(form).encode("ascii")
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        req = urllib.request.Request(url, data=data, headers=headers)
        try:
            resp = self.opener.open(req, timeout=TIMEOUT)
        except urllib.error.HTTPError as err:
            resp = err
        with resp:
            body = resp.read().decode("utf-8", errors="replace")
            return resp.status, resp.headers, body


def pick_form(forms, prompt):
    for form in forms:
        if ("prompt", prompt) in form["fields"]:
            return form
    return None


def django_login_form(forms):
    """Django's login form: its CSRF token, `username` and `password`."""
    for form in forms:
        names = {name for name, _ in form["fields"]}
        if {"csrfmiddlewaretoken", "username", "password"} <= names:
            return form
    return None


def dot_consent_form(forms):
    """Django OAuth Toolkit's authorization form: its `allow` button grants, any other denies."""
    for form in forms:
        if any(name == "allow" for name, _ in form["submits"]):
            return form
    return None


def choose(forms, login, password, action):
    """The form to submit on a provider's page and the values to put in it, and whether it
    is a login form; None when the page has none of the forms known here."""
    found = pick_form(forms, "login")
    if found is not None:
        return found, {"login": login, "password": password}, True
    found = pick_form(forms, "consent")
    if found is not None:
        return found, {}, False
    found = django_login_form(forms)
    if found is not None:
        return found, {"username": login, "password": password}, True
    found = dot_consent_form(forms)
    if found is not None:
        allow = dict(found["submits"])["allow"]
        return found, ({"allow": allow} if action == "consent" else {}), False
    return None


def fill(fields, values):
    """The form's own fields, with the named ones replaced (or added)."""
    out = []
    seen = set()
    for name, value in fields:
        if name in values:
            if name in seen:
                continue
            seen.add(name)
            value = values[name]
        out.append((name, value))
    for name, value in values.items():
        if name not in seen:
            out.append((name, value))
    return out


def main(argv):
    if len(argv) < 2:
        fail("usage: browser.py URL")
    url = argv[-1]
    login = os.environ.get("BROWSER_LOGIN") or "alice"
    password = os.environ.get("BROWSER_PASSWORD") or "x"
    action = os.environ.get("BROWSER_ACTION") or "consent"
    if action not in ("consent", "deny"):
        fail(f"BROWSER_ACTION must be consent or deny, not {action!r}")
    log_path = os.environ.get("BROWSER_LOG")
    pages_path = os.environ.get("BROWSER_PAGES")
    if log_path:
        # Held until the process ends (the file stays open): see BROWSER_LOG above.
        running = open(log_path + ".lock", "a", encoding="utf-8")
        fcntl.flock(running, fcntl.LOCK_EX)

    env_path = os.environ.get("BROWSER_ENV")
    if env_path:
        with open(env_path, "w", encoding="utf-8") as out:
            json.dump(dict(os.environ), out)

    provider = origin(url)
    browser = Browser()
    form = None
    logged_in = False

    def to_listener(target):
        try:
            status, headers, body = browser.request(target)
        except (urllib.error.URLError, OSError) as err:
            fail(f"callback {target} failed: {err}")
        if log_path:
            with open(log_path, "a", encoding="utf-8") as log:
                log.write(f"{status} {target}\n")
        if pages_path:
            page = {"url": target, "status": status, "headers": headers.items(), "body": body}
            with open(pages_path, "a", encoding="utf-8") as log:
                log.write(json.dumps(page) + "\n")
        return status, headers.get("Location")

    if os.environ.get("BROWSER_FORGE"):
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        redirect = query["redirect_uri"]
        to_listener(redirect + "?code=forged&state=forged-state")
        to_listener(redirect + "?error=access_denied&state=forged-state")

    for _ in range(MAX_STEPS):
        if origin(url) != provider:
            break
        try:
            status, headers, body = browser.request(url, form)
        except (urllib.error.URLError, OSError) as err:
            fail(f"cannot reach {url}: {err}")
        form = None

        location = headers.get("Location")
        if 300 <= status < 400 and location:
            url = urllib.parse.urljoin(url, location)
            continue
        if status != 200:
            fail(f"{status} from {url}: {body[:500]}")

        parser = FormParser()
        parser.feed(body)
        parser.close()

        path = urllib.parse.urlsplit(url).path.rstrip("/")
        if action == "deny" and "/interaction/" in path:
            # oidc-provider: the interaction's own way out.
            url = urllib.parse.urljoin(url, path + "/abort")
            continue

        found = choose(parser.forms, login, password, action)
        if found is None:
            fail(f"no login or consent form at {url}: {body[:500]}")
        chosen, values, is_login = found
        if is_login:
            if logged_in:
                fail(f"the login as {login!r} was refused at {url}")
            logged_in = True
        if chosen["method"] != "post":
            fail(f"form at {url} has method {chosen['method']}, expected post")
        url = urllib.parse.urljoin(url, chosen["action"] or url)
        form = fill(chosen["fields"], values)
    else:
        fail(f"gave up after {MAX_STEPS} steps at {url}")

    # The first URL off the provider: the CLI's loopback callback.
    callback_file = os.environ.get("BROWSER_CALLBACK_FILE")
    if callback_file:
        with open(callback_file + ".tmp", "w", encoding="utf-8") as out:
            out.write(url)
        os.rename(callback_file + ".tmp", callback_file)
        return 0
    listener = origin(url)
    for _ in range(MAX_STEPS):
        status, location = to_listener(url)
        if not (300 <= status < 400 and location):
            break
        target = urllib.parse.urljoin(url, location)
        if origin(target) != listener:
            break
        url = target
    print(f"browser.py: callback answered {status}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

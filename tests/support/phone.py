#!/usr/bin/env python3
"""A stand-in phone for oauthcli's device-grant tests (RFC 8628).

    oauthcli login NAME --device 2>&1 >/dev/null | phone.py

stdin is oauthcli's stderr. Every line of it is copied to stdout as it arrives, so that the
test still sees oauthcli's stderr whole. The verification URI and the user code are read
from it as they appear (the ready signal: the lines that follow "open this page on any
device" and "enter this code"); the phone then opens the verification page of the test
provider (oidc-provider's device pages, then its development login and consent, walked as
tests/support/browser.py walks them), enters the code and approves, or aborts.

Environment:
    PHONE_ACTION   approve (default), deny (the confirmation page's Abort), or ignore
                   (read and copy, never open the page)
    PHONE_LOGIN    login name, which becomes the subject (default: alice)

Exits 0 once stdin ends, if the verification got to the provider's success page (approve),
or past its confirmation page's Abort (deny); 1 otherwise, with the reason on stderr.

Python 3 standard library only.
"""

import os
import sys
import urllib.error
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser import MAX_STEPS, Browser, FormParser, fill, pick_form  # noqa: E402


def fail(message):
    print(f"phone.py: {message}", file=sys.stderr)
    return 1


def field(form, name):
    return next((value for key, value in form["fields"] if key == name), None)


def verify(uri, code, login, deny):
    """Enters the code at `uri` and approves or aborts; returns an error or None."""
    browser = Browser()
    url, form = uri, None
    aborted = False
    for _ in range(MAX_STEPS):
        try:
            status, headers, body = browser.request(url, form)
        except (urllib.error.URLError, OSError) as err:
            return f"cannot reach {url}: {err}"
        form = None
        location = headers.get("Location")
        if 300 <= status < 400 and location:
            url = urllib.parse.urljoin(url, location)
            continue
        if status != 200:
            return f"{status} from {url}: {body[:500]}"
        if "<title>Sign-in Success</title>" in body:
            return None if not deny else "the login went through though the phone aborted"
        if aborted:
            # oidc-provider shows its code entry page again, saying the login was aborted.
            return None
        parser = FormParser()
        parser.feed(body)
        parser.close()
        chosen, values = None, {}
        for candidate in parser.forms:
            if field(candidate, "user_code") == "":
                chosen, values = candidate, {"user_code": code}
            elif field(candidate, "user_code") is not None and field(candidate, "confirm"):
                chosen = candidate
                values = {"abort": "yes"} if deny else {}
                aborted = deny
        if chosen is None:
            login_form = pick_form(parser.forms, "login")
            consent_form = pick_form(parser.forms, "consent")
            if login_form is not None:
                chosen, values = login_form, {"login": login, "password": "x"}
            elif consent_form is not None:
                chosen = consent_form
        if chosen is None:
            return f"no form to fill at {url}: {body[:500]}"
        url = urllib.parse.urljoin(url, chosen["action"] or url)
        form = fill(chosen["fields"], values)
    return f"gave up after {MAX_STEPS} steps at {url}"


def main():
    action = os.environ.get("PHONE_ACTION") or "approve"
    if action not in ("approve", "deny", "ignore"):
        return fail(f"PHONE_ACTION must be approve, deny or ignore, not {action!r}")
    login = os.environ.get("PHONE_LOGIN") or "alice"
    uri = code = None
    expect = None
    outcome = "no user code was shown"
    for line in sys.stdin:
        sys.stdout.write(line)
        sys.stdout.flush()
        text = line.strip()
        if "open this page on any device" in line:
            expect = "uri"
        elif "enter this code" in line:
            expect = "code"
        elif text and expect == "uri":
            uri, expect = text, None
        elif text and expect == "code":
            code, expect = text, None
            if action == "ignore":
                outcome = None
            else:
                outcome = verify(uri, code, login, action == "deny")
    if outcome:
        return fail(outcome)
    return 0


if __name__ == "__main__":
    sys.exit(main())

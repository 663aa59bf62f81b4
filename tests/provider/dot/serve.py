"""Django OAuth Toolkit as an OpenID provider for oauthcli's integration tests, on 127.0.0.1.

    tests/provider/dot/.venv/bin/python tests/provider/dot/serve.py

(tests/support/setup makes that venv from requirements.txt.) At start it migrates a fresh
sqlite database in DOT_DIR, creates one user and one OpenID application, and serves DOT at
/o/ on a free port with a threaded server.

Environment:
    DOT_DIR         a throwaway directory for the database (required)
    DOT_USER, DOT_PASSWORD, DOT_EMAIL
                    the user to create (defaults: alice, alice-password, alice@example.org)
    DOT_CLIENT_ID   the client id of the application (default: oauthcli): a public client,
                    authorization code grant, ID tokens signed RS256, the redirect URI
                    http://127.0.0.1/callback (DOT accepts any port for a loopback IP,
                    RFC 8252 §7.3), PKCE required; the user is asked to consent every time
    ACCESS_TOKEN_TTL  access token lifetime in seconds (DOT's default: 36000)
    DOT_ISS         1: send `iss` in authorization responses (RFC 9207; off by default)
    REQUEST_LOG     file to append one JSON line per request to (see requestlog.py)

Once listening it prints exactly one line to stdout: `READY http://127.0.0.1:PORT/o`, the
issuer. Everything else goes to stderr.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    # stdout carries the READY line only: whatever Django or DOT print goes to stderr.
    ready = sys.stdout
    sys.stdout = sys.stderr
    if not os.environ.get("DOT_DIR"):
        sys.exit("serve.py: DOT_DIR must name a throwaway directory for the database")
    sys.path.insert(0, HERE)
    os.environ["DJANGO_SETTINGS_MODULE"] = "settings"

    import django

    django.setup()

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import get_application_model

    call_command("migrate", verbosity=0, interactive=False, run_syncdb=True)
    get_user_model().objects.create_user(
        os.environ.get("DOT_USER") or "alice",
        email=os.environ.get("DOT_EMAIL") or "alice@example.org",
        password=os.environ.get("DOT_PASSWORD") or "alice-password",
    )
    app = get_application_model()
    app.objects.create(
        name="oauthcli",
        client_id=os.environ.get("DOT_CLIENT_ID") or "oauthcli",
        client_secret="",
        client_type=app.CLIENT_PUBLIC,
        authorization_grant_type=app.GRANT_AUTHORIZATION_CODE,
        redirect_uris="http://127.0.0.1/callback",
        algorithm=app.RS256_ALGORITHM,
        skip_authorization=False,
    )

    server = ThreadedWSGIServer(("127.0.0.1", 0), WSGIRequestHandler)
    server.set_app(get_wsgi_application())
    port = server.server_address[1]
    ready.write(f"READY http://127.0.0.1:{port}/o\n")
    ready.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()

"""Routes of the DOT test provider: DOT at /o/ (so the issuer is ISSUER_BASE/o), its RFC 8414
metadata at the server root as DOT's own urls.py asks of a prefixed mount (RFC 8414 §3.1
puts the document at /.well-known/oauth-authorization-server/o), and Django's login page.
"""

from django.contrib.auth.views import LoginView
from django.urls import include, path
from oauth2_provider import urls as dot_urls

urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("", include(dot_urls.metadata_urlpatterns)),
    path("accounts/login/", LoginView.as_view(), name="login"),
]

"""The user's email in the ID token and at userinfo, for the `email` scope.

DOT's validator gives `sub` alone; its documented way to add claims is a validator that
returns them from `get_additional_claims`, released by scope through `oidc_claim_scope`
(`email` and `email_verified` need the `email` scope).
"""

from oauth2_provider.oauth2_validators import OAuth2Validator


class EmailClaims(OAuth2Validator):
    def get_additional_claims(self, request):
        return {"email": request.user.email, "email_verified": True}

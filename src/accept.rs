//! The one boundary where a provider's token response becomes a [`TokenSet`]: for a login,
//! whatever grant obtained the response, and for a refresh alike.
//!
//! Nothing of a response is stored, printed or believed before it has passed here:
//! - its plain fields pass `token_response::check_response`: every token is made of the
//!   characters its RFC allows, and the token type is one we can use;
//! - the ID token is validated as fully at refresh as at login (OpenID Core §3.1.3.7, the
//!   nonce aside at refresh, §12.2), and a refreshed one must name the same issuer and user;
//! - then the user is identified (`identity::identify`).
//!
//! A response that fails any check is refused whole: the stored set stays as it was.

use anyhow::{Context, Result, bail};
use openidconnect::Nonce;

use crate::auth_method::AuthMethod;
use crate::config::Profile;
use crate::http::Http;
use crate::identity::{self, IdClaims};
use crate::provider::{Endpoints, OpenId};
use crate::secret::Secret;
use crate::term::escape;
use crate::token::{self, TokenSet};
use crate::token_response::{BEARER, TokenResponse, check_response};

/// What checking a login's response needs to know.
pub struct Login<'a> {
    pub profile: &'a Profile,
    pub ep: &'a Endpoints,
    pub http: &'a Http,
    pub client_id: &'a str,
    pub method: AuthMethod,
    /// The scopes asked for.
    pub scopes: &'a [String],
    /// The login stored before, for the same issuer and client.
    pub previous: Option<&'a TokenSet>,
}

/// A login's checked token set, and what the user should be told about it.
pub struct Accepted {
    pub set: TokenSet,
    /// The ID token claim the email was taken from instead of `email`, if any.
    pub fallback: Option<&'static str>,
    /// No refresh token came, and the one stored before was not kept: it is another user's.
    pub foreign_refresh: bool,
    /// The scopes asked for that the provider did not grant (RFC 6749 §3.3: it may grant
    /// fewer, and says which in `scope`; Google's granular consent lets the user untick some).
    pub not_granted: Vec<String>,
}

/// Checks and identifies the token response of a login. `nonce` is the one sent in the
/// authorization request; a grant without one (the device grant) passes `None`.
pub fn login(ctx: &Login, resp: &TokenResponse, nonce: Option<&Nonce>) -> Result<Accepted> {
    let received = token::now();
    let f = check_response(resp, received)?;
    let id_claims: Option<IdClaims> = match (&ctx.ep.openid, &f.id_token) {
        (Some(openid), Some(raw)) => Some(identity::validate_id_token(
            raw.expose(),
            openid,
            ctx.client_id,
            nonce,
        )?),
        (Some(_), None) if ctx.scopes.iter().any(|s| s == "openid") => {
            bail!("the provider returned no ID token although the `openid` scope was asked for")
        }
        _ => None,
    };
    check_domain(ctx.profile, id_claims.as_ref().and(f.id_token.as_ref()))?;
    let who = identity::identify(
        ctx.profile,
        ctx.ep,
        ctx.http,
        f.access_token.expose(),
        id_claims.as_ref(),
        ctx.scopes,
    )?;
    // A provider that sends a refresh token only on first consent (Google) leaves the stored
    // one valid for the same user: keep it. Another user's is not this login's (and a refused
    // one is not stored at all).
    let kept = ctx
        .previous
        .filter(|p| p.subject.is_some() && p.subject == who.subject)
        .and_then(|p| p.refresh_token.clone());
    let foreign_refresh = f.refresh_token.is_none()
        && kept.is_none()
        && ctx.previous.is_some_and(|p| p.refresh_token.is_some());
    let scopes = f
        .scopes
        .map(|s| granted(s, ctx.profile.quirks.comma_scopes));
    let not_granted = crate::granted::not_granted(
        ctx.scopes,
        scopes.as_deref(),
        id_claims.is_some(),
        f.refresh_token.is_some(),
        ctx.profile.quirks.scope_aliases,
    );
    let refresh_token = f.refresh_token.or(kept);
    let set = TokenSet {
        issuer: ctx.ep.issuer.clone(),
        client_id: ctx.client_id.to_owned(),
        email: who.email,
        subject: who.subject,
        access_token: f.access_token,
        token_type: BEARER.to_owned(),
        refresh_token,
        refresh_refused: false,
        id_token_expires_at: id_claims.as_ref().map(|c| c.expires_at),
        // An ID token from a provider without discovery could not be validated: not kept.
        id_token: id_claims.as_ref().and(f.id_token),
        expires_at: f.expires_at,
        obtained_at: Some(received),
        id_token_issued_at: id_claims.as_ref().map(|c| c.issued_at),
        id_token_keys: id_claims.as_ref().and(ctx.ep.openid.as_ref()).map(keys_of),
        // RFC 6749 §5.1: no `scope` in the response means the requested ones were granted.
        scopes: scopes.unwrap_or_else(|| ctx.scopes.to_vec()),
        token_endpoint: ctx.ep.token.clone(),
        revocation_endpoint: ctx.ep.revocation.clone(),
        auth_method: ctx.method,
        scoped: Vec::new(),
    };
    Ok(Accepted {
        set,
        fallback: who.fallback,
        foreign_refresh,
        not_granted,
    })
}

/// The granted scopes as a list; where the provider separates them with commas (GitHub),
/// split there too. GitHub's refresh responses carry an empty `scope` (GitHub Apps have no
/// scopes), so a refresh needs no such split.
fn granted(scopes: Vec<String>, comma_separated: bool) -> Vec<String> {
    if !comma_separated {
        return scopes;
    }
    scopes
        .iter()
        .flat_map(|s| s.split(','))
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// What a login without a refresh token tells the user: until when `token` works, why the
/// refresh token stored before was dropped, and, at a provider that sends one only with a
/// consent (`consent_helps`, Google), that the next login gets one.
pub fn no_refresh_note(
    name: &str,
    set: &TokenSet,
    foreign_refresh: bool,
    consent_helps: bool,
) -> Option<String> {
    let at = set.expires_at.filter(|_| set.refresh_token.is_none())?;
    let mut note = format!(
        "Note: the provider sent no refresh token, so 'oauthcli token {name}' works until the \
         access token expires ({}), and then needs a new login.",
        token::rfc3339(at)
    );
    if foreign_refresh {
        note.push_str(" The refresh token stored before was another account's: it is not kept.");
    }
    if consent_helps {
        note.push_str(&format!(
            " Log in again to get one: with no refresh token stored, 'oauthcli login {name}' asks \
             for consent, and the provider sends one with it."
        ));
    }
    Some(note)
}

/// With `hd` in the config (Google), the login must be of that Workspace domain: the
/// parameter only steers Google's account picker, and Google says of the ID token's `hd`
/// claim "You must check this claim when restricting access to a resource to only members of
/// certain domains" (`presets::google`). `raw_id_token` is the validated ID token.
fn check_domain(profile: &Profile, raw_id_token: Option<&Secret>) -> Result<()> {
    let Some(("hd", want)) = profile.hints.domain.as_ref().map(|(k, v)| (*k, v)) else {
        return Ok(());
    };
    let claims = raw_id_token.and_then(|t| crate::jwt::unverified_claims(t.expose()).ok());
    let got = claims.as_ref().and_then(|c| c.get("hd")?.as_str());
    if got == Some(want.as_str()) {
        return Ok(());
    }
    bail!(
        "the account is {}, not of the Google Workspace domain {want} that `hd` in the config \
         asks for; log in with an account of {want} (--select-account shows the account picker), \
         or change `hd` under [providers.{}]",
        match got {
            Some(d) => format!("of the domain {}", escape(d)),
            None => "not of a Google Workspace domain".to_owned(),
        },
        profile.name
    )
}

/// Where the ID tokens checked with `openid` are checked at the next refresh.
fn keys_of(openid: &OpenId) -> token::IdTokenKeys {
    token::IdTokenKeys {
        issuer: openid.issuer.to_string(),
        jwks_uri: openid.jwks_uri.clone(),
    }
}

/// A refresh's result: the new set, and whether a new ID token came with it.
pub struct Refreshed {
    pub set: TokenSet,
    pub new_id_token: bool,
    /// How long the new access token lives (its `expires_in`), and the new ID token (its
    /// `exp` less its `iat`), when the provider says.
    pub access_lifetime: Option<i64>,
    pub id_lifetime: Option<i64>,
}

/// Checks a refresh response (RFC 6749 §6) and applies it to the stored set: a refresh token
/// or ID token that is not sent again stays as it was; `scope` left out means unchanged
/// (§5.1). `openid` gives the provider's keys; it is asked for only when the response
/// carries an ID token for a login that has one.
pub fn refresh(
    mut set: TokenSet,
    resp: &TokenResponse,
    openid: impl Fn(bool) -> Result<OpenId>,
) -> Result<Refreshed> {
    let received = token::now();
    let f = check_response(resp, received)?;
    let mut id_lifetime = None;
    if let Some(raw) = &f.id_token
        && set.id_token.is_some()
    {
        let cannot = "the refreshed ID token cannot be checked";
        // With the keys kept with the login, then, if they do not verify it, with keys
        // fetched now (the provider may have rotated them).
        let kept = openid(false).context(cannot)?;
        let (claims, openid) = match check_refreshed_id_token(&set, raw, &kept) {
            Ok(claims) => (claims, kept),
            Err(_) => {
                let fetched = openid(true).context(cannot)?;
                (check_refreshed_id_token(&set, raw, &fetched)?, fetched)
            }
        };
        set.id_token_keys = Some(keys_of(&openid));
        set.id_token = Some(raw.clone());
        set.id_token_expires_at = Some(claims.expires_at);
        set.id_token_issued_at = Some(claims.issued_at);
        id_lifetime = Some(claims.expires_at - claims.issued_at);
    }
    let access_lifetime = f.expires_at.map(|at| at - received);
    set.access_token = f.access_token;
    set.token_type = BEARER.to_owned();
    set.expires_at = f.expires_at;
    set.obtained_at = Some(received);
    if let Some(rt) = f.refresh_token {
        set.refresh_token = Some(rt);
    }
    if let Some(scopes) = f.scopes {
        set.scopes = scopes;
    }
    Ok(Refreshed {
        set,
        new_id_token: id_lifetime.is_some(),
        access_lifetime,
        id_lifetime,
    })
}

/// OpenID Core §12.2: a refreshed ID token is validated as at login, but its `iss` must be
/// that of the login's ID token and its `sub` the login's user; it carries no nonce. Another
/// user's token means the response is not for this login at all.
fn check_refreshed_id_token(set: &TokenSet, raw: &Secret, openid: &OpenId) -> Result<IdClaims> {
    let claims = identity::validate_id_token(raw.expose(), openid, &set.client_id, None)
        .map_err(|e| anyhow::anyhow!("the refreshed ID token was refused: {e:#}"))?;
    let original = identity::original_issuer(set);
    let iss = crate::jwt::unverified_claims(raw.expose())?
        .get("iss")
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    if !identity::same_issuer(openid, &iss, &original) {
        bail!(
            "the refreshed ID token names the issuer '{}', not the login's '{}' (OpenID Core \
             §12.2); refusing the response",
            escape(&iss),
            escape(&original)
        );
    }
    if let Some(sub) = &set.subject
        && *sub != claims.subject
    {
        bail!(
            "the refreshed ID token is for another user (sub '{}', the login is '{}'); \
             refusing the response (OpenID Core §12.2)",
            escape(&claims.subject),
            escape(sub)
        );
    }
    Ok(claims)
}

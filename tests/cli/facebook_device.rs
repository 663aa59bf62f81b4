//! The `facebook` preset's device login, Facebook Login for Devices, against the Facebook
//! stand-in (`standin/facebook.rs`) with the stand-in phone (`tests/support/phone.py`): its
//! own requests, shown and polled as the RFC 8628 grant is, its subcodes read as RFC 8628's
//! outcomes, and no secret of it on stderr.

use crate::device::with_phone;
use crate::facebook::{access_token, pairs, standin, user_of};
use crate::standin::*;
use crate::support::*;

/// The stand-in and its user for the device login: polled every second, the client token
/// in the environment.
fn device(facebook: FacebookOptions) -> (StandIn, User) {
    let fb = standin(FacebookOptions {
        interval: Some(1),
        ..facebook
    });
    let mut user = user_of(&fb, "");
    user.env("OAUTHCLI_FACEBOOK_CLIENT_TOKEN", FB_CLIENT_TOKEN);
    (fb, user)
}

#[test]
fn device_login_with_the_client_token_shows_and_polls_as_the_device_grant() {
    let (fb, user) = device(FacebookOptions {
        require_proof: true,
        pending_polls: 1,
        ..FacebookOptions::default()
    });
    let (run, phone) = with_phone(user.command(&["login", "facebook", "--device"]), "approve");
    assert_eq!(phone, 0, "{run:#?}");
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.stdout, "Logged in to facebook as alice@example.com\n");
    let user_code = run.stderr.lines().nth(6).unwrap().trim().to_owned();
    assert!(user_code.starts_with("A1NWZ"), "{}", run.stderr);
    let b = &fb.base;
    let ends = rfc3339(user.stored("facebook")["expires_at"].as_i64().unwrap());
    // Facebook's code lives 420 s, less than --timeout: the wait is the code's.
    assert_eq!(
        run.stderr,
        format!(
            "To log in to 'facebook', open this page on any device (a phone will do):\n\n  \
             {b}/device\n\nand enter this code:\n\n  {user_code}\n\n\
             This login is for client '{FB_APP}' at {b}/v25.0/oauth/access_token: approve it \
             only if you started it here.\n\nWaiting up to 420 s for the login to be approved \
             (Ctrl-C to cancel)...\nNote: the provider sent no refresh token, so 'oauthcli \
             token facebook' works until the access token expires ({ends}), and then needs a \
             new login.\n"
        )
    );
    let app_token = format!("{FB_APP}|{FB_CLIENT_TOKEN}");
    let asked = fb.requests_to("/v25.0/device/login");
    assert_eq!(asked.len(), 1);
    assert_eq!(
        asked[0].form,
        pairs(&[
            ("access_token", &app_token),
            ("scope", "public_profile,email")
        ])
    );
    // Pending, then approved: two polls.
    let polls = fb.requests_to("/v25.0/device/login_status");
    assert_eq!(polls.len(), 2);
    let code = polls[0].form["code"].clone();
    for poll in &polls {
        assert_eq!(
            poll.form,
            pairs(&[("access_token", &app_token), ("code", &code)])
        );
    }
    // The token of the device login is swapped as a dialog's is, then /me with its proof.
    assert!(fb.requests_to("/v25.0/dialog/oauth").is_empty());
    let tokens = fb.requests_to("/v25.0/oauth/access_token");
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].form["grant_type"], "fb_exchange_token");
    assert!(tokens[0].form["fb_exchange_token"].starts_with("EAADevice"));
    let long = access_token(&user);
    assert_eq!(
        fb.requests_to("/v25.0/me")[0].query["appsecret_proof"],
        proof(&long)
    );
    assert_eq!(user.stored("facebook")["subject"], FB_USER);
}

#[test]
fn device_login_slows_down_on_its_subcode_and_ends_on_decline_or_expiry() {
    let (_slow, user) = device(FacebookOptions {
        slow_down: true,
        ..FacebookOptions::default()
    });
    let (run, _) = with_phone(
        user.command(&["login", "facebook", "--device", "-v"]),
        "approve",
    );
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(
        run.stderr
            .contains("the provider asked to slow down: polling every 6 s\n"),
        "{}",
        run.stderr
    );

    let (declined, user) = device(FacebookOptions::default());
    let (run, phone) = with_phone(user.command(&["login", "facebook", "--device"]), "deny");
    assert_eq!((run.code, phone), (1, 0), "{run:#?}");
    assert!(
        run.stderr.ends_with(&format!(
            "error: the login was refused at the provider ({}/v25.0/device/login_status \
             answered `error_subcode 1349173` (`access_denied`): The user declined the device \
             login [fbtrace_id AbCdEfGhIjK]); nothing was stored\n",
            declined.base
        )),
        "{}",
        run.stderr
    );
    assert!(!user.token_file("facebook").exists());

    let (expired, user) = device(FacebookOptions {
        expired: true,
        ..FacebookOptions::default()
    });
    let r = user.run(&["login", "facebook", "--device"]);
    assert_eq!(r.code, 1, "{r:#?}");
    assert!(
        r.stderr.ends_with(
            "error: the code expired before the login was approved; nothing was stored: start \
             again with 'oauthcli login facebook --device'\n"
        ),
        "{}",
        r.stderr
    );
    assert_eq!(expired.requests_to("/v25.0/device/login_status").len(), 1);
    assert!(!user.token_file("facebook").exists());
}

#[test]
fn the_device_login_needs_the_client_token_before_anything_is_asked() {
    let fb = standin(FacebookOptions::default());
    let user = user_of(&fb, "");
    user.run(&["login", "facebook", "--device"]).failed(
        2,
        &format!(
            "error: the device login of 'facebook' needs the app's client token: set \
             client_token under [providers.facebook] in {} or the variable \
             OAUTHCLI_FACEBOOK_CLIENT_TOKEN (the app's dashboard, App settings > Advanced > \
             Security > Client token), and turn on \"Login from Devices\" under Facebook Login \
             > Settings\n",
            user.config.display()
        ),
    );
    assert!(fb.requests().is_empty());
    // Found from the config alone: neither the token store nor the lock was asked anything.
    assert!(!user.path("home/.local/share/oauthcli").exists());
    assert!(!user.path("home/.local/state/oauthcli").exists());
}

#[test]
fn no_secret_of_a_facebook_login_reaches_stderr_at_vv() {
    let (fb, user) = device(FacebookOptions {
        require_proof: true,
        ..FacebookOptions::default()
    });
    let (login, _) = with_phone(
        user.command(&["login", "facebook", "--device", "-vv"]),
        "approve",
    );
    assert_eq!(login.code, 0, "{login:#?}");
    let long = access_token(&user);
    let device = fb.requests_to("/v25.0/oauth/access_token")[0].form["fb_exchange_token"].clone();
    let code = fb.requests_to("/v25.0/device/login_status")[0].form["code"].clone();
    let logout = user.run(&["logout", "-vv"]);
    assert_eq!(logout.code, 0, "{logout:#?}");
    // The -vv lines name the Graph API's paths, never their queries.
    assert!(
        login
            .stderr
            .contains(&format!("GET {}/v25.0/me\n", fb.base)),
        "{}",
        login.stderr
    );
    for secret in [
        FB_SECRET,
        FB_CLIENT_TOKEN,
        long.as_str(),
        device.as_str(),
        code.as_str(),
        proof(&long).as_str(),
    ] {
        for (what, stderr) in [("login", &login.stderr), ("logout", &logout.stderr)] {
            assert!(!stderr.contains(secret), "{what} shows {secret}:\n{stderr}");
        }
    }
}

#[test]
fn a_wrong_client_token_says_where_to_look() {
    let fb = standin(FacebookOptions::default());
    let mut user = user_of(&fb, "");
    user.env("OAUTHCLI_FACEBOOK_CLIENT_TOKEN", "not-the-client-token");
    user.run(&["login", "facebook", "--device"]).failed(
        1,
        &format!(
            "error: the device authorization request was refused ({}/v25.0/device/login \
             answered `code 190`: Invalid OAuth access token - Cannot parse access token \
             [fbtrace_id AbCdEfGhIjK]): turn on \"Login from Devices\" under Facebook Login > \
             Settings of the app at https://developers.facebook.com/apps/, and check that \
             client_token is the app's client token (App settings > Advanced); nothing was \
             stored\n",
            fb.base
        ),
    );
}

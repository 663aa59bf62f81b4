//! `kubectl-credential` with the real kubectl against a local API stand-in that answers
//! `/version` only for a valid ID token of the test provider: its signature checked
//! against the provider's JWKS, its `iss`, `aud` and `exp`, as the Kubernetes OIDC
//! authenticator checks them (`--oidc-issuer-url`, `--oidc-client-id`).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use openidconnect::core::{CoreIdToken, CoreIdTokenVerifier, CoreJsonWebKeySet};
use openidconnect::{ClientId, IssuerUrl, Nonce};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde_json::Value;

use crate::support::*;

const VERSION: &str = r#"{"major":"1","minor":"32","gitVersion":"v1.32.0-oauthcli-standin"}"#;
const UNAUTHORIZED: &str = r#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"#;

/// The API stand-in, over https (kubectl sends no credential over plain http); stops on drop.
struct KubeApi {
    url: String,
    ca: String,
    /// Every bearer token it saw, and whether it took it.
    seen: Arc<Mutex<Vec<(String, bool)>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl KubeApi {
    fn start(issuer: &str, client_id: &str) -> KubeApi {
        let jwks: CoreJsonWebKeySet = serde_json::from_str(
            &reqwest::blocking::get(format!("{issuer}/jwks"))
                .unwrap()
                .text()
                .unwrap(),
        )
        .unwrap();
        let verifier = CoreIdTokenVerifier::new_public_client(
            ClientId::new(client_id.to_owned()),
            IssuerUrl::new(issuer.to_owned()).unwrap(),
            jwks,
        );
        let dir = tempfile::tempdir().unwrap();
        let (ca, cert, key) = private_ca(dir.path());
        let tls = Arc::new(
            rustls::ServerConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from_pem_file(&cert).unwrap()],
                PrivateKeyDer::from_pem_file(&key).unwrap(),
            )
            .unwrap(),
        );
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("https://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (seen, stop) = (seen.clone(), stop.clone());
            std::thread::spawn(move || {
                for tcp in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let conn = rustls::ServerConnection::new(tls.clone()).unwrap();
                    let mut stream = rustls::StreamOwned::new(conn, tcp.unwrap());
                    let _ = serve(&mut stream, &verifier, &seen);
                }
            })
        };
        KubeApi {
            url,
            ca,
            seen,
            stop,
            thread: Some(thread),
            _dir: dir,
        }
    }

    fn seen(&self) -> Vec<(String, bool)> {
        self.seen.lock().unwrap().clone()
    }
}

/// Answers one request on one connection.
fn serve(
    stream: &mut (impl Read + Write),
    verifier: &CoreIdTokenVerifier,
    seen: &Mutex<Vec<(String, bool)>>,
) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte)? == 0 {
            return Ok(());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let path = head.split(' ').nth(1).unwrap_or("").to_owned();
    let bearer = head.lines().find_map(|l| {
        let (name, value) = l.split_once(": ")?;
        name.eq_ignore_ascii_case("authorization")
            .then(|| value.strip_prefix("Bearer ").map(str::to_owned))?
    });
    let valid = bearer.as_deref().is_some_and(|t| {
        t.parse::<CoreIdToken>()
            .is_ok_and(|id| id.claims(verifier, |_: Option<&Nonce>| Ok(())).is_ok())
    });
    if let Some(t) = bearer {
        seen.lock().unwrap().push((t, valid));
    }
    let (status, body) = match (valid, path.as_str()) {
        (true, "/version") => ("200 OK", VERSION),
        (true, _) => ("404 Not Found", "{}"),
        (false, _) => ("401 Unauthorized", UNAUTHORIZED),
    };
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()
}

impl Drop for KubeApi {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop, which then sees the flag.
        let _ = std::net::TcpStream::connect(self.url.trim_start_matches("https://"));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A kubeconfig whose user runs oauthcli with `args` as its exec plugin of `version`.
fn kubeconfig(user: &User, api: &KubeApi, version: &str, args: &[&str]) -> String {
    let path = user.path(&format!("kubeconfig-{}", version.replace('/', "-")));
    let args: Vec<String> = args.iter().map(|a| format!("\"{a}\"")).collect();
    std::fs::write(
        &path,
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: standin\n\
             clusters:\n- name: standin\n  cluster:\n    server: {}\n    certificate-authority: {}\n\
             contexts:\n- name: standin\n  context:\n    cluster: standin\n    user: oidc\n\
             users:\n- name: oidc\n  user:\n    exec:\n      apiVersion: {version}\n\
             \x20     command: {BIN}\n      args: [{}]\n      interactiveMode: Never\n",
            api.url,
            api.ca,
            args.join(", ")
        ),
    )
    .unwrap();
    path.to_str().unwrap().to_owned()
}

fn kubectl(user: &User, config: &str) -> Run {
    user.run_tool(
        "kubectl",
        &["--kubeconfig", config, "get", "--raw", "/version"],
    )
}

fn stored(user: &User) -> Value {
    user.stored("local")
}

#[test]
fn kubectl_gets_a_valid_id_token_in_v1_and_v1beta1() {
    let provider = Provider::start();
    let user = file_login(&provider);
    let api = KubeApi::start(&provider.issuer, "cli-public");
    let id_token = stored(&user)["id_token"].as_str().unwrap().to_owned();
    for version in [
        "client.authentication.k8s.io/v1",
        "client.authentication.k8s.io/v1beta1",
    ] {
        let r = kubectl(
            &user,
            &kubeconfig(&user, &api, version, &["kubectl-credential"]),
        );
        assert_eq!(r.code, 0, "{version}: {r:#?}");
        assert_eq!(r.stdout, VERSION);
        assert_eq!(api.seen().last().unwrap(), &(id_token.clone(), true));
    }

    // An ID token about to expire is refreshed first, and the new one is taken.
    let config = kubeconfig(
        &user,
        &api,
        "client.authentication.k8s.io/v1",
        &["kubectl-credential", "local", "--min-ttl", "7200"],
    );
    let r = kubectl(&user, &config);
    assert_eq!(r.code, 0, "{r:#?}");
    // (Within the same second the provider signs the very same ID token again.)
    assert_eq!(provider.grants(), ["authorization_code", "refresh_token"]);
    let new = stored(&user)["id_token"].as_str().unwrap().to_owned();
    assert_eq!(api.seen().last().unwrap(), &(new, true));

    // The stand-in refuses what is not a valid ID token of this provider: the access token.
    let config = kubeconfig(
        &user,
        &api,
        "client.authentication.k8s.io/v1",
        &["kubectl-credential", "--access-token"],
    );
    let r = kubectl(&user, &config);
    assert_eq!(r.code, 1, "{r:#?}");
    let access = stored(&user)["access_token"].as_str().unwrap().to_owned();
    assert_eq!(api.seen().last().unwrap(), &(access, false));

    // Not logged in: kubectl fails and shows why.
    user.ok(&["logout"]);
    let before = api.seen().len();
    let r = kubectl(
        &user,
        &kubeconfig(
            &user,
            &api,
            "client.authentication.k8s.io/v1",
            &["kubectl-credential"],
        ),
    );
    assert_eq!(r.code, 1, "{r:#?}");
    assert!(
        r.stderr
            .contains("error: not logged in: run 'oauthcli login local'"),
        "{}",
        r.stderr
    );
    assert_eq!(api.seen().len(), before);
}

#[test]
fn the_exec_credential_follows_kubernetes_exec_info() {
    let provider = Provider::start();
    let mut user = file_login(&provider);
    let set = stored(&user);
    let (id, id_exp) = (
        set["id_token"].as_str().unwrap(),
        set["id_token_expires_at"].as_i64().unwrap(),
    );
    let at = |secs: i64| {
        chrono::DateTime::from_timestamp(secs, 0)
            .unwrap()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    let expected = |version: &str, token: &str, exp: i64| {
        format!(
            "{{\"apiVersion\":\"{version}\",\"kind\":\"ExecCredential\",\"status\":{{\"expirationTimestamp\":\"{}\",\"token\":\"{token}\"}}}}\n",
            at(exp)
        )
    };
    // Without the variable: v1.
    let r = user.run(&["kubectl-credential"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{r:#?}");
    assert_eq!(
        r.stdout,
        expected("client.authentication.k8s.io/v1", id, id_exp)
    );
    let r = user.run(&["kubectl-credential", "--access-token"]);
    assert_eq!(
        r.stdout,
        expected(
            "client.authentication.k8s.io/v1",
            set["access_token"].as_str().unwrap(),
            set["expires_at"].as_i64().unwrap()
        )
    );

    let mut with_info = |info: &str| {
        user.env("KUBERNETES_EXEC_INFO", info);
        user.run(&["kubectl-credential"])
    };
    let r = with_info(
        r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{"interactive":false}}"#,
    );
    assert_eq!(
        r.stdout,
        expected("client.authentication.k8s.io/v1beta1", id, id_exp)
    );

    let r = with_info(r#"{"apiVersion":"client.authentication.k8s.io/v1alpha1"}"#);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""));
    assert_eq!(
        r.stderr,
        "error: kubectl asks for an ExecCredential of apiVersion \
         'client.authentication.k8s.io/v1alpha1'; oauthcli speaks client.authentication.k8s.io/v1 \
         and client.authentication.k8s.io/v1beta1: set one of them as the exec apiVersion of this \
         user in the kubeconfig\n"
    );
    let r = with_info("not json");
    assert_eq!((r.code, r.stdout.as_str()), (1, ""));
    assert!(
        r.stderr.starts_with(
            "error: KUBERNETES_EXEC_INFO is not the ExecCredential JSON kubectl sends; unset it \
             to get client.authentication.k8s.io/v1\n  caused by: "
        ),
        "{}",
        r.stderr
    );

    // Not logged in: exit 4, the reason on stderr.
    let nobody = User::new();
    nobody.config(&format!(
        "storage = \"file\"\n{}",
        openid_config("corp", "https://login.example.com", "x", "")
    ));
    let r = nobody.run(&["kubectl-credential", "corp"]);
    assert_eq!((r.code, r.stdout.as_str()), (4, ""));
    assert_eq!(
        r.stderr,
        "error: not logged in to 'corp': run 'oauthcli login corp'\n"
    );
}

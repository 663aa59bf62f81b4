//! `git-credential` and `setup-git` with the real git against a local https git server
//! (`tests/support/git-server.py`: `git http-backend` that lets a request through only
//! with a live access token of the test provider).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::support::*;

/// The git server, killed on drop.
struct GitServer {
    child: Child,
    url: String,
    host: String,
    log: PathBuf,
    ca: String,
    _dir: tempfile::TempDir,
}

impl GitServer {
    /// Serves one repository, `repo.git`, with one commit.
    fn start(provider: &Provider) -> GitServer {
        let dir = tempfile::tempdir().unwrap();
        let (ca, cert, key) = private_ca(dir.path());
        let root = dir.path().join("root");
        let work = dir.path().join("work");
        std::fs::create_dir_all(&root).unwrap();
        let git = |cwd: &Path, args: &[&str]| {
            let ok = Command::new("git")
                .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
                .args(args)
                .current_dir(cwd)
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .output()
                .unwrap();
            assert!(ok.status.success(), "git {args:?}: {ok:?}");
        };
        git(dir.path(), &["init", "-q", "-b", "main", "work"]);
        std::fs::write(work.join("README"), "hello\n").unwrap();
        git(&work, &["add", "README"]);
        git(&work, &["commit", "-q", "-m", "first"]);
        git(
            dir.path(),
            &["clone", "-q", "--bare", "work", "root/repo.git"],
        );
        let log = dir.path().join("requests.jsonl");
        let mut child = Command::new(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support/git-server.py"),
        )
        .args([
            root.as_os_str(),
            provider.issuer.as_ref(),
            cert.as_ref(),
            key.as_ref(),
        ])
        .arg(&log)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line.trim().strip_prefix("READY ").unwrap().to_owned();
        let host = url.strip_prefix("https://").unwrap().to_owned();
        GitServer {
            child,
            url,
            host,
            log,
            ca,
            _dir: dir,
        }
    }

    fn requests(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// `(user, password, allowed)` of every request that carried a password.
    fn attempts(&self) -> Vec<(String, String, bool)> {
        self.requests()
            .iter()
            .filter(|r| !r["password"].is_null())
            .map(|r| {
                (
                    r["user"].as_str().unwrap().to_owned(),
                    r["password"].as_str().unwrap().to_owned(),
                    r["allowed"].as_bool().unwrap(),
                )
            })
            .collect()
    }
}

impl Drop for GitServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A user logged in to the test provider (file store), whose `local` provider serves git
/// at the server's host, with git isolated from any config but its own global file.
fn setup(provider: &Provider, server: &GitServer) -> User {
    let mut user = User::new();
    user.config(&local_file_config(
        provider,
        &format!("git_hosts = [\"{}\"]\n", server.host),
    ));
    user.ok(&["login"]);
    let gitconfig = user.path("gitconfig");
    user.env("GIT_CONFIG_GLOBAL", gitconfig.to_str().unwrap());
    user.env("GIT_CONFIG_NOSYSTEM", "1");
    user.env("GIT_TERMINAL_PROMPT", "0");
    user.env("GIT_ASKPASS", "");
    user.env("SSH_ASKPASS", "");
    user.env("GIT_SSL_CAINFO", &server.ca);
    user
}

fn git(user: &User, args: &[&str]) -> Run {
    user.run_tool("git", args)
}

fn stored(user: &User) -> Value {
    user.stored("local")
}

#[test]
fn git_clones_through_the_helper_refreshes_on_erase_and_fails_after_logout() {
    let provider = Provider::start();
    let server = GitServer::start(&provider);
    let user = setup(&provider, &server);
    std::fs::write(user.path("gitconfig"), "[user]\n\tname = Alice\n").unwrap();

    // setup-git: our helper for the host, after an empty one; the rest of the file kept.
    let r = user.run(&["setup-git"]);
    assert_eq!(r.code, 0, "{r:#?}");
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        format!("git now asks oauthcli (local) for {}\n", server.url)
    );
    let expected = format!(
        "[user]\n\tname = Alice\n[credential \"{}\"]\n\thelper = \n\thelper = {BIN} git-credential\n",
        server.url
    );
    assert_eq!(
        std::fs::read_to_string(user.path("gitconfig")).unwrap(),
        expected
    );
    assert_eq!(user.run(&["setup-git", "local"]).code, 0);
    assert_eq!(
        std::fs::read_to_string(user.path("gitconfig")).unwrap(),
        expected
    );

    // A clone, with the stored token as the password and GitLab's convention as the user.
    let r = git(
        &user,
        &["clone", "-q", &format!("{}/repo.git", server.url), "clone"],
    );
    assert_eq!(r.code, 0, "{r:#?}");
    assert_eq!(
        std::fs::read_to_string(user.path("clone/README")).unwrap(),
        "hello\n"
    );
    let token = stored(&user)["access_token"].as_str().unwrap().to_owned();
    let attempts = server.attempts();
    assert!(!attempts.is_empty());
    assert!(
        attempts
            .iter()
            .all(|a| *a == ("oauth2".to_owned(), token.clone(), true)),
        "{attempts:?}"
    );

    // `git credential fill` shows what the helper answers, expiry included.
    let fill = |user: &User| {
        finish_with_input(
            {
                let mut c = user.tool("git");
                c.args(["credential", "fill"]);
                c
            },
            &format!("protocol=https\nhost={}\n\n", server.host),
        )
    };
    let r = fill(&user);
    assert_eq!(r.code, 0, "{r:#?}");
    assert_eq!(
        r.stdout,
        format!(
            "protocol=https\nhost={}\nusername=oauth2\npassword={token}\npassword_expiry_utc={}\n",
            server.host,
            stored(&user)["expires_at"]
        )
    );

    // The host refuses a token (here: one it never issued): git erases it, and the next
    // request refreshes and gets through. Nothing prompts.
    let path = user.token_file("local");
    let mut set = stored(&user);
    set["access_token"] = "refused-by-the-host".into();
    std::fs::write(&path, set.to_string()).unwrap();
    let r = git(&user, &["-C", "clone", "fetch", "-q"]);
    assert_eq!(r.code, 128, "{r:#?}");
    assert!(r.stderr.contains("Authentication failed"), "{}", r.stderr);
    assert_eq!(stored(&user)["expires_at"], 0);
    assert_eq!(stored(&user)["access_token"], "refused-by-the-host");
    let r = git(&user, &["-C", "clone", "fetch", "-q"]);
    assert_eq!(r.code, 0, "{r:#?}");
    let new = stored(&user)["access_token"].as_str().unwrap().to_owned();
    assert_ne!(new, token);
    assert_eq!(
        server.attempts().last().unwrap(),
        &("oauth2".into(), new, true)
    );
    assert_eq!(provider.grants(), ["authorization_code", "refresh_token"]);

    // After logout: no password, no prompt, a failure that says why.
    user.ok(&["logout"]);
    let before = server.attempts().len();
    let r = git(&user, &["-C", "clone", "fetch", "-q"]);
    assert_eq!(r.code, 128, "{r:#?}");
    assert!(
        r.stderr
            .starts_with("oauthcli: not logged in to 'local': run 'oauthcli login local'\n"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("terminal prompts disabled"),
        "{}",
        r.stderr
    );
    assert_eq!(server.attempts().len(), before);
}

/// The helper run by hand, as git runs it.
fn helper(user: &User, op: &str, input: &str) -> Run {
    user.run_input(&["git-credential", op], input)
}

#[test]
fn the_helper_answers_only_for_its_hosts_and_only_over_https() {
    let provider = Provider::start();
    let user = User::new();
    user.config(&local_file_config(
        &provider,
        "git_hosts = [\"git.example.com\", \"127.0.0.1:8443\", \"localhost:8080\"]\n",
    ));
    // Not logged in: nothing for git, one line for the user, and git goes on.
    let r = helper(&user, "get", "protocol=https\nhost=git.example.com\n");
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
    assert_eq!(
        r.stderr,
        "oauthcli: not logged in to 'local': run 'oauthcli login local'\n"
    );
    user.ok(&["login"]);
    let token = user.stored("local")["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let expiry = user.stored("local")["expires_at"].clone();
    let answer = format!("username=oauth2\npassword={token}\npassword_expiry_utc={expiry}\n");

    // Fields git may add are skipped; a path-scoped request gets the host's token; a host
    // with a port matches its entry; a username from the URL is kept for a provider of
    // unknown conventions.
    let r = helper(
        &user,
        "get",
        "capability[]=authtype\nprotocol=https\nhost=git.example.com\npath=group/repo.git\n\
         wwwauth[]=Basic realm=\"x\"\nfuture-field=1\n\n",
    );
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (0, answer.as_str(), "")
    );
    let r = helper(&user, "get", "protocol=https\nhost=127.0.0.1:8443\n");
    assert_eq!(r.stdout, answer);
    let r = helper(
        &user,
        "get",
        "protocol=https\nhost=git.example.com\nusername=alice\n",
    );
    assert_eq!(
        r.stdout,
        answer.replace("username=oauth2", "username=alice")
    );

    // Another host, or the entry's host on another port: not ours, nothing said.
    for host in ["github.com", "127.0.0.1", "git.example.com:444"] {
        let r = helper(&user, "get", &format!("protocol=https\nhost={host}\n"));
        assert_eq!(
            (r.code, r.stdout.as_str(), r.stderr.as_str()),
            (0, "", ""),
            "{host}"
        );
    }

    // Plain http: never off loopback.
    let r = helper(&user, "get", "protocol=http\nhost=git.example.com\n");
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
    assert_eq!(
        r.stderr,
        "oauthcli: no token for http://git.example.com: a token is sent over https only (plain \
         http on loopback hosts alone); use an https URL\n"
    );
    let r = helper(&user, "get", "protocol=http\nhost=localhost:8080\n");
    assert_eq!(r.stdout, answer);

    // store is ignored; erase of a token that is not the stored one changes nothing; an
    // unknown operation is ignored.
    let before = std::fs::read(user.token_file("local")).unwrap();
    for (op, input) in [
        (
            "store",
            format!("protocol=https\nhost=git.example.com\nusername=oauth2\npassword={token}\n"),
        ),
        (
            "erase",
            "protocol=https\nhost=git.example.com\nusername=oauth2\npassword=other\n".to_owned(),
        ),
        ("frobnicate", String::new()),
    ] {
        let r = helper(&user, op, &input);
        assert_eq!(
            (r.code, r.stdout.as_str(), r.stderr.as_str()),
            (0, "", ""),
            "{op}"
        );
    }
    assert_eq!(std::fs::read(user.token_file("local")).unwrap(), before);
}

#[test]
fn setup_git_needs_a_git_host() {
    let provider = Provider::start();
    let user = file_login(&provider);
    let r = user.run(&["setup-git"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        format!(
            "error: provider 'local' has no git host: add git_hosts = [\"git.example.com\"] under \
             [providers.local] in {}\n",
            user.config.display()
        )
    );
    user.config(&openid_config(
        "local",
        &provider.issuer,
        "cli-public",
        "git_hosts = [\"https://git.example.com/\"]\n",
    ));
    let r = user.run(&["setup-git"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        format!(
            "error: invalid config file {}: providers.local.git_hosts: 'https://git.example.com/' \
             is not a git host: write it as git.example.com or git.example.com:8443, without a \
             scheme or a path\n",
            user.config.display()
        )
    );
}

//! git's credential-helper protocol (git-credential(1), "INPUT/OUTPUT FORMAT";
//! gitcredentials(7), "CUSTOM HELPERS"), as pure functions: reading git's request, writing
//! the answer, the git hosts a provider serves, and the helper line `setup-git` writes.
//!
//! git sends `key=value` lines ended by a blank line or the end of input; a helper must
//! ignore keys it does not know (git adds new ones, such as `capability[]` and `wwwauth[]`).
//! Values hold no newline and no NUL; git refuses to send such a credential, and so do we.

use anyhow::{Result, bail};

/// What git asks about: the parts of the URL it needs a credential for.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Request {
    pub protocol: String,
    /// `host` or `host:port`, as in the URL.
    pub host: String,
    /// Sent only when `credential.useHttpPath` is set; a token is good for the whole host.
    pub path: Option<String>,
    pub username: Option<String>,
    /// Only in `erase` and `store`: the password git used.
    pub password: Option<String>,
}

impl Request {
    /// Reads git's request; unknown keys are skipped, the first blank line ends it.
    pub fn parse(text: &str) -> Request {
        let mut req = Request::default();
        for line in text.lines() {
            if line.is_empty() {
                break;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let value = value.to_owned();
            match key {
                "protocol" => req.protocol = value,
                "host" => req.host = value.to_ascii_lowercase(),
                "path" => req.path = Some(value),
                "username" => req.username = Some(value),
                "password" => req.password = Some(value),
                _ => {}
            }
        }
        req
    }

    /// Is the request for a URL a token may be sent to? https always; plain http only on
    /// a loopback host, where nothing crosses a network (SECURITY.md row 11).
    pub fn transport_ok(&self) -> bool {
        match self.protocol.as_str() {
            "https" => true,
            "http" => is_loopback(&self.host),
            _ => false,
        }
    }
}

/// The answer to `get`: the username the host documents for OAuth tokens, the token, and
/// its expiry as a Unix time (git 2.41 and later drop an expired password on their own).
pub fn answer(username: &str, password: &str, expiry: Option<i64>) -> Result<String> {
    for value in [username, password] {
        if value.is_empty() || value.contains(['\n', '\0']) {
            bail!("the credential holds a character git's protocol cannot carry");
        }
    }
    let mut out = format!("username={username}\npassword={password}\n");
    if let Some(at) = expiry {
        out.push_str(&format!("password_expiry_utc={at}\n"));
    }
    Ok(out)
}

/// The git host of a web root URL: `host`, or `host:port` when the URL names a port.
pub fn host_of(url: &str) -> Option<String> {
    let url = reqwest::Url::parse(url).ok()?;
    let host = url.host_str()?.to_ascii_lowercase();
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

/// Checks a `git_hosts` entry: `host` or `host:port`, no scheme, no path.
pub fn check_host(entry: &str) -> Result<String, String> {
    let bad = || {
        format!(
            "'{entry}' is not a git host: write it as git.example.com or git.example.com:8443, \
             without a scheme or a path"
        )
    };
    if entry.is_empty() || entry.contains(['/', '@', ' ', '?', '#']) {
        return Err(bad());
    }
    match host_of(&format!("https://{entry}")) {
        Some(host) if host == entry.to_ascii_lowercase() => Ok(host),
        _ => Err(bad()),
    }
}

fn is_loopback(host: &str) -> bool {
    host_of(&format!("http://{host}"))
        .and_then(|h| reqwest::Url::parse(&format!("http://{h}")).ok())
        .is_some_and(|u| crate::http::is_loopback(&u))
}

/// The helper as git's config holds it: the program by its absolute path, then the
/// command. git runs a helper that starts with `/` through the shell (gitcredentials(7)),
/// so a path the shell would split is quoted, and then must start with `!`.
pub fn helper_line(program: &str) -> String {
    let plain = program
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/._-+".contains(&b));
    if plain {
        format!("{program} git-credential")
    } else {
        format!("!'{}' git-credential", program.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_keep_what_matters_and_skip_the_rest() {
        let req = Request::parse(
            "capability[]=authtype\nprotocol=https\nhost=Git.Example.com:8443\npath=a/b.git\n\
             wwwauth[]=Basic realm=\"x\"\nnonsense\nusername=alice\n\nprotocol=http\n",
        );
        assert_eq!(
            req,
            Request {
                protocol: "https".into(),
                host: "git.example.com:8443".into(),
                path: Some("a/b.git".into()),
                username: Some("alice".into()),
                password: None,
            }
        );
        assert!(req.transport_ok());
    }

    #[test]
    fn plain_http_only_on_loopback() {
        let req = |protocol: &str, host: &str| Request {
            protocol: protocol.into(),
            host: host.into(),
            ..Request::default()
        };
        assert!(!req("http", "git.example.com").transport_ok());
        assert!(req("http", "127.0.0.1:8080").transport_ok());
        assert!(req("http", "localhost").transport_ok());
        assert!(!req("ssh", "git.example.com").transport_ok());
        assert!(!req("", "").transport_ok());
    }

    #[test]
    fn the_answer_carries_the_expiry() {
        assert_eq!(
            answer("oauth2", "tok", Some(1_900_000_000)).unwrap(),
            "username=oauth2\npassword=tok\npassword_expiry_utc=1900000000\n"
        );
        assert_eq!(
            answer("oauth2", "tok", None).unwrap(),
            "username=oauth2\npassword=tok\n"
        );
        assert!(answer("oauth2", "a\nhost=evil", None).is_err());
        assert!(answer("", "tok", None).is_err());
    }

    #[test]
    fn git_hosts_are_hosts() {
        assert_eq!(check_host("Git.Example.com").unwrap(), "git.example.com");
        assert_eq!(check_host("127.0.0.1:8443").unwrap(), "127.0.0.1:8443");
        for bad in [
            "",
            "https://git.example.com",
            "git.example.com/group",
            "a b",
            "git.example.com:x",
            "user@git.example.com",
            "git.example.com:443",
        ] {
            assert!(check_host(bad).is_err(), "{bad}");
        }
        assert_eq!(
            host_of("https://ghe.example.com:8443/").as_deref(),
            Some("ghe.example.com:8443")
        );
        assert_eq!(host_of("https://gitlab.com").as_deref(), Some("gitlab.com"));
    }

    #[test]
    fn helper_lines_survive_the_shell() {
        assert_eq!(
            helper_line("/usr/local/bin/oauthcli"),
            "/usr/local/bin/oauthcli git-credential"
        );
        assert_eq!(
            helper_line("/home/a b/it's/oauthcli"),
            r"!'/home/a b/it'\''s/oauthcli' git-credential"
        );
    }
}

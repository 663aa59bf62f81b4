//! Which grant a login uses, decided once, from the flags, the provider's config and the
//! machine (README, "Logging in on a remote machine"):
//! - `--device` asks for the device authorization grant (RFC 8628); `--no-browser` for the
//!   URL to be printed and the answer taken from the loopback listener or a pasted line;
//!   `--browser` for a browser to be opened whatever this machine looks like;
//! - else, when `$BROWSER` is unset and no browser can be shown here (an SSH session; on
//!   Linux outside WSL and on the BSDs, whose desktops need X11 or Wayland alike, no `DISPLAY`
//!   nor `WAYLAND_DISPLAY`), no browser is started: the login
//!   uses the device grant when the provider's config says `device = true`, else goes as
//!   with `--no-browser`; one line on stderr says which and why.
//!
//! `--clipboard` goes with the device grant alone, whichever way it was chosen
//! ([`clipboard_misfit`]).
//!
//! A pure function of its inputs, so that every rule is tested without a machine to match.

/// How a login obtains its tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// The authorization code; a browser is started at the authorize URL.
    Browser,
    /// The authorization code; the URL is printed, nothing is started, and the answer comes
    /// from the loopback listener or a pasted line.
    Paste,
    /// The device authorization grant (RFC 8628): a code to enter on any other device.
    Device,
}

/// The login's flags that bear on the choice.
#[derive(Debug, Clone, Copy, Default)]
pub struct Flags {
    pub no_browser: bool,
    pub browser: bool,
    pub device: bool,
}

/// What the machine looks like, read from its environment.
#[derive(Debug, Clone, Default)]
pub struct Machine {
    /// `$BROWSER` is set to something.
    pub browser_var: bool,
    /// `SSH_CONNECTION` or `SSH_TTY` is set.
    pub ssh: bool,
    /// Linux or a BSD (any Unix but macOS), where a browser needs an X11 or Wayland display.
    pub needs_display: bool,
    /// `DISPLAY` or `WAYLAND_DISPLAY` is set.
    pub display: bool,
    /// Windows Subsystem for Linux: the Windows browser can be started from here.
    pub wsl: bool,
}

impl Machine {
    /// This machine.
    pub fn here() -> Machine {
        let set = |var: &str| std::env::var_os(var).is_some_and(|v| !v.is_empty());
        Machine {
            browser_var: set("BROWSER"),
            ssh: set("SSH_CONNECTION") || set("SSH_TTY"),
            needs_display: cfg!(all(unix, not(target_os = "macos"))),
            display: set("DISPLAY") || set("WAYLAND_DISPLAY"),
            wsl: is_wsl(set("WSL_DISTRO_NAME") || set("WSL_INTEROP")),
        }
    }

    /// Why no browser can be shown here, if none can.
    pub fn headless(&self) -> Option<&'static str> {
        if self.browser_var {
            return None;
        }
        if self.ssh {
            return Some("this is an SSH session");
        }
        if self.needs_display && !self.wsl && !self.display {
            return Some("no display is set (neither DISPLAY nor WAYLAND_DISPLAY)");
        }
        None
    }
}

/// WSL sets `WSL_DISTRO_NAME` and `WSL_INTEROP` in its shells; its kernel names Microsoft
/// in its release, which is what tells when a login shell lost the variables.
fn is_wsl(by_env: bool) -> bool {
    by_env
        || (cfg!(target_os = "linux")
            && std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .is_ok_and(|r| r.to_ascii_lowercase().contains("microsoft")))
}

/// The grant, and the line to show when it was chosen for the user rather than asked for;
/// `device_allowed` is the provider's `device = true`.
pub fn choose(flags: Flags, machine: &Machine, device_allowed: bool) -> (Grant, Option<String>) {
    if flags.device {
        return (Grant::Device, None);
    }
    if flags.no_browser {
        return (Grant::Paste, None);
    }
    if flags.browser {
        return (Grant::Browser, None);
    }
    match machine.headless() {
        None => (Grant::Browser, None),
        Some(why) if device_allowed => (
            Grant::Device,
            Some(format!(
                "{why}: not opening a browser here; logging in with a code to enter on any \
                 device, as the provider's config allows (device = true; --browser opens one \
                 here all the same)"
            )),
        ),
        Some(why) => (
            Grant::Paste,
            Some(format!(
                "{why}: not opening a browser here; open the URL below on any machine \
                 (--browser opens one here all the same)"
            )),
        ),
    }
}

/// Why `--clipboard` does not fit the grant chosen, if it does not: it copies the device
/// grant's code, and with another grant it would copy nothing, which is not what the user
/// asked for.
pub fn clipboard_misfit(grant: Grant) -> Option<String> {
    let instead = match grant {
        Grant::Device => return None,
        Grant::Browser => "opens a browser",
        Grant::Paste => {
            "prints a URL to open on another machine (a machine that can show no browser uses \
             the device grant by itself with device = true in the provider's config)"
        }
    };
    Some(format!(
        "--clipboard copies the code of the device grant, and this login {instead}: add \
         --device, or leave out --clipboard"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linux() -> Machine {
        Machine {
            needs_display: true,
            ..Machine::default()
        }
    }

    #[test]
    fn flags_win_over_the_machine() {
        let ssh = Machine {
            ssh: true,
            ..linux()
        };
        let paste = Flags {
            no_browser: true,
            ..Flags::default()
        };
        assert_eq!(choose(paste, &ssh, false), (Grant::Paste, None));
        let browser = Flags {
            browser: true,
            ..Flags::default()
        };
        assert_eq!(choose(browser, &ssh, false), (Grant::Browser, None));
    }

    #[test]
    fn a_desktop_opens_a_browser() {
        let desktop = Machine {
            display: true,
            ..linux()
        };
        assert_eq!(choose(Flags::default(), &desktop, false).0, Grant::Browser);
        let mac = Machine::default();
        assert_eq!(choose(Flags::default(), &mac, false).0, Grant::Browser);
        let wsl = Machine {
            wsl: true,
            ..linux()
        };
        assert_eq!(choose(Flags::default(), &wsl, false).0, Grant::Browser);
    }

    #[test]
    fn headless_machines_paste() {
        let ssh = Machine {
            ssh: true,
            display: true,
            ..linux()
        };
        let (grant, why) = choose(Flags::default(), &ssh, false);
        assert_eq!(grant, Grant::Paste);
        assert!(
            why.unwrap()
                .starts_with("this is an SSH session: not opening a browser")
        );
        let (grant, why) = choose(Flags::default(), &linux(), false);
        assert_eq!(grant, Grant::Paste);
        assert!(why.unwrap().starts_with("no display is set"));
    }

    #[test]
    fn browser_variable_means_a_browser_can_be_shown() {
        let ssh = Machine {
            ssh: true,
            browser_var: true,
            ..linux()
        };
        assert_eq!(
            choose(Flags::default(), &ssh, false),
            (Grant::Browser, None)
        );
    }

    #[test]
    fn device_flag_wins_over_everything() {
        let desktop = Machine {
            display: true,
            browser_var: true,
            ..linux()
        };
        let device = Flags {
            device: true,
            ..Flags::default()
        };
        assert_eq!(choose(device, &desktop, false), (Grant::Device, None));
        assert_eq!(choose(device, &linux(), true), (Grant::Device, None));
    }

    #[test]
    fn the_clipboard_fits_the_device_grant_alone() {
        assert_eq!(clipboard_misfit(Grant::Device), None);
        for grant in [Grant::Browser, Grant::Paste] {
            let why = clipboard_misfit(grant).unwrap();
            assert!(
                why.starts_with("--clipboard copies the code of the device grant")
                    && why.ends_with(": add --device, or leave out --clipboard"),
                "{why}"
            );
        }
    }

    #[test]
    fn headless_machines_use_the_device_grant_when_the_config_allows_it() {
        let ssh = Machine {
            ssh: true,
            ..linux()
        };
        let (grant, why) = choose(Flags::default(), &ssh, true);
        assert_eq!(grant, Grant::Device);
        assert_eq!(
            why.unwrap(),
            "this is an SSH session: not opening a browser here; logging in with a code to \
             enter on any device, as the provider's config allows (device = true; --browser \
             opens one here all the same)"
        );
        let (grant, why) = choose(Flags::default(), &linux(), true);
        assert_eq!(grant, Grant::Device);
        assert!(why.unwrap().starts_with("no display is set"));
        // A machine that can show a browser opens one, whatever the config allows.
        let desktop = Machine {
            display: true,
            ..linux()
        };
        assert_eq!(
            choose(Flags::default(), &desktop, true),
            (Grant::Browser, None)
        );
        let with_browser = Machine {
            browser_var: true,
            ..ssh.clone()
        };
        assert_eq!(
            choose(Flags::default(), &with_browser, true),
            (Grant::Browser, None)
        );
        // The flags for the authorization code win over `device = true`.
        let paste = Flags {
            no_browser: true,
            ..Flags::default()
        };
        assert_eq!(choose(paste, &ssh, true), (Grant::Paste, None));
        let browser = Flags {
            browser: true,
            ..Flags::default()
        };
        assert_eq!(choose(browser, &ssh, true), (Grant::Browser, None));
    }
}

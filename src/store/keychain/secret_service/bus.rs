//! One connection to the D-Bus session bus, spoken synchronously in the calling thread: the
//! address (D-Bus Specification, "Server Addresses"; the session bus's default place, as
//! libdbus and zbus find it), the `EXTERNAL` authentication ("Authentication Protocol"),
//! `Hello` ("Message Bus Specification"), then method calls and their replies.
//!
//! Calls are queued and written together when a reply is first awaited: the authentication,
//! `BEGIN`, `Hello` and the first calls leave in one write (the server reads them in order,
//! as sd-bus relies on), so a connection costs one round trip, not four. The connection has
//! no deadline of its own: the keychain runs every call under one (`super::super`).

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;

use anyhow::{Result, anyhow, bail};

use super::message::{self, Call, Message};
use super::wire::Writer;

pub struct Bus {
    stream: BufReader<UnixStream>,
    /// Written at the next wait for a reply.
    queued: Vec<u8>,
    serial: u32,
    authenticated: bool,
    /// Replies and signals read while waiting for another message.
    stash: Vec<Message>,
}

impl Bus {
    /// Connects to the session bus; nothing is written until a reply is awaited.
    pub fn session() -> Result<Bus> {
        let address = session_address();
        let stream = connect(&address)
            .map_err(|e| anyhow!("cannot connect to the D-Bus session bus at `{address}`: {e}"))?;
        let mut bus = Bus {
            stream: BufReader::new(stream),
            queued: Vec::new(),
            serial: 0,
            authenticated: false,
            stash: Vec::new(),
        };
        // SASL EXTERNAL: the server knows our uid from the socket; we name it, as a decimal
        // number in hex digits.
        let uid: String = geteuid()
            .to_string()
            .bytes()
            .map(|b| format!("{b:02x}"))
            .collect();
        bus.queued = format!("\0AUTH EXTERNAL {uid}\r\nBEGIN\r\n").into_bytes();
        bus.send(&Call {
            destination: "org.freedesktop.DBus",
            path: "/org/freedesktop/DBus",
            interface: "org.freedesktop.DBus",
            member: "Hello",
            signature: "",
            body: Vec::new(),
        });
        Ok(bus)
    }

    /// Queues a call; its reply is read by [`Bus::reply`] with the serial returned.
    pub fn send(&mut self, call: &Call) -> u32 {
        self.serial += 1;
        self.queued.extend_from_slice(&call.encode(self.serial));
        self.serial
    }

    /// The reply to the call of `serial`; an error reply is an error.
    pub fn reply(&mut self, serial: u32) -> Result<Message> {
        let is_it = |m: &Message| {
            matches!(m.kind, message::METHOD_RETURN | message::ERROR)
                && m.reply_serial == Some(serial)
        };
        let m = self.wait(is_it)?;
        if m.kind == message::ERROR {
            let text = super::reply::error_text(&m);
            let name = m.error_name.as_deref().unwrap_or("an error without a name");
            bail!("{name}: {text}");
        }
        Ok(m)
    }

    /// Sends a call and waits for its reply.
    pub fn call(&mut self, call: &Call) -> Result<Message> {
        let serial = self.send(call);
        self.reply(serial)
    }

    /// The next signal `member` of `interface` from the object `path`; the bus sends it only
    /// once a match rule asks for it.
    pub fn signal(&mut self, path: &str, interface: &str, member: &str) -> Result<Message> {
        self.wait(|m| {
            m.kind == message::SIGNAL
                && m.path.as_deref() == Some(path)
                && m.interface.as_deref() == Some(interface)
                && m.member.as_deref() == Some(member)
        })
    }

    /// Asks the bus to send this connection the signals `rule` matches ("Match Rules").
    pub fn add_match(&mut self, rule: &str) -> Result<()> {
        let mut body = Writer::default();
        body.str(rule);
        self.call(&Call {
            destination: "org.freedesktop.DBus",
            path: "/org/freedesktop/DBus",
            interface: "org.freedesktop.DBus",
            member: "AddMatch",
            signature: "s",
            body: body.buf,
        })
        .map(drop)
    }

    fn wait(&mut self, wanted: impl Fn(&Message) -> bool) -> Result<Message> {
        if let Some(i) = self.stash.iter().position(&wanted) {
            return Ok(self.stash.remove(i));
        }
        self.flush()?;
        loop {
            let m = self.receive()?;
            if wanted(&m) {
                return Ok(m);
            }
            self.stash.push(m);
        }
    }

    fn flush(&mut self) -> Result<()> {
        if !self.queued.is_empty() {
            self.stream
                .get_mut()
                .write_all(&self.queued)
                .map_err(lost)?;
            self.queued.clear();
        }
        if !self.authenticated {
            // The server's answer to AUTH is one line; a longer one is no D-Bus server.
            let mut line = Vec::new();
            (&mut self.stream)
                .take(512)
                .read_until(b'\n', &mut line)
                .map_err(lost)?;
            if !line.starts_with(b"OK ") {
                bail!(
                    "the D-Bus session bus refused to authenticate this process ({})",
                    String::from_utf8_lossy(&line).trim_end()
                );
            }
            self.authenticated = true;
        }
        Ok(())
    }

    fn receive(&mut self) -> Result<Message> {
        let mut fixed = [0u8; 16];
        self.stream.read_exact(&mut fixed).map_err(lost)?;
        let mut raw = vec![0u8; message::message_len(&fixed)?];
        raw[..16].copy_from_slice(&fixed);
        self.stream.read_exact(&mut raw[16..]).map_err(lost)?;
        Message::decode(&raw)
    }
}

fn lost(e: std::io::Error) -> anyhow::Error {
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => anyhow!("the D-Bus session bus closed the connection"),
        _ => anyhow!("the D-Bus session bus connection failed: {e}"),
    }
}

fn geteuid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// `$DBUS_SESSION_BUS_ADDRESS`, else the socket `bus` in the user's runtime directory.
fn session_address() -> String {
    if let Some(a) = std::env::var_os("DBUS_SESSION_BUS_ADDRESS") {
        return a.to_string_lossy().into_owned();
    }
    match std::env::var_os("XDG_RUNTIME_DIR") {
        Some(dir) => format!("unix:path={}/bus", dir.to_string_lossy()),
        None => format!("unix:path=/run/user/{}/bus", geteuid()),
    }
}

/// Connects to the first address of the `;`-separated list that answers.
fn connect(addresses: &str) -> Result<UnixStream> {
    let mut last = anyhow!("the address is empty");
    for address in addresses.split(';').filter(|a| !a.is_empty()) {
        match connect_one(address) {
            Ok(stream) => return Ok(stream),
            Err(e) => last = e,
        }
    }
    Err(last)
}

fn connect_one(address: &str) -> Result<UnixStream> {
    let (transport, keys) = address.split_once(':').unwrap_or((address, ""));
    if transport != "unix" {
        bail!("oauthcli speaks D-Bus over unix sockets only, not '{transport}'");
    }
    for pair in keys.split(',') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = unescape(value)?;
        match key {
            "path" => {
                use std::os::unix::ffi::OsStrExt;
                return Ok(UnixStream::connect(std::ffi::OsStr::from_bytes(&value))?);
            }
            #[cfg(any(target_os = "linux", target_os = "android"))]
            "abstract" => {
                use std::os::linux::net::SocketAddrExt;
                let addr = std::os::unix::net::SocketAddr::from_abstract_name(value)?;
                return Ok(UnixStream::connect_addr(&addr)?);
            }
            _ => {}
        }
    }
    bail!("the address names no socket path")
}

/// An address value with its `%XX` escapes decoded ("Server Addresses").
fn unescape(value: &str) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(value.len());
    let mut bytes = value.bytes();
    while let Some(b) = bytes.next() {
        if b != b'%' {
            out.push(b);
            continue;
        }
        let hex = [bytes.next(), bytes.next()];
        let digits = hex.map(|d| d.and_then(|d| (d as char).to_digit(16)));
        match digits {
            [Some(hi), Some(lo)] => out.push((hi * 16 + lo) as u8),
            _ => bail!("the address has a bad % escape"),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_values_are_unescaped() {
        assert_eq!(unescape("/tmp/dbus-a%2cb%3D").unwrap(), b"/tmp/dbus-a,b=");
        assert!(unescape("/tmp/%2").is_err());
        assert!(unescape("/tmp/%zz").is_err());
    }

    #[test]
    fn addresses_other_than_unix_sockets_are_refused_with_their_transport() {
        let e = connect("tcp:host=127.0.0.1,port=1").unwrap_err();
        assert_eq!(
            e.to_string(),
            "oauthcli speaks D-Bus over unix sockets only, not 'tcp'"
        );
        let e = connect("unix:guid=0123").unwrap_err();
        assert_eq!(e.to_string(), "the address names no socket path");
    }

    #[test]
    fn the_first_address_that_answers_is_used() {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("bus");
        let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        let list = format!(
            "unix:path=/nonexistent/bus;unix:path={},guid=0",
            socket.display()
        );
        assert!(connect(&list).is_ok());
    }
}

//! D-Bus messages (D-Bus Specification, "Message Format"): a method call encoded whole, and
//! a message received, its header fields parsed and its body left to a `Reader`. Pure.

use anyhow::{Result, bail};

use super::wire::{Reader, Writer};

/// The largest message accepted from the bus. The specification allows 128 MiB; a Secret
/// Service answer for oauthcli is a few KiB, and nothing honest comes near this.
pub const MAX_MESSAGE: usize = 16 << 20;

pub const METHOD_CALL: u8 = 1;
pub const METHOD_RETURN: u8 = 2;
pub const ERROR: u8 = 3;
pub const SIGNAL: u8 = 4;

// Header field codes ("Header Fields").
const PATH: u8 = 1;
const INTERFACE: u8 = 2;
const MEMBER: u8 = 3;
const ERROR_NAME: u8 = 4;
const REPLY_SERIAL: u8 = 5;
const DESTINATION: u8 = 6;
const SIGNATURE: u8 = 8;

/// A method call to send.
pub struct Call<'a> {
    pub destination: &'a str,
    pub path: &'a str,
    pub interface: &'a str,
    pub member: &'a str,
    /// The body's signature, empty for no body.
    pub signature: &'a str,
    pub body: Vec<u8>,
}

impl Call<'_> {
    /// The whole message, with the given serial.
    pub fn encode(&self, serial: u32) -> Vec<u8> {
        let mut w = Writer::default();
        w.buf.extend_from_slice(&[b'l', METHOD_CALL, 0, 1]);
        w.u32(self.body.len() as u32);
        w.u32(serial);
        w.array(8, |w| {
            let field = |w: &mut Writer, code, kind: &str, value: &str| {
                w.open_struct();
                w.u8(code);
                w.signature(kind);
                match kind {
                    "g" => w.signature(value),
                    _ => w.str(value),
                }
            };
            field(w, PATH, "o", self.path);
            field(w, INTERFACE, "s", self.interface);
            field(w, MEMBER, "s", self.member);
            field(w, DESTINATION, "s", self.destination);
            if !self.signature.is_empty() {
                field(w, SIGNATURE, "g", self.signature);
            }
        });
        w.pad(8);
        w.buf.extend_from_slice(&self.body);
        w.buf
    }
}

/// A message received: its kind, the header fields a client needs, and its body. No `Debug`:
/// a body may hold a secret.
#[derive(Default)]
pub struct Message {
    pub kind: u8,
    big_endian: bool,
    pub reply_serial: Option<u32>,
    pub error_name: Option<String>,
    pub path: Option<String>,
    pub interface: Option<String>,
    pub member: Option<String>,
    pub signature: String,
    pub body: Vec<u8>,
}

/// The length of a whole message, from its first 16 bytes.
pub fn message_len(fixed: &[u8; 16]) -> Result<usize> {
    let big = endianness(fixed[0])?;
    let u32_at = |i: usize| {
        let b = [fixed[i], fixed[i + 1], fixed[i + 2], fixed[i + 3]];
        (if big {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        }) as usize
    };
    let (body, fields) = (u32_at(4), u32_at(12));
    let len = (16 + fields).next_multiple_of(8) + body;
    if body > MAX_MESSAGE || fields > MAX_MESSAGE || len > MAX_MESSAGE {
        bail!("the bus sent a message of more than {MAX_MESSAGE} bytes");
    }
    Ok(len)
}

fn endianness(mark: u8) -> Result<bool> {
    match mark {
        b'l' => Ok(false),
        b'B' => Ok(true),
        _ => bail!("the bus sent a message that is not D-Bus"),
    }
}

impl Message {
    /// Parses a whole message (as long as `message_len` says).
    pub fn decode(raw: &[u8]) -> Result<Message> {
        let big_endian = endianness(raw[0])?;
        let mut m = Message {
            kind: raw[1],
            big_endian,
            ..Message::default()
        };
        let mut r = Reader::new(raw, big_endian);
        r.skip(12)?;
        let fields_end = 16 + r.u32()? as usize;
        while r.position() < fields_end {
            r.open_struct()?;
            let code = r.u8()?;
            let value = match r.signature()? {
                "s" | "o" => r.str()?.to_owned(),
                "g" => r.signature()?.to_owned(),
                "u" => r.u32()?.to_string(),
                other => bail!("the bus sent a header field of type '{other}'"),
            };
            match code {
                PATH => m.path = Some(value),
                INTERFACE => m.interface = Some(value),
                MEMBER => m.member = Some(value),
                ERROR_NAME => m.error_name = Some(value),
                REPLY_SERIAL => m.reply_serial = value.parse().ok(),
                SIGNATURE => m.signature = value,
                _ => {}
            }
        }
        let body_start = fields_end.next_multiple_of(8);
        m.body = raw.get(body_start..).unwrap_or_default().to_vec();
        Ok(m)
    }

    /// A reader of the body, once its signature is the expected one.
    pub fn reader(&self, signature: &str) -> Result<Reader<'_>> {
        if self.signature != signature {
            bail!(
                "the Secret Service answered '{}' where '{signature}' was expected",
                self.signature
            );
        }
        Ok(Reader::new(&self.body, self.big_endian))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(signature: &'static str, body: Vec<u8>) -> Call<'static> {
        Call {
            destination: "org.freedesktop.secrets",
            path: "/org/freedesktop/secrets",
            interface: "org.freedesktop.Secret.Service",
            member: "SearchItems",
            signature,
            body,
        }
    }

    #[test]
    fn a_call_has_the_header_the_specification_lays_out() {
        let raw = call("", Vec::new()).encode(7);
        // Endianness, method call, no flags, version 1, no body, serial 7.
        assert_eq!(raw[..12], [b'l', 1, 0, 1, 0, 0, 0, 0, 7, 0, 0, 0]);
        assert_eq!(raw.len() % 8, 0);
        let fixed: [u8; 16] = raw[..16].try_into().unwrap();
        assert_eq!(message_len(&fixed).unwrap(), raw.len());
        let m = Message::decode(&raw).unwrap();
        assert_eq!(m.kind, METHOD_CALL);
        assert_eq!(m.path.as_deref(), Some("/org/freedesktop/secrets"));
        assert_eq!(
            m.interface.as_deref(),
            Some("org.freedesktop.Secret.Service")
        );
        assert_eq!(m.member.as_deref(), Some("SearchItems"));
        assert_eq!(m.signature, "");
        assert!(m.body.is_empty());
    }

    #[test]
    fn big_endian_messages_are_read_too() {
        let mut raw = vec![b'B', METHOD_RETURN, 0, 1, 0, 0, 0, 4, 0, 0, 0, 2];
        // Fields: REPLY_SERIAL u 5, SIGNATURE g "u"; 8 + 7 bytes, then padding to 8.
        raw.extend_from_slice(&[0, 0, 0, 15]);
        raw.extend_from_slice(&[REPLY_SERIAL, 1, b'u', 0, 0, 0, 0, 5]);
        raw.extend_from_slice(&[SIGNATURE, 1, b'g', 0, 1, b'u', 0, 0]);
        raw.extend_from_slice(&[0, 0, 1, 0]);
        let fixed: [u8; 16] = raw[..16].try_into().unwrap();
        assert_eq!(message_len(&fixed).unwrap(), raw.len());
        let m = Message::decode(&raw).unwrap();
        assert_eq!(m.reply_serial, Some(5));
        assert_eq!(m.reader("u").unwrap().u32().unwrap(), 256);
    }

    #[test]
    fn messages_of_more_than_the_limit_or_not_d_bus_are_refused() {
        // A message of more than MAX_MESSAGE.
        let mut fixed = [0u8; 16];
        fixed[0] = b'l';
        fixed[4..8].copy_from_slice(&(MAX_MESSAGE as u32 + 1).to_le_bytes());
        assert!(message_len(&fixed).is_err());
        fixed[0] = b'x';
        assert!(message_len(&fixed).is_err());
    }
}

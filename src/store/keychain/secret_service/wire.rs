//! The D-Bus wire format, as much of it as the Secret Service calls need (D-Bus
//! Specification, "Message Protocol": marshalling, message format): a writer for method
//! calls and a reader for what comes back. Pure: no I/O here.
//!
//! Every value is aligned to its size from the start of its buffer; a body starts at a
//! multiple of 8 in its message, so a body buffer of its own aligns the same way.

use anyhow::{Result, bail};

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

/// Marshals values, little-endian.
#[derive(Default)]
pub struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    fn pad(&mut self, to: usize) {
        while !self.buf.len().is_multiple_of(to) {
            self.buf.push(0);
        }
    }

    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    pub fn u32(&mut self, v: u32) {
        self.pad(4);
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    pub fn bool(&mut self, v: bool) {
        self.u32(v as u32);
    }

    /// A string or an object path.
    pub fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.buf.extend_from_slice(s.as_bytes());
        self.buf.push(0);
    }

    pub fn signature(&mut self, s: &str) {
        self.buf.push(s.len() as u8);
        self.buf.extend_from_slice(s.as_bytes());
        self.buf.push(0);
    }

    /// `ay`.
    pub fn bytes(&mut self, b: &[u8]) {
        self.u32(b.len() as u32);
        self.buf.extend_from_slice(b);
    }

    /// The start of a struct or dict entry: both align to 8.
    pub fn open_struct(&mut self) {
        self.pad(8);
    }

    /// An array whose elements align to `align`, written by `elements`; its length counts
    /// the elements' bytes only, not the padding before the first.
    pub fn array(&mut self, align: usize, elements: impl FnOnce(&mut Writer)) {
        self.u32(0);
        let at = self.buf.len() - 4;
        self.pad(align);
        let start = self.buf.len();
        elements(self);
        let len = (self.buf.len() - start) as u32;
        self.buf[at..at + 4].copy_from_slice(&len.to_le_bytes());
    }

    /// `a{ss}`.
    pub fn string_dict(&mut self, pairs: &[(&str, &str)]) {
        self.array(8, |w| {
            for (k, v) in pairs {
                w.open_struct();
                w.str(k);
                w.str(v);
            }
        });
    }
}

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
        r.pos = 12;
        let fields_end = 16 + r.u32()? as usize;
        while r.pos < fields_end {
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

/// Unmarshals values from a buffer, checking every length against it.
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    big_endian: bool,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8], big_endian: bool) -> Self {
        Reader {
            buf,
            pos: 0,
            big_endian,
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let Some(bytes) = self.buf.get(self.pos..self.pos.saturating_add(n)) else {
            bail!("the bus sent a message cut short");
        };
        self.pos += n;
        Ok(bytes)
    }

    fn align(&mut self, to: usize) -> Result<()> {
        let skip = self.pos.next_multiple_of(to) - self.pos;
        self.take(skip).map(drop)
    }

    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    pub fn u32(&mut self) -> Result<u32> {
        self.align(4)?;
        let b: [u8; 4] = self.take(4)?.try_into()?;
        Ok(if self.big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    }

    pub fn bool(&mut self) -> Result<bool> {
        match self.u32()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => bail!("the bus sent a boolean that is neither 0 nor 1"),
        }
    }

    fn text(&mut self, len: usize) -> Result<&'a str> {
        let bytes = self.take(len + 1)?;
        match std::str::from_utf8(&bytes[..len]) {
            Ok(s) if bytes[len] == 0 => Ok(s),
            _ => bail!("the bus sent a string that is not UTF-8 ended by a NUL"),
        }
    }

    /// A string or an object path.
    pub fn str(&mut self) -> Result<&'a str> {
        let len = self.u32()? as usize;
        self.text(len)
    }

    pub fn signature(&mut self) -> Result<&'a str> {
        let len = self.u8()? as usize;
        self.text(len)
    }

    /// `ay`.
    pub fn bytes(&mut self) -> Result<&'a [u8]> {
        let len = self.u32()? as usize;
        self.take(len)
    }

    pub fn open_struct(&mut self) -> Result<()> {
        self.align(8)
    }

    /// An array whose elements align to `align`, each read by `element`.
    pub fn array<T>(
        &mut self,
        align: usize,
        mut element: impl FnMut(&mut Reader<'a>) -> Result<T>,
    ) -> Result<Vec<T>> {
        let len = self.u32()? as usize;
        self.align(align)?;
        let end = self.pos.saturating_add(len);
        if end > self.buf.len() {
            bail!("the bus sent an array longer than its message");
        }
        let mut out = Vec::new();
        while self.pos < end {
            out.push(element(self)?);
        }
        if self.pos != end {
            bail!("the bus sent an array whose elements overrun its length");
        }
        Ok(out)
    }

    /// `ao`.
    pub fn paths(&mut self) -> Result<Vec<String>> {
        self.array(4, |r| Ok(r.str()?.to_owned()))
    }

    /// A variant whose value must be of type `signature`; the reader is left at its value.
    pub fn variant(&mut self, signature: &str) -> Result<()> {
        let found = self.signature()?;
        if found != signature {
            bail!("the Secret Service sent a '{found}' where a '{signature}' was expected");
        }
        Ok(())
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
    fn values_come_back_as_they_were_written_with_their_padding() {
        let mut w = Writer::default();
        w.u8(9);
        w.string_dict(&[("service", "oauthcli"), ("username", "corp")]);
        w.open_struct();
        w.str("/org/freedesktop/secrets/session/s1");
        w.bytes(b"");
        w.bytes(b"{\"a\":1}");
        w.str("application/json");
        w.bool(true);
        w.array(4, |w| {
            w.str("/a");
            w.str("/b");
        });
        // The byte, then three of padding before the dict's length.
        assert_eq!(w.buf[..4], [9, 0, 0, 0]);
        let raw = call("ya{ss}(oayays)bao", w.buf).encode(1);
        let m = Message::decode(&raw).unwrap();
        let mut r = m.reader("ya{ss}(oayays)bao").unwrap();
        assert_eq!(r.u8().unwrap(), 9);
        let dict = r
            .array(8, |r| {
                r.open_struct()?;
                Ok((r.str()?.to_owned(), r.str()?.to_owned()))
            })
            .unwrap();
        assert_eq!(
            dict,
            [
                ("service".to_owned(), "oauthcli".to_owned()),
                ("username".to_owned(), "corp".to_owned())
            ]
        );
        r.open_struct().unwrap();
        assert_eq!(r.str().unwrap(), "/org/freedesktop/secrets/session/s1");
        assert_eq!(r.bytes().unwrap(), b"");
        assert_eq!(r.bytes().unwrap(), b"{\"a\":1}");
        assert_eq!(r.str().unwrap(), "application/json");
        assert!(r.bool().unwrap());
        assert_eq!(r.paths().unwrap(), ["/a", "/b"]);
        assert!(m.reader("s").is_err());
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
    fn lengths_that_overrun_the_message_are_refused() {
        // An `ay` that claims more bytes than there are.
        let mut r = Reader::new(&[255, 0, 0, 0, 1, 2], false);
        assert!(r.bytes().is_err());
        // An array that claims more than its message.
        let mut r = Reader::new(&[64, 0, 0, 0, 1, 0, 0, 0], false);
        assert!(r.paths().is_err());
        // A string without its NUL.
        let mut r = Reader::new(&[1, 0, 0, 0, b'a', b'b'], false);
        assert!(r.str().is_err());
        // A message of more than MAX_MESSAGE.
        let mut fixed = [0u8; 16];
        fixed[0] = b'l';
        fixed[4..8].copy_from_slice(&(MAX_MESSAGE as u32 + 1).to_le_bytes());
        assert!(message_len(&fixed).is_err());
        fixed[0] = b'x';
        assert!(message_len(&fixed).is_err());
    }
}

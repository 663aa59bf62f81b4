//! D-Bus values on the wire, as much of the marshalling as the Secret Service calls need
//! (D-Bus Specification, "Marshaling (Wire Format)"): a writer and a reader that checks every
//! length against its buffer. Pure: no I/O here.
//!
//! Every value is aligned to its size from the start of its buffer; a body starts at a
//! multiple of 8 in its message, so a body buffer of its own aligns the same way.

use anyhow::{Result, bail};

/// Marshals values, little-endian.
#[derive(Default)]
pub struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    pub fn pad(&mut self, to: usize) {
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

    pub fn skip(&mut self, n: usize) -> Result<()> {
        self.take(n).map(drop)
    }

    pub fn position(&self) -> usize {
        self.pos
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
        let mut r = Reader::new(&w.buf, false);
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
        assert!(r.u8().is_err());
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
    }
}

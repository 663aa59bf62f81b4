//! What the Secret Service's replies say, read from a received message: each reply the
//! store needs, checked against its signature and read whole or refused. Pure, so that the
//! fuzz target `dbus_message` runs every reader over whatever a bus may send.

use anyhow::Result;

use super::message::Message;

/// The items that carry the attributes searched for.
pub struct Found {
    pub unlocked: Vec<String>,
    pub locked: Vec<String>,
}

/// `OpenSession`: its output (unused for `plain`) and the session's path.
pub fn session(m: &Message) -> Result<String> {
    let mut r = m.reader("vo")?;
    r.variant("s")?;
    r.str()?;
    Ok(r.str()?.to_owned())
}

/// `SearchItems`: the unlocked items, then the locked ones.
pub fn found(m: &Message) -> Result<Found> {
    let mut r = m.reader("aoao")?;
    Ok(Found {
        unlocked: r.paths()?,
        locked: r.paths()?,
    })
}

/// `GetSecret`: the secret struct's value (session, parameters, value, content type).
pub fn secret(m: &Message) -> Result<Vec<u8>> {
    let mut r = m.reader("(oayays)")?;
    r.open_struct()?;
    r.str()?;
    r.bytes()?;
    Ok(r.bytes()?.to_vec())
}

/// One object path: `ReadAlias`'s collection, `Delete`'s prompt.
pub fn object(m: &Message) -> Result<String> {
    Ok(m.reader("o")?.str()?.to_owned())
}

/// `Properties.Get` of a boolean property (`Locked`).
pub fn flag(m: &Message) -> Result<bool> {
    let mut r = m.reader("v")?;
    r.variant("b")?;
    r.bool()
}

/// `Unlock`: the objects unlocked at once, and the prompt for the others.
pub fn unlock_prompt(m: &Message) -> Result<String> {
    let mut r = m.reader("aoo")?;
    r.paths()?;
    Ok(r.str()?.to_owned())
}

/// `CreateItem`: the item, and the prompt to run before it exists.
pub fn create_prompt(m: &Message) -> Result<String> {
    let mut r = m.reader("oo")?;
    r.str()?;
    Ok(r.str()?.to_owned())
}

/// The prompt's `Completed` signal: whether it was dismissed (its result left unread).
pub fn dismissed(m: &Message) -> Result<bool> {
    m.reader("bv")?.bool()
}

/// An error reply's message, when it carries one.
pub fn error_text(m: &Message) -> String {
    match m.reader("s") {
        Ok(mut r) => r.str().unwrap_or_default().to_owned(),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::message::Call;
    use super::super::wire::Writer;
    use super::*;

    /// A message with this body, as the bus would deliver it.
    fn message(signature: &'static str, body: Writer) -> Message {
        let call = Call {
            destination: "org.freedesktop.secrets",
            path: "/",
            interface: "org.freedesktop.Secret.Service",
            member: "Reply",
            signature,
            body: body.buf,
        };
        Message::decode(&call.encode(1)).unwrap()
    }

    #[test]
    fn each_reply_is_read_from_its_signature() {
        let mut w = Writer::default();
        w.open_struct();
        w.str("/org/freedesktop/secrets/session/s1");
        w.bytes(b"");
        w.bytes(b"{\"a\":1}");
        w.str("application/json");
        assert_eq!(secret(&message("(oayays)", w)).unwrap(), b"{\"a\":1}");

        let mut w = Writer::default();
        w.array(4, |w| w.str("/a"));
        w.array(4, |w| {
            w.str("/b");
            w.str("/c");
        });
        let f = found(&message("aoao", w)).unwrap();
        assert_eq!(
            (f.unlocked, f.locked),
            (vec!["/a".into()], vec!["/b".into(), "/c".into()])
        );

        let mut w = Writer::default();
        w.signature("b");
        w.bool(true);
        assert!(flag(&message("v", w)).unwrap());

        let mut w = Writer::default();
        w.str("/item");
        w.str("/");
        assert_eq!(create_prompt(&message("oo", w)).unwrap(), "/");
    }

    #[test]
    fn a_reply_of_another_signature_or_cut_short_is_refused() {
        let mut w = Writer::default();
        w.str("/item");
        let err = secret(&message("o", w)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the Secret Service answered 'o' where '(oayays)' was expected"
        );
        let mut w = Writer::default();
        w.array(4, |w| w.str("/a"));
        assert!(found(&message("aoao", w)).is_err());
        let mut w = Writer::default();
        w.signature("s");
        w.str("yes");
        assert!(flag(&message("v", w)).is_err());
        assert_eq!(error_text(&message("", Writer::default())), "");
    }
}

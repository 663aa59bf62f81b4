//! The calls of the freedesktop Secret Service API (its specification, version 0.2) that a
//! store needs, over one bus connection: a `plain` session, items searched by attributes,
//! read, created and deleted, collections and items unlocked through a prompt.
//!
//! The session is `plain`, not Diffie-Hellman encrypted: the handshake costs about 9 ms a
//! process (the figures are in CONTRIBUTING.md, "Speed") and protects against nothing that
//! matters, since the session bus is reachable only by the user's own processes, which can
//! ask the unlocked Secret Service for the item directly.

use anyhow::{Result, bail};

use super::bus::Bus;
use super::message::Call;
use super::reply::{self, Found};
use super::wire::Writer;

const DESTINATION: &str = "org.freedesktop.secrets";
const SERVICE_PATH: &str = "/org/freedesktop/secrets";
const SERVICE: &str = "org.freedesktop.Secret.Service";
const COLLECTION: &str = "org.freedesktop.Secret.Collection";
const ITEM: &str = "org.freedesktop.Secret.Item";
const PROMPT: &str = "org.freedesktop.Secret.Prompt";
/// The object path that stands for no object: no collection under an alias, no prompt needed.
const NO_OBJECT: &str = "/";

/// Why an unlock failed when the service asked the user and the user (or nobody) answered no.
#[derive(Debug)]
pub struct Dismissed;

impl std::fmt::Display for Dismissed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the unlock prompt was dismissed")
    }
}

impl std::error::Error for Dismissed {}

enum Session {
    /// `OpenSession` is sent; its reply not read yet.
    Asked(u32),
    Open(String),
}

pub struct SecretService {
    bus: Bus,
    session: Session,
}

fn call<'a>(path: &'a str, interface: &'a str, member: &'a str) -> Call<'a> {
    Call {
        destination: DESTINATION,
        path,
        interface,
        member,
        signature: "",
        body: Vec::new(),
    }
}

fn with_body<'a>(mut c: Call<'a>, signature: &'a str, body: Writer) -> Call<'a> {
    c.signature = signature;
    c.body = body.buf;
    c
}

impl SecretService {
    /// Connects and asks for a session; the answer is read with the first reply needed, so
    /// it travels with the first call.
    pub fn connect() -> Result<SecretService> {
        let mut bus = Bus::session()?;
        let mut body = Writer::default();
        body.str("plain");
        body.signature("s");
        body.str("");
        let serial = bus.send(&with_body(
            call(SERVICE_PATH, SERVICE, "OpenSession"),
            "sv",
            body,
        ));
        Ok(SecretService {
            bus,
            session: Session::Asked(serial),
        })
    }

    fn session(&mut self) -> Result<String> {
        let serial = match &self.session {
            Session::Open(path) => return Ok(path.clone()),
            Session::Asked(serial) => *serial,
        };
        let path = reply::session(&self.bus.reply(serial)?)?;
        self.session = Session::Open(path.clone());
        Ok(path)
    }

    /// The items, in every collection, whose attributes include all of `attributes`.
    pub fn search(&mut self, attributes: &[(&str, &str)]) -> Result<Found> {
        let mut body = Writer::default();
        body.string_dict(attributes);
        let c = with_body(call(SERVICE_PATH, SERVICE, "SearchItems"), "a{ss}", body);
        reply::found(&self.bus.call(&c)?)
    }

    /// The secret of an unlocked item.
    pub fn secret(&mut self, item: &str) -> Result<Vec<u8>> {
        let mut body = Writer::default();
        body.str(&self.session()?);
        let c = with_body(call(item, ITEM, "GetSecret"), "o", body);
        reply::secret(&self.bus.call(&c)?)
    }

    /// The collection under the alias `default`, where new items go; `None` when there is
    /// none (gnome-keyring started on demand on a headless machine has only its in-memory
    /// `session` collection).
    pub fn default_collection(&mut self) -> Result<Option<String>> {
        let mut body = Writer::default();
        body.str("default");
        let c = with_body(call(SERVICE_PATH, SERVICE, "ReadAlias"), "s", body);
        let path = reply::object(&self.bus.call(&c)?)?;
        Ok((path != NO_OBJECT).then_some(path))
    }

    /// Whether a collection is locked (its property `Locked`).
    pub fn is_locked(&mut self, collection: &str) -> Result<bool> {
        let mut body = Writer::default();
        body.str(COLLECTION);
        body.str("Locked");
        let c = with_body(
            call(collection, "org.freedesktop.DBus.Properties", "Get"),
            "ss",
            body,
        );
        reply::flag(&self.bus.call(&c)?)
    }

    /// Unlocks a collection or an item; one already unlocked is answered at once. Unlocking
    /// may need the user: the service then names a prompt, which runs until it completes.
    pub fn unlock(&mut self, object: &str) -> Result<()> {
        let mut body = Writer::default();
        body.array(4, |w| w.str(object));
        let c = with_body(call(SERVICE_PATH, SERVICE, "Unlock"), "ao", body);
        let prompt = reply::unlock_prompt(&self.bus.call(&c)?)?;
        self.prompt(&prompt)
    }

    /// Creates the item in `collection`, replacing one with the same attributes.
    pub fn create(
        &mut self,
        collection: &str,
        label: &str,
        attributes: &[(&str, &str)],
        secret: &[u8],
        content_type: &str,
    ) -> Result<()> {
        let session = self.session()?;
        let mut body = Writer::default();
        body.array(8, |w| {
            w.open_struct();
            w.str("org.freedesktop.Secret.Item.Label");
            w.signature("s");
            w.str(label);
            w.open_struct();
            w.str("org.freedesktop.Secret.Item.Attributes");
            w.signature("a{ss}");
            w.string_dict(attributes);
        });
        body.open_struct();
        body.str(&session);
        body.bytes(b"");
        body.bytes(secret);
        body.str(content_type);
        body.bool(true);
        let c = with_body(
            call(collection, COLLECTION, "CreateItem"),
            "a{sv}(oayays)b",
            body,
        );
        let prompt = reply::create_prompt(&self.bus.call(&c)?)?;
        self.prompt(&prompt)
    }

    pub fn delete(&mut self, item: &str) -> Result<()> {
        let prompt = reply::object(&self.bus.call(&call(item, ITEM, "Delete"))?)?;
        self.prompt(&prompt)
    }

    /// Runs a prompt the service asked for, and waits for it to complete; `/` is none.
    fn prompt(&mut self, prompt: &str) -> Result<()> {
        if prompt == NO_OBJECT {
            return Ok(());
        }
        self.bus.add_match(&format!(
            "type='signal',interface='{PROMPT}',member='Completed',path='{prompt}'"
        ))?;
        let mut body = Writer::default();
        // No window to attach a dialog to.
        body.str("");
        self.bus
            .call(&with_body(call(prompt, PROMPT, "Prompt"), "s", body))?;
        let done = self.bus.signal(prompt, PROMPT, "Completed")?;
        if reply::dismissed(&done)? {
            bail!(Dismissed);
        }
        Ok(())
    }
}

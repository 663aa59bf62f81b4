//! What stderr shows while a login waits for the user: the answer of the browser, a pasted
//! line, or (for the device grant) the approval on another device.
//!
//! On a terminal, one live line redrawn in place about every [`REDRAW`]: a spinner, the
//! time left and how to cancel; it is erased when the wait ends (`crate::cursor`). Off a
//! terminal, or when the user types on that terminal (a pasted line: a line redrawn under
//! the typing would garble it), one plain line says the same once, with no carriage return
//! and no escape sequence.
//!
//! A waiting loop asks [`Progress::next_tick`] for its poll's timeout and calls
//! [`Progress::tick`] on every turn; a loop that only sleeps calls [`Progress::sleep_until`].

use std::time::{Duration, Instant};

use crate::cursor;

/// How often the live line is redrawn: often enough for the spinner to look alive, and the
/// seconds left to count down smoothly; a redraw is one short write.
pub const REDRAW: Duration = Duration::from_millis(100);

/// The spinner's frames (Unicode braille, as the terminal's QR code uses Unicode blocks).
const FRAMES: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/// A wait shown on stderr until it is dropped.
pub struct Progress {
    what: String,
    deadline: Instant,
    /// The live line is drawn (a terminal, nobody typing on it).
    live: bool,
    frame: usize,
    next_draw: Instant,
}

impl Progress {
    /// Starts showing a wait `what` (such as "for the login to finish") until `deadline`;
    /// `typing`: the user may type on the terminal meanwhile.
    pub fn start(what: &str, deadline: Instant, typing: bool) -> Progress {
        let now = Instant::now();
        let live = cursor::terminal() && !typing;
        if !live {
            let secs = deadline
                .saturating_duration_since(now)
                .as_millis()
                .div_ceil(1000);
            crate::output::note(&format!(
                "Waiting up to {secs} s {what} (Ctrl-C to cancel)..."
            ));
        }
        let mut progress = Progress {
            what: what.to_owned(),
            deadline,
            live,
            frame: 0,
            next_draw: now,
        };
        progress.tick();
        progress
    }

    /// Redraws the live line when a redraw is due; cheap to call on every turn of a loop.
    pub fn tick(&mut self) {
        let now = Instant::now();
        if !self.live || now < self.next_draw {
            return;
        }
        let left = left(self.deadline.saturating_duration_since(now));
        cursor::live(&format!(
            "{} Waiting {}: {left} left (Ctrl-C to cancel)",
            FRAMES[self.frame % FRAMES.len()],
            self.what
        ));
        self.frame += 1;
        self.next_draw = now + REDRAW;
    }

    /// When the next redraw is due, if there is a live line: a waiting loop wakes by then.
    pub fn next_tick(&self) -> Option<Instant> {
        self.live.then_some(self.next_draw)
    }

    /// Sleeps until `until`, redrawing on the way.
    pub fn sleep_until(&mut self, until: Instant) {
        loop {
            let now = Instant::now();
            if now >= until {
                return;
            }
            let wake = self.next_tick().map_or(until, |t| t.min(until));
            std::thread::sleep(wake.saturating_duration_since(now));
            self.tick();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if self.live {
            cursor::clear_live();
        }
    }
}

/// The time left as `M:SS`, or `H:MM:SS` from an hour on, rounded up: `0:00` only at the end.
fn left(d: Duration) -> String {
    let secs = d.as_millis().div_ceil(1000);
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    match h {
        0 => format!("{m}:{s:02}"),
        _ => format!("{h}:{m:02}:{s:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_time_left_counts_down_in_minutes_and_seconds() {
        assert_eq!(left(Duration::from_secs(600)), "10:00");
        assert_eq!(left(Duration::from_millis(599_001)), "10:00");
        assert_eq!(left(Duration::from_millis(598_999)), "9:59");
        assert_eq!(left(Duration::from_secs(59)), "0:59");
        assert_eq!(left(Duration::from_millis(1)), "0:01");
        assert_eq!(left(Duration::ZERO), "0:00");
        assert_eq!(left(Duration::from_secs(86_400)), "24:00:00");
        assert_eq!(left(Duration::from_secs(3_661)), "1:01:01");
    }
}

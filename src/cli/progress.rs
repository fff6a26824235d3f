//! indicatif progress bars on stderr, implementing the library's [`Progress`] trait.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use unspun::progress::{Progress, Unit};

/// Progress bars for each stage, hidden when stderr is not a terminal or when quiet; and the time each
/// stage took.
pub struct Bars {
    bar: Mutex<Option<ProgressBar>>,
    hidden: bool,
    clock: Mutex<Clock>,
}

/// The stage under way and when it began; the stages done and how long each took.
#[derive(Default)]
struct Clock {
    current: Option<(String, Instant)>,
    done: Vec<(String, Duration)>,
}

impl Bars {
    /// Bars that draw only when `visible` and stderr is a terminal.
    pub fn new(visible: bool) -> Bars {
        Bars { bar: Mutex::new(None), hidden: !visible, clock: Mutex::default() }
    }

    /// Ends the stage under way, if any, and starts `next`.
    fn clock(&self, next: Option<&str>) {
        if let Ok(mut clock) = self.clock.lock() {
            if let Some((name, start)) = clock.current.take() {
                clock.done.push((name, start.elapsed()));
            }
            clock.current = next.map(|name| (name.to_string(), Instant::now()));
        }
    }

    /// The stages done so far and how long each took, in order.
    pub fn timings(&self) -> Vec<(String, Duration)> {
        self.clock(None);
        self.clock.lock().map(|clock| clock.done.clone()).unwrap_or_default()
    }
}

impl Progress for Bars {
    fn stage(&self, name: &str, total: Option<u64>, unit: Unit) {
        self.clock(Some(name));
        // The bar before is cleared before the new one draws: each bar clears only the rows it drew
        // itself, so a new bar drawn first (on the same row, wrapping it in a narrow terminal) left the
        // old bar's first row on screen.
        if let Ok(mut slot) = self.bar.lock()
            && let Some(old) = slot.take()
        {
            old.finish_and_clear();
        }
        let bar = match total {
            Some(n) => ProgressBar::new(n),
            None => ProgressBar::new_spinner(),
        };
        if self.hidden {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        } else {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        let template = match (unit, total) {
            // A stage of unknown length: a spinner that shows it is alive, and for how long (standard
            // input: how much was read).
            (Unit::Bytes, None) => "{prefix:>12} {spinner} {bytes} {bytes_per_sec} {elapsed}",
            (_, None) => "{prefix:>12} {spinner} {elapsed}",
            (Unit::Bytes, _) => "{prefix:>12} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            _ => "{prefix:>12} [{bar:30}] {human_pos}/{human_len} ({percent}%) eta {eta}",
        };
        // The templates are constants known to parse.
        bar.set_style(ProgressStyle::with_template(template).expect("valid template").progress_chars("=> "));
        bar.set_prefix(name.to_string());
        if total.is_none() && !self.hidden {
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
        }
        if let Ok(mut slot) = self.bar.lock() {
            *slot = Some(bar);
        }
    }

    fn inc(&self, n: u64) {
        if let Ok(slot) = self.bar.lock()
            && let Some(bar) = slot.as_ref()
        {
            bar.inc(n);
        }
    }

    fn finish(&self) {
        self.clock(None);
        if let Ok(mut slot) = self.bar.lock()
            && let Some(bar) = slot.take()
        {
            bar.finish_and_clear();
        }
    }
}

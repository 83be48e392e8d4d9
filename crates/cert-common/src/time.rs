//! Time seams: a [`Clock`] and a [`Sleep`] that retry and rate-limit logic take as inputs,
//! so tests can assert exact delays instantly, plus the UTC date formats the signers need.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A source of time: a monotonic reading for waits and a wall-clock reading for signatures.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Monotonic time since an arbitrary origin.
    fn monotonic(&self) -> Duration;
    /// Wall-clock time (used in signatures and for comparison with a server's `Date`).
    fn now(&self) -> SystemTime;
}

/// A future returned by [`Sleep::sleep`].
pub type SleepFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Something that can wait.
pub trait Sleep: Send + Sync + std::fmt::Debug {
    /// Waits for `duration`.
    fn sleep(&self, duration: Duration) -> SleepFuture;
}

/// The real clock. Its monotonic reading follows tokio's clock, so tests that pause tokio
/// time (`#[tokio::test(start_paused = true)]`) see it stand still too.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

fn process_origin() -> tokio::time::Instant {
    static ORIGIN: std::sync::OnceLock<tokio::time::Instant> = std::sync::OnceLock::new();
    *ORIGIN.get_or_init(tokio::time::Instant::now)
}

impl Clock for SystemClock {
    fn monotonic(&self) -> Duration {
        tokio::time::Instant::now().saturating_duration_since(process_origin())
    }
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// Sleeps on the tokio timer.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleep;

impl Sleep for TokioSleep {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// A manual clock whose sleeps return at once and advance time: for tests of code that
/// waits. Each sleep is recorded, so a test can assert the exact delays.
#[derive(Debug, Clone)]
pub struct ManualClock {
    state: Arc<Mutex<ManualState>>,
}

#[derive(Debug)]
struct ManualState {
    elapsed: Duration,
    wall_origin: SystemTime,
    sleeps: Vec<Duration>,
}

impl ManualClock {
    /// A clock standing at `wall` (wall time), with monotonic time zero.
    pub fn new(wall: SystemTime) -> Self {
        ManualClock {
            state: Arc::new(Mutex::new(ManualState {
                elapsed: Duration::ZERO,
                wall_origin: wall,
                sleeps: Vec::new(),
            })),
        }
    }

    /// A clock at the given Unix time in seconds.
    pub fn at_unix(secs: u64) -> Self {
        Self::new(UNIX_EPOCH + Duration::from_secs(secs))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ManualState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Moves time forward.
    pub fn advance(&self, d: Duration) {
        self.lock().elapsed += d;
    }

    /// Every sleep requested so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.lock().sleeps.clone()
    }

    /// Total monotonic time elapsed.
    pub fn elapsed(&self) -> Duration {
        self.lock().elapsed
    }
}

impl Clock for ManualClock {
    fn monotonic(&self) -> Duration {
        self.lock().elapsed
    }
    fn now(&self) -> SystemTime {
        let s = self.lock();
        s.wall_origin + s.elapsed
    }
}

impl Sleep for ManualClock {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        {
            let mut s = self.lock();
            s.sleeps.push(duration);
            s.elapsed += duration;
        }
        Box::pin(std::future::ready(()))
    }
}

/// A UTC calendar time, second precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcDateTime {
    /// Year.
    pub year: i64,
    /// Month, 1..=12.
    pub month: u32,
    /// Day of month, 1..=31.
    pub day: u32,
    /// Hour, 0..=23.
    pub hour: u32,
    /// Minute, 0..=59.
    pub minute: u32,
    /// Second, 0..=59.
    pub second: u32,
}

impl UtcDateTime {
    /// From seconds since the Unix epoch.
    pub fn from_unix(secs: i64) -> Self {
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        UtcDateTime {
            year,
            month,
            day,
            hour: (rem / 3600) as u32,
            minute: ((rem % 3600) / 60) as u32,
            second: (rem % 60) as u32,
        }
    }

    /// From a [`SystemTime`] (sub-second part dropped).
    pub fn from_system_time(t: SystemTime) -> Self {
        Self::from_unix(unix_seconds(t))
    }

    /// Seconds since the Unix epoch.
    pub fn to_unix(&self) -> i64 {
        days_from_civil(self.year, self.month, self.day) * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }

    /// `YYYYMMDDTHHMMSSZ` (Huawei `X-Sdk-Date`).
    pub fn compact(&self) -> String {
        self.stamp("", "")
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` (Aliyun `x-acs-date`).
    pub fn iso8601(&self) -> String {
        self.stamp("-", ":")
    }

    /// True when every field fits its printed width (4 digits for the year, 2 for the rest),
    /// as every valid time of years 0 to 9999 does.
    fn fits_widths(&self) -> bool {
        (0..=9999).contains(&self.year)
            && [self.month, self.day, self.hour, self.minute, self.second]
                .iter()
                .all(|v| *v <= 99)
    }

    /// `YYYY<d>MM<d>DDTHH<t>MM<t>SSZ`, digit by digit when the fields fit their widths (every
    /// signature writes one; the formatting machinery costs more than the rest of the stamp).
    fn stamp(&self, d: &str, t: &str) -> String {
        if !self.fits_widths() {
            return format!(
                "{:04}{d}{:02}{d}{:02}T{:02}{t}{:02}{t}{:02}Z",
                self.year, self.month, self.day, self.hour, self.minute, self.second
            );
        }
        let mut out = String::with_capacity(20);
        push_padded(&mut out, self.year as u32, 4);
        for (sep, v) in [(d, self.month), (d, self.day)] {
            out.push_str(sep);
            push_padded(&mut out, v, 2);
        }
        out.push('T');
        push_padded(&mut out, self.hour, 2);
        for v in [self.minute, self.second] {
            out.push_str(t);
            push_padded(&mut out, v, 2);
        }
        out.push('Z');
        out
    }

    /// `YYYY-MM-DD` (Tencent credential scope).
    pub fn date(&self) -> String {
        self.date_display().to_string()
    }

    /// `YYYY-MM-DD`, written where it is displayed (no `String` of its own).
    pub fn date_display(&self) -> impl std::fmt::Display + '_ {
        DateDisplay(self)
    }

    /// Parses `YYYYMMDDTHHMMSSZ`.
    pub fn parse_compact(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
            return None;
        }
        let n = |r: std::ops::Range<usize>| s.get(r)?.parse::<u32>().ok();
        Self::checked(
            i64::from(n(0..4)?),
            n(4..6)?,
            n(6..8)?,
            n(9..11)?,
            n(11..13)?,
            n(13..15)?,
        )
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn parse_iso8601(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() != 20
            || b[4] != b'-'
            || b[7] != b'-'
            || b[10] != b'T'
            || b[13] != b':'
            || b[16] != b':'
            || b[19] != b'Z'
        {
            return None;
        }
        let n = |r: std::ops::Range<usize>| s.get(r)?.parse::<u32>().ok();
        Self::checked(
            i64::from(n(0..4)?),
            n(5..7)?,
            n(8..10)?,
            n(11..13)?,
            n(14..16)?,
            n(17..19)?,
        )
    }

    /// Parses an HTTP date in IMF-fixdate form (`Sun, 06 Nov 1994 08:49:37 GMT`), as sent in
    /// `Date` and `Retry-After`.
    pub fn parse_http_date(s: &str) -> Option<Self> {
        let s = s.trim();
        let rest = s.split_once(", ")?.1;
        let mut parts = rest.split(' ');
        let day: u32 = parts.next()?.parse().ok()?;
        let month = match parts.next()? {
            "Jan" => 1,
            "Feb" => 2,
            "Mar" => 3,
            "Apr" => 4,
            "May" => 5,
            "Jun" => 6,
            "Jul" => 7,
            "Aug" => 8,
            "Sep" => 9,
            "Oct" => 10,
            "Nov" => 11,
            "Dec" => 12,
            _ => return None,
        };
        let year: i64 = parts.next()?.parse().ok()?;
        let mut hms = parts.next()?.split(':');
        let hour = hms.next()?.parse().ok()?;
        let minute = hms.next()?.parse().ok()?;
        let second = hms.next()?.parse().ok()?;
        if parts.next()? != "GMT" || parts.next().is_some() {
            return None;
        }
        Self::checked(year, month, day, hour, minute, second)
    }

    /// Formats as an IMF-fixdate HTTP date.
    pub fn http_date(&self) -> String {
        const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let weekday = DAYS[days_from_civil(self.year, self.month, self.day).rem_euclid(7) as usize];
        format!(
            "{weekday}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
            self.day,
            MONTHS[(self.month - 1) as usize],
            self.year,
            self.hour,
            self.minute,
            self.second
        )
    }

    fn checked(
        year: i64,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
    ) -> Option<Self> {
        if !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return None;
        }
        Some(UtcDateTime {
            year,
            month,
            day,
            hour,
            minute,
            second: second.min(59),
        })
    }
}

/// Seconds since the Unix epoch of a [`SystemTime`] (negative before 1970).
pub fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

// Howard Hinnant's civil-from-days algorithms.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD` of a [`UtcDateTime`].
struct DateDisplay<'a>(&'a UtcDateTime);

impl std::fmt::Display for DateDisplay<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let t = self.0;
        if t.fits_widths() {
            let mut out = String::with_capacity(10);
            push_padded(&mut out, t.year as u32, 4);
            for v in [t.month, t.day] {
                out.push('-');
                push_padded(&mut out, v, 2);
            }
            return f.write_str(&out);
        }
        write!(f, "{:04}-{:02}-{:02}", t.year, t.month, t.day)
    }
}

/// `value`'s last `width` decimal digits, zero-padded.
fn push_padded(out: &mut String, value: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = (value / 10u32.pow(place) % 10) as u8;
        out.push(char::from(b'0' + digit));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_match_the_formatted_ones_even_out_of_range() {
        let formatted = |t: &UtcDateTime| {
            (
                format!(
                    "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
                    t.year, t.month, t.day, t.hour, t.minute, t.second
                ),
                format!(
                    "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                    t.year, t.month, t.day, t.hour, t.minute, t.second
                ),
                format!("{:04}-{:02}-{:02}", t.year, t.month, t.day),
            )
        };
        let mut times: Vec<UtcDateTime> = [0, 1_704_164_645, 951_782_400, 253_402_300_799]
            .into_iter()
            .chain((0..400).map(|i| i * 7_919_113))
            .map(UtcDateTime::from_unix)
            .collect();
        let base = UtcDateTime::from_unix(1_704_164_645);
        times.push(UtcDateTime {
            year: 10_000,
            ..base
        });
        times.push(UtcDateTime { year: -1, ..base });
        times.push(UtcDateTime { month: 123, ..base });
        times.push(UtcDateTime {
            second: 100,
            ..base
        });
        for t in &times {
            let ours = (t.compact(), t.iso8601(), t.date_display().to_string());
            assert_eq!(ours, formatted(t), "{t:?}");
        }
    }

    #[test]
    fn formats_match_the_vendors() {
        let t = UtcDateTime::from_unix(1_735_689_599);
        assert_eq!(t.date(), "2024-12-31");
        assert_eq!(t.compact(), "20241231T235959Z");
        assert_eq!(t.iso8601(), "2024-12-31T23:59:59Z");
        assert_eq!(t.http_date(), "Tue, 31 Dec 2024 23:59:59 GMT");
    }

    #[test]
    fn parses_round_trip() {
        for secs in [0_i64, 951_782_400, 1_704_164_645, 4_102_444_800] {
            let t = UtcDateTime::from_unix(secs);
            assert_eq!(UtcDateTime::parse_compact(&t.compact()), Some(t));
            assert_eq!(UtcDateTime::parse_iso8601(&t.iso8601()), Some(t));
            assert_eq!(UtcDateTime::parse_http_date(&t.http_date()), Some(t));
            assert_eq!(t.to_unix(), secs);
        }
        assert_eq!(
            UtcDateTime::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").map(|t| t.to_unix()),
            Some(784_111_777)
        );
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        for s in [
            "",
            "2024",
            "20241331T000000Z",
            "2024-02-30T00:00:00Z",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "ü, 1 2 3",
            "20240102T0304ü5Z",
        ] {
            assert!(UtcDateTime::parse_compact(s).is_none());
            assert!(UtcDateTime::parse_iso8601(s).is_none());
            assert!(UtcDateTime::parse_http_date(s).is_none());
        }
    }

    #[tokio::test]
    async fn manual_clock_records_sleeps_and_advances() {
        let c = ManualClock::at_unix(100);
        c.sleep(Duration::from_millis(250)).await;
        c.sleep(Duration::from_secs(1)).await;
        assert_eq!(
            c.sleeps(),
            vec![Duration::from_millis(250), Duration::from_secs(1)]
        );
        assert_eq!(c.monotonic(), Duration::from_millis(1250));
        assert_eq!(unix_seconds(c.now()), 101);
    }
}

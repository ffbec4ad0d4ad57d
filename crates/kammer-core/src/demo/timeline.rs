//! When each Antrag was sent: from September 2023 to Antrag Nr. 178 on 12.01.2024, then on
//! to a few days ago, and the most recent ~5 % within the code lifetime before now.

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::{Rng, TEST_ANTRAG_NR};

pub(super) struct Timeline {
    /// Antrag Nr. 178's moment, from the portal's how-to.
    pub t178: DateTime<Utc>,
    pub start: DateTime<Utc>,
    /// From here on Anträge are recent: mostly still open.
    pub recent_from: DateTime<Utc>,
    /// The send time of Antrag n at index n − 1, never decreasing.
    pub sent: Vec<DateTime<Utc>>,
}

pub(super) fn send_times(rng: &mut Rng, antraege_n: usize, now: DateTime<Utc>) -> Timeline {
    let t178 = Utc.with_ymd_and_hms(2024, 1, 12, 6, 23, 17).unwrap();
    let start = Utc.with_ymd_and_hms(2023, 9, 4, 7, 0, 0).unwrap();
    // The most recent ~5 % are within the code lifetime and mostly still open.
    let recent_n = (antraege_n / 20)
        .max(3)
        .min(antraege_n - TEST_ANTRAG_NR as usize);
    let recent_from = now - Duration::days(10);
    let old_end = recent_from - Duration::hours(6);
    let mut sent: Vec<DateTime<Utc>> = Vec::with_capacity(antraege_n);
    for nr in 1..=antraege_n as i64 {
        let (a, b, i, span) = if nr < TEST_ANTRAG_NR {
            (start, t178, nr - 1, TEST_ANTRAG_NR - 1)
        } else if nr == TEST_ANTRAG_NR {
            sent.push(t178);
            continue;
        } else if (nr as usize) <= antraege_n - recent_n {
            (
                t178,
                old_end,
                nr - TEST_ANTRAG_NR,
                (antraege_n - recent_n) as i64 - TEST_ANTRAG_NR + 1,
            )
        } else {
            let first = (antraege_n - recent_n) as i64;
            (
                recent_from,
                now - Duration::minutes(30),
                nr - first - 1,
                recent_n as i64,
            )
        };
        let step = (b - a).num_seconds() / span.max(1);
        let t = a + Duration::seconds(step * i + rng.below(step.max(2) as u64 - 1) as i64 + 1);
        sent.push(t.max(*sent.last().unwrap_or(&start)));
    }
    Timeline {
        t178,
        start,
        recent_from,
        sent,
    }
}

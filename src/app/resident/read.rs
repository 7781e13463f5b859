//! One resident's read of one case, as kept on a line of `reads.jsonl`, and how it agrees
//! with the model and the truth.
//!
//! A read names the case only by a digest of its image files: no patient name, no
//! identifier and no file name is ever written.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// One read, saved when the resident reveals the model's answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Read {
    /// When the read was revealed, UTC, `YYYY-MM-DDThh:mm:ssZ`.
    pub when: String,
    /// SHA-256 (hex) over the case's image files' bytes: the same films give the same key.
    pub case: String,
    /// The model pack that gave the model's answer, "name version".
    pub pack: String,
    pub patient: PatientRead,
    /// The screws the resident read, if any.
    #[serde(default)]
    pub screws: Vec<ScrewRead>,
}

/// The patient's manufacturers as each side saw them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PatientRead {
    /// One manufacturer, or several when the resident reads mixed implants.
    pub resident: Vec<String>,
    /// The model's verdict at the time: its mixed labels when mixed, else its label (a
    /// class, "uncertain" or "none").
    pub model: Vec<String>,
    /// The manufacturers of the case's `truth.json`, when it has one.
    #[serde(default)]
    pub truth: Option<Vec<String>>,
}

/// One screw the resident read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScrewRead {
    /// Image index within the case, and screw index within the image.
    pub image: usize,
    pub screw: usize,
    pub resident: String,
    /// The model's own label ("uncertain" included).
    pub model: String,
    /// The label of the truth box this screw matches, when known.
    #[serde(default)]
    pub truth: Option<String>,
}

impl PatientRead {
    /// Whether the resident named the same set of manufacturers as the model.
    #[must_use]
    pub fn agrees_with_model(&self) -> bool {
        category(&self.resident) == category(&self.model)
    }

    /// Whether the resident named the truth's manufacturers; `None` without truth.
    #[must_use]
    pub fn agrees_with_truth(&self) -> Option<bool> {
        let truth = self.truth.as_ref()?;
        Some(category(&self.resident) == category(truth))
    }
}

impl Read {
    /// How many of the screws read agree with the model: (agree, read).
    #[must_use]
    pub fn screws_agreeing_with_model(&self) -> (usize, usize) {
        let agree = self.screws.iter().filter(|s| s.resident == s.model).count();
        (agree, self.screws.len())
    }

    /// How many of the screws read that have a truth agree with it: (agree, with truth).
    #[must_use]
    pub fn screws_agreeing_with_truth(&self) -> (usize, usize) {
        let known: Vec<&ScrewRead> = self.screws.iter().filter(|s| s.truth.is_some()).collect();
        let agree = known
            .iter()
            .filter(|s| s.truth.as_deref() == Some(s.resident.as_str()))
            .count();
        (agree, known.len())
    }
}

/// A set of manufacturers as one label, order-free: "Medtronic + NuVasive".
///
/// A mixed patient is its own category, so reading only one of its two systems counts
/// as a disagreement, as it would in the operating theatre.
#[must_use]
pub fn category(labels: &[String]) -> String {
    let mut sorted: Vec<&str> = labels.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    sorted.dedup();
    sorted.join(" + ")
}

/// `time` as `YYYY-MM-DDThh:mm:ssZ`, UTC (a time before 1970 reads as 1970).
#[must_use]
pub fn utc_timestamp(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, for days on or after the epoch).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn timestamps_of_known_instants() {
        assert_eq!(utc_timestamp(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        // 1 700 000 000 s is 2023-11-14 22:13:20 UTC; 951 782 400 s is 2000-02-29, a leap
        // day of a century year.
        let at = |s| utc_timestamp(UNIX_EPOCH + Duration::from_secs(s));
        assert_eq!(at(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn categories_ignore_order_and_repeats() {
        assert_eq!(
            category(&s(&["NuVasive", "Medtronic", "NuVasive"])),
            "Medtronic + NuVasive"
        );
        assert_eq!(category(&s(&["Stryker"])), "Stryker");
    }

    #[test]
    fn mixed_read_of_one_system_disagrees() {
        let read = PatientRead {
            resident: s(&["Medtronic"]),
            model: s(&["NuVasive", "Medtronic"]),
            truth: Some(s(&["Medtronic", "NuVasive"])),
        };
        assert!(!read.agrees_with_model());
        assert_eq!(read.agrees_with_truth(), Some(false));
    }
}

//! The export date printed on a report: a plain calendar day, given by the caller so that
//! tests are deterministic, or today's date in UTC.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// A calendar day (proleptic Gregorian), shown as `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExportDate {
    pub year: u16,
    /// 1–12.
    pub month: u8,
    /// 1–31.
    pub day: u8,
}

impl ExportDate {
    /// Today in UTC, from the system clock (1970-01-01 if the clock is before it).
    #[must_use]
    pub fn today_utc() -> Self {
        let seconds = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Self::from_days_since_epoch(i64::try_from(seconds / 86_400).unwrap_or(0))
    }

    /// The day `days` after 1970-01-01 (H. Hinnant's `civil_from_days`).
    #[must_use]
    pub fn from_days_since_epoch(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let shifted_month = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
        let month = if shifted_month < 10 {
            shifted_month + 3
        } else {
            shifted_month - 9
        };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Self {
            year: u16::try_from(year.clamp(0, 9999)).unwrap_or(0),
            month: u8::try_from(month).unwrap_or(1),
            day: u8::try_from(day).unwrap_or(1),
        }
    }
}

impl fmt::Display for ExportDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_since_epoch_become_calendar_days() {
        assert_eq!(
            ExportDate::from_days_since_epoch(0).to_string(),
            "1970-01-01"
        );
        // 54 years of 365 days plus 13 leap days (1972 … 2020).
        assert_eq!(
            ExportDate::from_days_since_epoch(54 * 365 + 13).to_string(),
            "2024-01-01"
        );
        // 2024 is a leap year: 31 + 28 days after 1 January is 29 February.
        assert_eq!(
            ExportDate::from_days_since_epoch(54 * 365 + 13 + 59).to_string(),
            "2024-02-29"
        );
    }
}

//! The fourth stage: one verdict for the patient from every screw's call.
//!
//! Two votes are reported side by side, per view and for both views together: the founding
//! study's hard majority (each confident screw one vote; uncertain screws none) and the
//! mean of the screws' probability vectors. A patient is *mixed* when a second
//! manufacturer holds a confident share of the screws (and, as the pack asks, shows on each
//! film), so a revision extension with another system is shown rather than outvoted.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::classify::UNCERTAIN;
use crate::pack::Thresholds;

/// The verdict label when no screw was found.
pub const NONE: &str = "none";

/// The vote over one set of screws.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    /// The hard-majority winner, [`UNCERTAIN`] on a tie or with no confident screw, or
    /// [`NONE`] without screws.
    pub label: String,
    /// The winner's mean probability over all screws counted (0 for none).
    pub confidence: f32,
    /// Confident screws per class; every class of the pack appears, and `uncertain` too.
    pub votes: BTreeMap<String, u32>,
    /// Mean probability per class over all screws counted.
    pub mean_probabilities: BTreeMap<String, f32>,
    /// The class with the highest mean probability (the probability-weighted vote);
    /// [`UNCERTAIN`] with fewer than [`MIN_CONFIDENT_SCREWS`] confident screws, as for the
    /// majority, so that weak evidence never names a manufacturer either way.
    pub weighted_label: String,
    pub screws: u32,
}

impl Tally {
    /// The label with its confidence, e.g. "Stryker (93 %)"; no percentage for a label that
    /// is no manufacturer.
    #[must_use]
    pub fn headline(&self) -> String {
        match self.label.as_str() {
            NONE => "none (no screws found)".to_owned(),
            UNCERTAIN => "uncertain (no manufacturer holds a clear majority)".to_owned(),
            label => format!("{label} ({:.0} %)", self.confidence * 100.0),
        }
    }

    /// The non-zero vote counts in words, e.g. "Stryker 10, uncertain 1".
    #[must_use]
    pub fn summary(&self) -> String {
        let parts: Vec<String> = self
            .votes
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        if parts.is_empty() {
            "no screws".to_owned()
        } else {
            parts.join(", ")
        }
    }
}

/// The patient's verdict.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    #[serde(flatten)]
    pub both: Tally,
    pub mixed: bool,
    /// Classes holding a confident share of the screws, largest first, when mixed.
    pub mixed_labels: Vec<String>,
    pub per_view: PerView,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PerView {
    pub ap: Tally,
    pub lateral: Tally,
}

/// One screw as the vote sees it.
#[derive(Clone, Copy, Debug)]
pub struct Ballot<'a> {
    pub label: &'a str,
    pub probabilities: &'a [f32],
}

/// Votes over both views' screws.
#[must_use]
pub fn verdict(
    classes: &[String],
    ap: &[Ballot<'_>],
    lateral: &[Ballot<'_>],
    t: &Thresholds,
) -> Verdict {
    let both_ballots: Vec<Ballot<'_>> = ap.iter().chain(lateral).copied().collect();
    let both = tally(classes, &both_ballots);
    let per_view = PerView {
        ap: tally(classes, ap),
        lateral: tally(classes, lateral),
    };
    let mixed_labels = mixed_labels(&both, &per_view, t);
    Verdict {
        mixed: mixed_labels.len() > 1,
        mixed_labels,
        both,
        per_view,
    }
}

/// Counts the ballots of one set of screws.
#[must_use]
pub fn tally(classes: &[String], ballots: &[Ballot<'_>]) -> Tally {
    let mut votes: BTreeMap<String, u32> = classes.iter().map(|c| (c.clone(), 0)).collect();
    votes.insert(UNCERTAIN.to_owned(), 0);
    for b in ballots {
        *votes.entry(b.label.to_owned()).or_insert(0) += 1;
    }
    let mean_probabilities = mean_probabilities(classes, ballots);
    let label = majority(classes, &votes, ballots.len());
    let confident: u32 = classes.iter().map(|c| votes[c]).sum();
    let weighted_label = if ballots.is_empty() {
        NONE.to_owned()
    } else if confident < MIN_CONFIDENT_SCREWS {
        UNCERTAIN.to_owned()
    } else {
        top_of(&mean_probabilities).unwrap_or_else(|| UNCERTAIN.to_owned())
    };
    let confidence = mean_probabilities.get(&label).copied().unwrap_or(0.0);
    Tally {
        label,
        confidence,
        votes,
        mean_probabilities,
        weighted_label,
        screws: u32::try_from(ballots.len()).unwrap_or(u32::MAX),
    }
}

fn mean_probabilities(classes: &[String], ballots: &[Ballot<'_>]) -> BTreeMap<String, f32> {
    #[expect(clippy::cast_precision_loss, reason = "screw counts are small")]
    let n = ballots.len().max(1) as f32;
    classes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let sum: f32 = ballots.iter().filter_map(|b| b.probabilities.get(i)).sum();
            (c.clone(), if ballots.is_empty() { 0.0 } else { sum / n })
        })
        .collect()
}

/// Fewer confident screws than this give no manufacturer: a pedicle screw construct has
/// at least two, so a lone detection is more likely a stray find than an implant.
pub const MIN_CONFIDENT_SCREWS: u32 = 2;

/// The class with the most confident votes; uncertain on a tie or when too few are
/// confident.
fn majority(classes: &[String], votes: &BTreeMap<String, u32>, screws: usize) -> String {
    if screws == 0 {
        return NONE.to_owned();
    }
    let mut ranked: Vec<(&String, u32)> = classes.iter().map(|c| (c, votes[c])).collect();
    ranked.sort_by_key(|r| std::cmp::Reverse(r.1));
    match ranked.as_slice() {
        [(_, n), ..] if *n < MIN_CONFIDENT_SCREWS => UNCERTAIN.to_owned(),
        [] => UNCERTAIN.to_owned(),
        [(_, a), (_, b), ..] if a == b => UNCERTAIN.to_owned(),
        [(top, _), ..] => (*top).clone(),
    }
}

fn top_of(map: &BTreeMap<String, f32>) -> Option<String> {
    map.iter()
        .filter(|(_, p)| **p > 0.0)
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(k, _)| k.clone())
}

/// The classes that each hold at least the mixed share and count of the confident votes,
/// and the per-view count in every view with confident votes, most votes first.
fn mixed_labels(both: &Tally, per_view: &PerView, t: &Thresholds) -> Vec<String> {
    let confident = confident_votes(both);
    if confident == 0 {
        return Vec::new();
    }
    let views: Vec<&Tally> = [&per_view.ap, &per_view.lateral]
        .into_iter()
        .filter(|v| confident_votes(v) > 0)
        .collect();
    let mut holders: Vec<(&String, u32)> = both
        .votes
        .iter()
        .filter(|(k, v)| {
            #[expect(clippy::cast_precision_loss, reason = "screw counts are small")]
            let share = **v as f32 / confident as f32;
            let in_each_view = views
                .iter()
                .all(|view| view.votes.get(*k).copied().unwrap_or(0) >= t.mixed_min_per_view);
            k.as_str() != UNCERTAIN
                && **v >= t.mixed_min_screws
                && share >= t.mixed_min_share
                && in_each_view
        })
        .map(|(k, v)| (k, *v))
        .collect();
    holders.sort_by_key(|h| std::cmp::Reverse(h.1));
    holders.into_iter().map(|(k, _)| k.clone()).collect()
}

/// Votes for a manufacturer (not uncertain) in a tally.
fn confident_votes(t: &Tally) -> u32 {
    t.votes
        .iter()
        .filter(|(k, _)| k.as_str() != UNCERTAIN)
        .map(|(_, v)| v)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::test_class_names;

    const M: [f32; 3] = [0.9, 0.05, 0.05];
    const S: [f32; 3] = [0.1, 0.1, 0.8];
    const U: [f32; 3] = [0.4, 0.3, 0.3];

    fn b<'a>(label: &'a str, p: &'a [f32]) -> Ballot<'a> {
        Ballot {
            label,
            probabilities: p,
        }
    }

    #[test]
    fn majority_ignores_uncertain_screws_and_reports_means() {
        let ap = [b("Medtronic", &M), b("Medtronic", &M), b(UNCERTAIN, &U)];
        let t = tally(&test_class_names(), &ap);
        assert_eq!(t.label, "Medtronic");
        assert_eq!(t.votes["Medtronic"], 2);
        assert_eq!(t.votes[UNCERTAIN], 1);
        // (0.9 + 0.9 + 0.4) / 3
        assert!((t.mean_probabilities["Medtronic"] - 2.2 / 3.0).abs() < 1e-6);
        assert_eq!(t.weighted_label, "Medtronic");
    }

    #[test]
    fn no_screws_is_none_and_a_tie_is_uncertain() {
        assert_eq!(tally(&test_class_names(), &[]).label, NONE);
        let tie = [b("Medtronic", &M), b("Stryker", &S)];
        assert_eq!(tally(&test_class_names(), &tie).label, UNCERTAIN);
        let all_unsure = [b(UNCERTAIN, &U)];
        assert_eq!(tally(&test_class_names(), &all_unsure).label, UNCERTAIN);
        // One confident screw is no construct.
        let lone = [b("Stryker", &S), b(UNCERTAIN, &U)];
        assert_eq!(tally(&test_class_names(), &lone).label, UNCERTAIN);
    }

    #[test]
    fn the_weighted_vote_needs_the_same_evidence_as_the_majority() {
        // One confident Stryker screw and two unsure ones: the means favour Stryker
        // ((0.8 + 0.3 + 0.3) / 3 = 0.47 against Medtronic's (0.1 + 0.4 + 0.4) / 3 = 0.3),
        // but one confident screw is no construct, so neither vote names a manufacturer.
        let weak = [b("Stryker", &S), b(UNCERTAIN, &U), b(UNCERTAIN, &U)];
        let t = tally(&test_class_names(), &weak);
        assert_eq!(t.weighted_label, UNCERTAIN);
        assert_eq!(tally(&test_class_names(), &[]).weighted_label, NONE);
    }

    #[test]
    fn a_second_system_with_a_fair_share_makes_the_patient_mixed() {
        // 6 Medtronic and 2 Stryker screws: Stryker holds 25 % ≥ 20 % with 2 screws.
        let ap: Vec<Ballot<'_>> = (0..6)
            .map(|_| b("Medtronic", &M))
            .chain((0..2).map(|_| b("Stryker", &S)))
            .collect();
        let v = verdict(&test_class_names(), &ap, &[], &Thresholds::for_tests());
        assert!(v.mixed);
        assert_eq!(
            v.mixed_labels,
            vec!["Medtronic".to_owned(), "Stryker".to_owned()]
        );
        assert_eq!(v.both.label, "Medtronic");
    }

    #[test]
    fn one_stray_screw_does_not_make_a_patient_mixed() {
        let ap: Vec<Ballot<'_>> = (0..7)
            .map(|_| b("Medtronic", &M))
            .chain([b("Stryker", &S)])
            .collect();
        let v = verdict(&test_class_names(), &ap, &[], &Thresholds::for_tests());
        assert!(!v.mixed);
    }

    #[test]
    fn a_second_system_must_show_on_both_films_when_the_pack_asks_it() {
        // Each film shows every screw of the construct. 8 Medtronic on each film and 2
        // Stryker on the AP only: a fair share of the AP (2 of 10), but the lateral film
        // sees no Stryker screw, so one film's misreads do not make the patient mixed.
        let ap: Vec<Ballot<'_>> = (0..8)
            .map(|_| b("Medtronic", &M))
            .chain((0..2).map(|_| b("Stryker", &S)))
            .collect();
        let lateral: Vec<Ballot<'_>> = (0..8).map(|_| b("Medtronic", &M)).collect();
        let t = Thresholds {
            mixed_min_share: 0.1,
            mixed_min_per_view: 1,
            ..Thresholds::for_tests()
        };
        let v = verdict(&test_class_names(), &ap, &lateral, &t);
        assert!(!v.mixed, "{:?}", v.mixed_labels);
        // One Stryker screw on the lateral as well: both films show it.
        let mut lateral = lateral;
        lateral[0] = b("Stryker", &S);
        let v = verdict(&test_class_names(), &ap, &lateral, &t);
        assert_eq!(v.mixed_labels, ["Medtronic", "Stryker"].map(String::from));
        // A single film (no lateral screws at all) is judged on that film alone.
        let v = verdict(&test_class_names(), &ap, &[], &t);
        assert!(v.mixed);
    }

    #[test]
    fn views_are_tallied_apart_and_together() {
        let ap = [b("Medtronic", &M)];
        let lateral = [b("Medtronic", &M), b("Medtronic", &M)];
        let v = verdict(&test_class_names(), &ap, &lateral, &Thresholds::for_tests());
        assert_eq!(v.per_view.ap.screws, 1);
        assert_eq!(v.per_view.lateral.screws, 2);
        assert_eq!(v.both.votes["Medtronic"], 3);
    }
}

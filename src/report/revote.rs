//! Voting again over a report's screws: after the surgeon moves the confidence threshold
//! or overrules a screw, the labels and the verdict follow without rerunning any model.

use super::{Report, ScrewReport};
use crate::classify::{UNCERTAIN, is_confident};
use crate::pack::Thresholds;
use crate::view::View;
use crate::vote::{Ballot, Verdict, verdict};

impl ScrewReport {
    /// The label the vote counts: the surgeon's overrule when there is one.
    #[must_use]
    pub fn effective_label(&self) -> &str {
        self.overrule.as_deref().unwrap_or(&self.label)
    }

    /// The label and confidence as drawn beside the box, e.g. "Stryker 93%", or
    /// "Medtronic (overruled)" when the surgeon has overruled the model.
    #[must_use]
    pub fn caption(&self) -> String {
        match &self.overrule {
            Some(label) => format!("{label} (overruled)"),
            None => format!("{} {:.0}%", self.label, self.confidence * 100.0),
        }
    }

    /// The class probabilities in `classes` order (0 for a class the screw lacks).
    #[must_use]
    pub fn probability_vector(&self, classes: &[String]) -> Vec<f32> {
        classes
            .iter()
            .map(|c| self.probabilities.get(c).copied().unwrap_or(0.0))
            .collect()
    }
}

impl Report {
    /// Labels every screw again with `uncertain_below` as the confidence threshold (and the
    /// "other design" rule of [`is_confident`]), then votes again. Overrules are kept.
    pub fn relabel(&mut self, classes: &[String], uncertain_below: f32, thresholds: &Thresholds) {
        for screw in self.images.iter_mut().flat_map(|i| i.screws.iter_mut()) {
            let best = screw
                .probabilities
                .iter()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .map(|(k, p)| (k.clone(), *p));
            (screw.label, screw.confidence) = match best {
                Some((label, p)) if is_confident(p, screw.other_design, uncertain_below) => {
                    (label, p)
                }
                Some((_, p)) => (UNCERTAIN.to_owned(), p),
                None => (UNCERTAIN.to_owned(), 0.0),
            };
        }
        self.verdict = vote_over(self, classes, thresholds);
    }
}

/// The verdict over every screw of a report, each counted with its effective label.
#[must_use]
pub fn vote_over(report: &Report, classes: &[String], thresholds: &Thresholds) -> Verdict {
    let vectors: Vec<(View, &str, Vec<f32>)> = report
        .images
        .iter()
        .flat_map(|img| {
            img.screws
                .iter()
                .map(|s| (img.view, s.effective_label(), s.probability_vector(classes)))
        })
        .collect();
    let ballots_of = |view: View| -> Vec<Ballot<'_>> {
        vectors
            .iter()
            .filter(|(v, _, _)| *v == view)
            .map(|(_, label, p)| Ballot {
                label,
                probabilities: p,
            })
            .collect()
    };
    verdict(
        classes,
        &ballots_of(View::Ap),
        &ballots_of(View::Lateral),
        thresholds,
    )
}

#[cfg(test)]
mod tests {
    use crate::pack::test_class_names;
    use std::collections::BTreeMap;

    use super::*;
    use crate::geometry::PixelBox;
    use crate::report::{ImageReport, PackRef};

    fn screw(p: [f32; 3]) -> ScrewReport {
        ScrewReport {
            box_in_image: PixelBox::from([0.0, 0.0, 10.0, 10.0]),
            detection_score: 0.9,
            label: String::new(),
            confidence: 0.0,
            probabilities: test_class_names()
                .into_iter()
                .zip(p)
                .collect::<BTreeMap<_, _>>(),
            other_design: None,
            overrule: None,
        }
    }

    /// Two screws leaning Stryker at 0.7 and one at 0.55.
    fn report() -> Report {
        let image = ImageReport {
            file: "ap.dcm".into(),
            width: 100,
            height: 100,
            view: View::Ap,
            view_confidence: 1.0,
            note: None,
            caution: None,
            pixel_spacing_mm: None,
            screws: vec![
                screw([0.2, 0.1, 0.7]),
                screw([0.2, 0.1, 0.7]),
                screw([0.35, 0.1, 0.55]),
            ],
        };
        Report {
            schema: String::new(),
            generator: String::new(),
            pack: PackRef {
                name: String::new(),
                version: String::new(),
                trained_on: String::new(),
            },
            images: vec![image],
            verdict: Verdict::default(),
        }
    }

    #[test]
    fn a_higher_threshold_turns_weak_screws_uncertain() {
        let mut r = report();
        r.relabel(&test_class_names(), 0.5, &Thresholds::for_tests());
        assert_eq!(r.verdict.both.votes["Stryker"], 3);
        r.relabel(&test_class_names(), 0.6, &Thresholds::for_tests());
        assert_eq!(r.verdict.both.votes["Stryker"], 2);
        assert_eq!(r.verdict.both.votes[UNCERTAIN], 1);
        assert_eq!(r.images[0].screws[2].label, UNCERTAIN);
        r.relabel(&test_class_names(), 0.8, &Thresholds::for_tests());
        assert_eq!(r.verdict.both.label, UNCERTAIN);
    }

    #[test]
    fn other_design_above_the_top_class_stays_uncertain_at_a_low_threshold() {
        let mut r = report();
        // Stryker 0.4 against "other design" 0.45 (the classes sum to 1 - 0.45 = 0.55).
        r.images[0].screws[2] = screw([0.1, 0.05, 0.4]);
        r.images[0].screws[2].other_design = Some(0.45);
        r.relabel(&test_class_names(), 0.3, &Thresholds::for_tests());
        assert_eq!(r.images[0].screws[2].label, UNCERTAIN);
        assert_eq!(r.images[0].screws[0].label, "Stryker");
    }

    #[test]
    fn an_overrule_is_counted_and_survives_relabelling() {
        let mut r = report();
        r.images[0].screws[0].overrule = Some("Medtronic".into());
        r.images[0].screws[1].overrule = Some("Medtronic".into());
        r.relabel(&test_class_names(), 0.5, &Thresholds::for_tests());
        // Two overruled Medtronic against one Stryker: Medtronic wins; the lone Stryker
        // screw is under the two-screw minimum for a mixed patient.
        assert_eq!(r.verdict.both.label, "Medtronic");
        assert_eq!(r.verdict.both.votes["Stryker"], 1);
        assert!(!r.verdict.mixed);
        assert_eq!(
            r.images[0].screws[0].label, "Stryker",
            "the model's own call is kept"
        );
        assert_eq!(r.images[0].screws[0].effective_label(), "Medtronic");
    }
}

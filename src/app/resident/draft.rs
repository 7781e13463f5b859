//! The read the resident is making, before the reveal, and how it becomes a saved
//! [`Read`] beside the model's answer and the truth.

use std::collections::{BTreeMap, BTreeSet};
use std::time::SystemTime;

use super::facts::CaseFacts;
use super::read::{PatientRead, Read, ScrewRead, utc_timestamp};
use crate::app::analysis::Case;
use crate::app::case_view::ScrewRef;
use crate::report::PackRef;
use crate::vote::Verdict;

/// The resident's choices so far.
#[derive(Clone, Debug, Default)]
pub struct Draft {
    /// The manufacturers chosen for the patient.
    pub patient: BTreeSet<String>,
    /// Manufacturers chosen for single screws.
    pub screws: BTreeMap<ScrewRef, String>,
}

impl Draft {
    /// Whether there is enough to reveal: at least one manufacturer for the patient.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        !self.patient.is_empty()
    }

    /// The saved form of this read of `case`, with the model's answer as it stands now.
    #[must_use]
    pub fn to_read(&self, case: &Case, facts: &CaseFacts, now: SystemTime) -> Read {
        let report = &case.report;
        Read {
            when: utc_timestamp(now),
            case: facts.key.clone(),
            pack: pack_name(&report.pack),
            patient: PatientRead {
                resident: self.patient.iter().cloned().collect(),
                model: model_patient(&report.verdict),
                truth: facts.truth.as_ref().map(|t| t.designs.clone()),
            },
            screws: self
                .screws
                .iter()
                .filter_map(|(&r, label)| screw_read(case, facts, r, label))
                .collect(),
        }
    }
}

fn pack_name(pack: &PackRef) -> String {
    format!("{} {}", pack.name, pack.version)
}

/// The model's manufacturers for the patient: every confident one when mixed.
fn model_patient(verdict: &Verdict) -> Vec<String> {
    if verdict.mixed {
        verdict.mixed_labels.clone()
    } else {
        vec![verdict.both.label.clone()]
    }
}

fn screw_read(
    case: &Case,
    facts: &CaseFacts,
    (image, screw): ScrewRef,
    label: &str,
) -> Option<ScrewRead> {
    let found = case.report.images.get(image)?.screws.get(screw)?;
    let file = case.images.get(image).map(|i| i.name.as_str());
    let truth = facts
        .truth
        .as_ref()
        .zip(file)
        .and_then(|(t, file)| t.screw_label(file, &found.box_in_image));
    Some(ScrewRead {
        image,
        screw,
        resident: label.to_owned(),
        model: found.label.clone(),
        truth,
    })
}

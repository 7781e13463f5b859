//! Choosing a patient's AP and lateral pair from a study with more images than that (a CD
//! often holds scouts, flexion / extension views, a chest film): the view classifier
//! decides, and the surgeon can always pick the images by hand instead.

use crate::pack::{ModelError, ModelPack};
use crate::radiograph::Radiograph;
use crate::view::{View, ViewDecision, classify_view};

/// Which images to analyse, and what was decided about each.
#[derive(Clone, Debug, PartialEq)]
pub struct Pairing {
    /// Indices of the images to analyse: the most confident AP, then the most confident
    /// lateral, each when there is one. Every image when neither view was found, so the
    /// report can say why nothing was searched.
    pub chosen: Vec<usize>,
    /// The view stage's decision for every image, in input order.
    pub decisions: Vec<ViewDecision>,
}

/// Picks the AP and lateral pair among `images`.
///
/// # Errors
/// A failure inside the view model.
pub fn pick_pair(pack: &ModelPack, images: &[&Radiograph]) -> Result<Pairing, ModelError> {
    let decisions = images
        .iter()
        .map(|r| classify_view(pack, r))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Pairing {
        chosen: choose(&decisions),
        decisions,
    })
}

/// The most confident AP and the most confident lateral (first one on a tie).
fn choose(decisions: &[ViewDecision]) -> Vec<usize> {
    let best = |view: View| {
        decisions
            .iter()
            .enumerate()
            .filter(|(_, d)| d.view == view)
            .fold(None, |best: Option<(usize, f32)>, (i, d)| match best {
                Some((_, c)) if c >= d.confidence => best,
                _ => Some((i, d.confidence)),
            })
            .map(|(i, _)| i)
    };
    let chosen: Vec<usize> = [best(View::Ap), best(View::Lateral)]
        .into_iter()
        .flatten()
        .collect();
    if chosen.is_empty() {
        (0..decisions.len()).collect()
    } else {
        chosen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(view: View, confidence: f32) -> ViewDecision {
        ViewDecision {
            view,
            confidence,
            note: None,
        }
    }

    #[test]
    fn the_most_confident_of_each_view_is_chosen_ap_first() {
        let d = [
            decision(View::Lateral, 0.7),
            decision(View::Other, 0.99),
            decision(View::Ap, 0.8),
            decision(View::Lateral, 0.95),
            decision(View::Ap, 0.6),
        ];
        assert_eq!(choose(&d), vec![2, 3]);
    }

    #[test]
    fn ties_keep_the_first_image() {
        let d = [decision(View::Ap, 0.9), decision(View::Ap, 0.9)];
        assert_eq!(choose(&d), vec![0]);
    }

    #[test]
    fn without_any_spine_view_every_image_is_kept() {
        let d = [decision(View::Other, 0.9), decision(View::Other, 0.8)];
        assert_eq!(choose(&d), vec![0, 1]);
    }
}

//! The second screw under one heatmap peak, and when it is kept.
//!
//! On a lateral film the left and right screws of one level overlap nearly parallel and
//! their centres fall within one heatmap cell, so the 3 × 3 peak rule and overlap
//! suppression keep only one of them. A 10-channel detector names the second one beside the first; it
//! is added after suppression and is exempt from suppression by its own primary, which it
//! is expected to overlap.

use super::Candidate;
use crate::geometry::PixelBox;

/// A second screw the detector sees under a peak, in model-input pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Partner {
    pub box_in_input: PixelBox,
    /// The probability that this second screw exists (after sigmoid).
    pub probability: f32,
}

/// `kept` (the primaries after NMS) with each primary's partner added, at score
/// `primary score × pair probability`, when that reaches `threshold` and the partner
/// overlaps no kept box other than its own primary by more than `iou`.
///
/// Partners are taken best first and count as kept for the ones after them, so two
/// primaries naming the same second screw add it once.
#[must_use]
pub fn add_partners(kept: Vec<Candidate>, threshold: f32, iou: f32) -> Vec<Candidate> {
    let mut partners: Vec<(usize, Candidate)> = kept
        .iter()
        .enumerate()
        .filter_map(|(owner, c)| Some((owner, as_candidate(c)?)))
        .filter(|(_, p)| p.score >= threshold)
        .collect();
    partners.sort_by(|a, b| b.1.score.total_cmp(&a.1.score));
    let mut all = kept;
    for (owner, partner) in partners {
        let clashes = all
            .iter()
            .enumerate()
            .any(|(k, other)| k != owner && other.box_in_input.iou(&partner.box_in_input) > iou);
        if !clashes {
            all.push(partner);
        }
    }
    all
}

/// The partner of `primary` as a candidate of its own, scored `s × p`.
fn as_candidate(primary: &Candidate) -> Option<Candidate> {
    primary.partner.map(|p| Candidate {
        box_in_input: p.box_in_input,
        score: primary.score * p.probability,
        partner: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn primary(x0: f32, score: f32, partner: Option<(f32, f32)>) -> Candidate {
        let square = |x: f32| PixelBox::from([x, 0.0, x + 10.0, 10.0]);
        Candidate {
            box_in_input: square(x0),
            score,
            partner: partner.map(|(x, probability)| Partner {
                box_in_input: square(x),
                probability,
            }),
        }
    }

    #[test]
    fn a_likely_partner_is_added_over_its_own_primary() {
        // Partner shifted by 1 px: IoU 9/11 with its primary, above a 0.5 NMS threshold.
        let all = add_partners(vec![primary(0.0, 0.8, Some((1.0, 0.9)))], 0.35, 0.5);
        assert_eq!(all.len(), 2);
        assert!((all[1].score - 0.72).abs() < 1e-6);
        assert!((all[1].box_in_input.x0 - 1.0).abs() < 1e-6);
    }

    #[test]
    fn an_unlikely_partner_is_not_added() {
        // 0.8 × 0.4 = 0.32 is under the 0.35 detection threshold.
        let all = add_partners(vec![primary(0.0, 0.8, Some((1.0, 0.4)))], 0.35, 0.5);
        assert_eq!(all.len(), 1);
    }

    #[test]
    fn a_partner_on_another_kept_screw_is_suppressed() {
        let kept = vec![
            primary(0.0, 0.9, Some((30.0, 0.9))),
            primary(30.0, 0.7, None),
        ];
        assert_eq!(add_partners(kept, 0.35, 0.5).len(), 2);
    }

    #[test]
    fn two_primaries_naming_one_second_screw_add_it_once() {
        let kept = vec![
            primary(0.0, 0.9, Some((15.0, 0.9))),
            primary(30.0, 0.9, Some((15.0, 0.8))),
        ];
        let all = add_partners(kept, 0.35, 0.5);
        assert_eq!(all.len(), 3);
        assert!((all[2].score - 0.81).abs() < 1e-6, "the better one is kept");
    }
}

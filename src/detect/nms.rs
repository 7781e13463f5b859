//! Non-maximum suppression: of boxes that overlap too much, keep the highest score.

use super::Candidate;

/// Greedy NMS: sort by score, keep a box unless it overlaps a kept one by more than `iou`.
#[must_use]
pub fn non_max_suppression(mut candidates: Vec<Candidate>, iou: f32) -> Vec<Candidate> {
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<Candidate> = Vec::with_capacity(candidates.len());
    for c in candidates {
        if kept
            .iter()
            .all(|k| k.box_in_input.iou(&c.box_in_input) <= iou)
        {
            kept.push(c);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::PixelBox;

    fn cand(x0: f32, score: f32) -> Candidate {
        Candidate {
            box_in_input: PixelBox::from([x0, 0.0, x0 + 10.0, 10.0]),
            score,
            partner: None,
        }
    }

    #[test]
    fn keeps_the_highest_of_an_overlapping_pair_and_any_separate_box() {
        // Boxes at 0 and 1 overlap with IoU 9/11; the one at 50 overlaps neither.
        let kept = non_max_suppression(vec![cand(0.0, 0.6), cand(1.0, 0.9), cand(50.0, 0.4)], 0.5);
        let scores: Vec<f32> = kept.iter().map(|c| c.score).collect();
        assert_eq!(scores, vec![0.9, 0.4]);
    }

    #[test]
    fn a_loose_threshold_keeps_both() {
        let kept = non_max_suppression(vec![cand(0.0, 0.6), cand(1.0, 0.9)], 0.95);
        assert_eq!(kept.len(), 2);
    }
}

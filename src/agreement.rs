//! Agreement between two raters over categorical labels: the confusion matrix, the
//! accuracy (observed agreement) and Cohen's unweighted kappa.
//!
//! Residents compare their own reads with the model's and with the truth; kappa says how
//! much of their agreement is beyond what two raters with the same label frequencies would
//! reach by chance.

/// The confusion matrix of two raters, rows the first rater, columns the second.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agreement {
    labels: Vec<String>,
    /// Row-major, `labels.len()` squared.
    counts: Vec<u32>,
}

impl Agreement {
    /// Counts `pairs` of (first rater, second rater) labels.
    ///
    /// The matrix has `labels` first, in their order, then any other label met in the
    /// pairs, sorted, so a label outside the expected set (e.g. "uncertain") is counted
    /// rather than dropped.
    #[must_use]
    pub fn from_pairs<A, B>(labels: &[String], pairs: impl IntoIterator<Item = (A, B)>) -> Self
    where
        A: AsRef<str>,
        B: AsRef<str>,
    {
        let pairs: Vec<(A, B)> = pairs.into_iter().collect();
        let labels = all_labels(labels, &pairs);
        let n = labels.len();
        let mut counts = vec![0; n * n];
        let index = |l: &str| labels.iter().position(|x| x == l).unwrap_or(0);
        for (a, b) in &pairs {
            counts[index(a.as_ref()) * n + index(b.as_ref())] += 1;
        }
        Self { labels, counts }
    }

    /// The labels of the rows and the columns, in order.
    #[must_use]
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// How many items the first rater put in `row` and the second in `col`.
    #[must_use]
    pub fn count(&self, row: usize, col: usize) -> u32 {
        self.counts
            .get(row * self.labels.len() + col)
            .copied()
            .unwrap_or(0)
    }

    /// The number of pairs counted.
    #[must_use]
    pub fn total(&self) -> u32 {
        self.counts.iter().sum()
    }

    fn agreed(&self) -> u32 {
        (0..self.labels.len()).map(|i| self.count(i, i)).sum()
    }

    /// The share of pairs where both raters agree; `None` without pairs.
    #[must_use]
    pub fn accuracy(&self) -> Option<f64> {
        let n = self.total();
        (n > 0).then(|| f64::from(self.agreed()) / f64::from(n))
    }

    /// Cohen's unweighted kappa, `(p_o - p_e) / (1 - p_e)`.
    ///
    /// `None` without pairs, and `None` when chance agreement is certain (`p_e = 1`), which
    /// happens exactly when both raters gave every item one and the same label: kappa is
    /// then 0 / 0. Calling that 1 would praise a rater who never discriminated, and 0
    /// would blame one who never disagreed; the data say nothing either way, so the caller
    /// shows it as undefined.
    #[must_use]
    pub fn kappa(&self) -> Option<f64> {
        // In counts: kappa = (n·agreed − Σ r_i c_i) / (n² − Σ r_i c_i), exact in integers.
        let n = u64::from(self.total());
        let k = self.labels.len();
        let chance: u64 = (0..k)
            .map(|i| {
                let row: u64 = (0..k).map(|j| u64::from(self.count(i, j))).sum();
                let col: u64 = (0..k).map(|j| u64::from(self.count(j, i))).sum();
                row * col
            })
            .sum();
        let denominator = n * n - chance;
        if n == 0 || denominator == 0 {
            return None;
        }
        #[expect(
            clippy::cast_precision_loss,
            reason = "counts of reads, far below 2^52"
        )]
        let (num, den) = (
            (n * u64::from(self.agreed())) as f64 - chance as f64,
            denominator as f64,
        );
        Some(num / den)
    }
}

fn all_labels<A: AsRef<str>, B: AsRef<str>>(given: &[String], pairs: &[(A, B)]) -> Vec<String> {
    let mut extra: Vec<String> = pairs
        .iter()
        .flat_map(|(a, b)| [a.as_ref(), b.as_ref()])
        .filter(|l| !given.iter().any(|g| g == l))
        .map(str::to_owned)
        .collect();
    extra.sort();
    extra.dedup();
    given.iter().cloned().chain(extra).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    /// Pairs from a table of counts, rows the first rater.
    fn pairs_from(names: &[&str], table: &[&[u32]]) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        for (i, row) in table.iter().enumerate() {
            for (j, &n) in row.iter().enumerate() {
                for _ in 0..n {
                    pairs.push((names[i].to_owned(), names[j].to_owned()));
                }
            }
        }
        pairs
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-12)
    }

    #[test]
    fn textbook_two_by_two() {
        // The usual textbook table: 50 items, yes/yes 20, yes/no 5, no/yes 10, no/no 15.
        // p_o = 35/50 = 0.7; A says yes 25/50, B 30/50, so p_e = 0.5·0.6 + 0.5·0.4 = 0.5;
        // kappa = (0.7 − 0.5) / (1 − 0.5) = 0.4.
        let names = ["yes", "no"];
        let a = Agreement::from_pairs(&labels(&names), pairs_from(&names, &[&[20, 5], &[10, 15]]));
        assert_eq!(a.total(), 50);
        assert_eq!(a.count(0, 1), 5);
        assert_eq!(a.count(1, 0), 10);
        assert!(close(a.accuracy(), 0.7));
        assert!(close(a.kappa(), 0.4), "{:?}", a.kappa());
    }

    #[test]
    fn three_by_three() {
        // Rows [10 2 3], [1 12 2], [4 1 15]: n = 50, diagonal 37, p_o = 0.74. Row sums
        // 15, 15, 20 and column sums 15, 15, 20, so p_e = (225 + 225 + 400) / 2500 = 0.34;
        // kappa = 0.40 / 0.66 = 20/33.
        let names = ["Medtronic", "NuVasive", "Stryker"];
        let table: &[&[u32]] = &[&[10, 2, 3], &[1, 12, 2], &[4, 1, 15]];
        let a = Agreement::from_pairs(&labels(&names), pairs_from(&names, table));
        assert!(close(a.accuracy(), 0.74));
        assert!(close(a.kappa(), 20.0 / 33.0), "{:?}", a.kappa());
    }

    #[test]
    fn perfect_agreement_is_one() {
        let pairs = [("a", "a"), ("b", "b"), ("c", "c"), ("a", "a")];
        let a = Agreement::from_pairs(&labels(&["a", "b", "c"]), pairs);
        assert!(close(a.accuracy(), 1.0));
        assert!(close(a.kappa(), 1.0));
    }

    #[test]
    fn agreement_at_chance_is_zero() {
        // Each rater says a half the time, independently: p_o = 0.5 = p_e.
        let pairs = [("a", "a"), ("a", "b"), ("b", "a"), ("b", "b")];
        let a = Agreement::from_pairs(&labels(&["a", "b"]), pairs);
        assert!(close(a.accuracy(), 0.5));
        assert!(close(a.kappa(), 0.0));
    }

    #[test]
    fn one_label_only_leaves_kappa_undefined() {
        // p_o = p_e = 1: kappa is 0/0, reported as None (see `kappa`).
        let a = Agreement::from_pairs(&labels(&["a", "b"]), [("a", "a"), ("a", "a")]);
        assert!(close(a.accuracy(), 1.0));
        assert_eq!(a.kappa(), None);
    }

    #[test]
    fn each_rater_one_different_label_is_zero() {
        // A always a, B always b: p_o = 0, p_e = 1·0 + 0·1 = 0, kappa = 0.
        let a = Agreement::from_pairs(&labels(&["a", "b"]), [("a", "b"), ("a", "b")]);
        assert!(close(a.kappa(), 0.0));
    }

    #[test]
    fn no_pairs_give_no_statistics() {
        let a = Agreement::from_pairs(&labels(&["a"]), Vec::<(&str, &str)>::new());
        assert_eq!(a.total(), 0);
        assert_eq!(a.accuracy(), None);
        assert_eq!(a.kappa(), None);
    }

    #[test]
    fn labels_outside_the_set_are_counted_after_it() {
        let a = Agreement::from_pairs(&labels(&["b", "a"]), [("uncertain", "a"), ("b", "z")]);
        assert_eq!(a.labels(), labels(&["b", "a", "uncertain", "z"]).as_slice());
        assert_eq!(a.count(2, 1), 1);
        assert_eq!(a.count(0, 3), 1);
        assert_eq!(a.total(), 2);
    }
}

//! Checks on the set of images a user hands over for one patient, before any model runs:
//! the same image given twice (it would be counted twice in the vote) is dropped, and
//! images naming two patients are flagged (their screws would be voted together). The app
//! and the CLI both run these, each on its own kind of item.

use crate::radiograph::Radiograph;

/// Removes items whose image equals an earlier one's, pixel for pixel; one line per item
/// removed, naming both.
pub fn drop_repeats<T>(
    items: &mut Vec<T>,
    radiograph: impl Fn(&T) -> &Radiograph,
    name: impl Fn(&T) -> String,
) -> Vec<String> {
    let mut notes = Vec::new();
    let mut kept: Vec<T> = Vec::with_capacity(items.len());
    for item in items.drain(..) {
        let image = &radiograph(&item).image;
        let twin = kept.iter().find(|k| {
            let other = &radiograph(k).image;
            other.dimensions() == image.dimensions() && other.as_raw() == image.as_raw()
        });
        match twin {
            Some(first) => notes.push(format!(
                "{} is the same image as {}; counted once",
                name(&item),
                name(first)
            )),
            None => kept.push(item),
        }
    }
    *items = kept;
    notes
}

/// A warning when the items name more than one patient (by Patient ID, else by name).
pub fn different_patients<T>(
    items: &[T],
    radiograph: impl Fn(&T) -> &Radiograph,
    name: impl Fn(&T) -> String,
) -> Option<String> {
    let who = |item: &T| {
        let p = &radiograph(item).info.patient;
        p.id.clone()
            .or_else(|| p.name.clone())
            .filter(|s| !s.trim().is_empty())
    };
    let (first, patient) = items.iter().find_map(|i| who(i).map(|w| (i, w)))?;
    let other = items
        .iter()
        .find(|i| who(i).is_some_and(|w| w != patient))?;
    Some(format!(
        "{} and {} name different patients; the verdict counts both: open one patient's images",
        name(first),
        name(other)
    ))
}

//! The colours of the app, each defined once: manufacturers come from the pack (the founding
//! study's figure: Stryker blue, NuVasive green, Medtronic red), everything else is here.

use egui::Color32;

use crate::classify::UNCERTAIN;
use crate::pack::Manifest;

/// Screws no class claims.
pub const UNCERTAIN_GREY: Color32 = Color32::from_rgb(160, 160, 160);
/// The demonstration-model banner.
pub const BANNER: Color32 = Color32::from_rgb(255, 200, 60);
/// Mixed implants.
pub const MIXED: Color32 = Color32::from_rgb(255, 140, 0);
/// Boxes whose call is hidden (resident mode, before the reveal).
pub const NEUTRAL: Color32 = Color32::from_rgb(240, 240, 240);
/// Highlight of the selected screw.
pub const SELECTED: Color32 = Color32::WHITE;

/// The colour a screw of `label` is drawn in.
#[must_use]
pub fn colour_of(manifest: &Manifest, label: &str) -> Color32 {
    if label == UNCERTAIN {
        return UNCERTAIN_GREY;
    }
    let [r, g, b] = manifest.colour_of(label);
    Color32::from_rgb(r, g, b)
}

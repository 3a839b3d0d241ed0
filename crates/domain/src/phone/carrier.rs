//! Nhà mạng: which mobile carrier holds which 3-digit prefix, and the 2018 conversion of the
//! 11-digit numbers to 10 digits (SPEC §9).

use crate::vocab::vocabulary;

vocabulary! {
    /// Nhà mạng di động: a mobile carrier holding number prefixes in Vietnam.
    pub enum Carrier in Carrier {
        Viettel = "viettel",
        Vinaphone = "vinaphone",
        Mobifone = "mobifone",
        Vietnamobile = "vietnamobile",
        Gmobile = "gmobile",
        Itel = "itel",
    }
}

impl Carrier {
    /// The brand as the carrier writes it.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Viettel => "Viettel",
            Self::Vinaphone => "VinaPhone",
            Self::Mobifone => "MobiFone",
            Self::Vietnamobile => "Vietnamobile",
            Self::Gmobile => "Gmobile",
            Self::Itel => "iTel",
        }
    }

    /// The 3-character national prefixes ("032") the carrier holds.
    pub const fn prefixes(self) -> &'static [&'static str] {
        match self {
            Self::Viettel => &[
                "032", "033", "034", "035", "036", "037", "038", "039", "086", "096", "097", "098",
            ],
            Self::Vinaphone => &["081", "082", "083", "084", "085", "088", "091", "094"],
            Self::Mobifone => &["070", "076", "077", "078", "079", "089", "090", "093"],
            Self::Vietnamobile => &["052", "056", "058", "092"],
            Self::Gmobile => &["059", "099"],
            Self::Itel => &["087"],
        }
    }

    /// The carrier holding a 3-character national prefix, if any does.
    pub fn by_prefix(prefix: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|carrier| carrier.prefixes().contains(&prefix))
    }
}

/// The 11-digit prefixes retired in 2018 and the 10-digit prefix each became; the seven
/// digits after the prefix stayed the same.
pub(crate) const CONVERSIONS_2018: &[(&str, &str)] = &[
    ("0120", "070"),
    ("0121", "079"),
    ("0122", "077"),
    ("0126", "076"),
    ("0128", "078"),
    ("0123", "083"),
    ("0124", "084"),
    ("0125", "085"),
    ("0127", "081"),
    ("0129", "082"),
    ("0162", "032"),
    ("0163", "033"),
    ("0164", "034"),
    ("0165", "035"),
    ("0166", "036"),
    ("0167", "037"),
    ("0168", "038"),
    ("0169", "039"),
    ("0186", "056"),
    ("0188", "058"),
    ("0199", "059"),
];

/// The 10-digit prefix that an 11-digit prefix ("0162") became in 2018.
pub(crate) fn converted_prefix(old: &str) -> Option<&'static str> {
    CONVERSIONS_2018
        .iter()
        .find(|(from, _)| *from == old)
        .map(|(_, to)| *to)
}

//! Mức of a tài khoản định danh điện tử (VNeID, SPEC V4): level 1 registered on the app, level 2
//! proven in person. The provider stores it; the portal reads it from VNeID's tokens.

use crate::AssuranceLevel;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EidLevel {
    One,
    Two,
}

impl EidLevel {
    /// The level of a sign-in by an account of this level: LoA2 for level 1, LoA3 for level 2.
    pub const fn assurance(self) -> AssuranceLevel {
        match self {
            EidLevel::One => AssuranceLevel::LoA2,
            EidLevel::Two => AssuranceLevel::LoA3,
        }
    }

    pub const fn number(self) -> u8 {
        match self {
            EidLevel::One => 1,
            EidLevel::Two => 2,
        }
    }

    pub const fn from_number(number: u8) -> Option<Self> {
        match number {
            1 => Some(EidLevel::One),
            2 => Some(EidLevel::Two),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::EidLevel;
    use crate::AssuranceLevel;

    #[test]
    fn levels_round_trip_and_map_to_assurance() {
        for level in [EidLevel::One, EidLevel::Two] {
            assert_eq!(EidLevel::from_number(level.number()), Some(level));
        }
        assert_eq!(EidLevel::from_number(0), None);
        assert_eq!(EidLevel::from_number(3), None);
        assert_eq!(EidLevel::One.assurance(), AssuranceLevel::LoA2);
        assert_eq!(EidLevel::Two.assurance(), AssuranceLevel::LoA3);
    }
}

//! Deterministic mutation of seed files for the reader fuzzer: a `SplitMix64` generator and
//! the mutations cargo-fuzz's libFuzzer would try first on a binary format: truncation,
//! bit flips, random bytes, insertions, deletions, chunk duplication, "interesting"
//! integers written over little- and big-endian length fields, and splicing two seeds.

/// `SplitMix64`: small, fast, and the same sequence on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n.max(1)).unwrap_or(u64::MAX)).unwrap_or(0)
    }

    /// A position in `bytes`, biased towards the first 512 bytes (headers) half the time.
    fn position(&mut self, len: usize) -> usize {
        if len == 0 {
            return 0;
        }
        if self.below(2) == 0 {
            self.below(len.min(512))
        } else {
            self.below(len)
        }
    }

    fn byte(&mut self) -> u8 {
        self.next().to_le_bytes()[0]
    }
}

/// Values that break length and size arithmetic.
const INTERESTING: [u32; 12] = [
    0,
    1,
    2,
    0x7F,
    0xFF,
    0x100,
    0x7FFF,
    0x8000,
    0xFFFF,
    0x7FFF_FFFF,
    0x8000_0000,
    0xFFFF_FFFF,
];

/// One to four mutations of `seed` (with `other` available for splicing).
pub fn mutate(rng: &mut Rng, seed: &[u8], other: &[u8]) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..=rng.below(4) {
        step(rng, &mut data, other);
    }
    data
}

fn step(rng: &mut Rng, data: &mut Vec<u8>, other: &[u8]) {
    let len = data.len();
    match rng.below(9) {
        0 => data.truncate(rng.below(len + 1)),
        1 => {
            for _ in 0..=rng.below(8) {
                let at = rng.position(len);
                if let Some(b) = data.get_mut(at) {
                    *b ^= 1 << rng.below(8);
                }
            }
        }
        2 => {
            for _ in 0..=rng.below(4) {
                let at = rng.position(len);
                let value = rng.byte();
                if let Some(b) = data.get_mut(at) {
                    *b = value;
                }
            }
        }
        3 => {
            let at = rng.position(len).min(len);
            let n = 1 + rng.below(16);
            let bytes: Vec<u8> = (0..n).map(|_| rng.byte()).collect();
            data.splice(at..at, bytes);
        }
        4 => {
            let at = rng.position(len).min(len);
            let end = (at + 1 + rng.below(64)).min(len);
            data.drain(at..end);
        }
        5 => {
            let at = rng.position(len).min(len);
            let end = (at + 1 + rng.below(256)).min(len);
            let chunk = data[at..end].to_vec();
            let to = rng.position(len).min(len);
            data.splice(to..to, chunk);
        }
        6 | 7 => length_field(rng, data),
        _ => {
            let cut = rng.position(len).min(len);
            let from = rng.below(other.len() + 1);
            data.truncate(cut);
            data.extend_from_slice(&other[from..]);
        }
    }
}

/// Overwrite 2 or 4 bytes at an even offset with an interesting value, either byte order
/// (DICOM element lengths are LE u16 / u32 at even offsets; JPEG and PNG use BE).
fn length_field(rng: &mut Rng, data: &mut [u8]) {
    let len = data.len();
    if len < 4 {
        return;
    }
    let at = rng.position(len - 3) & !1;
    let mut value = INTERESTING[rng.below(INTERESTING.len())];
    if rng.below(4) == 0 {
        value = value
            .wrapping_add(u32::try_from(rng.below(3)).unwrap_or(0))
            .wrapping_sub(1);
    }
    let wide = rng.below(2) == 0;
    let big = rng.below(3) == 0;
    let bytes: Vec<u8> = match (wide, big) {
        (true, false) => value.to_le_bytes().to_vec(),
        (true, true) => value.to_be_bytes().to_vec(),
        (false, false) => value.to_le_bytes()[..2].to_vec(),
        (false, true) => value.to_be_bytes()[2..].to_vec(),
    };
    let end = (at + bytes.len()).min(len);
    data[at..end].copy_from_slice(&bytes[..end - at]);
}

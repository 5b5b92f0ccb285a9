//! A small deterministic generator (splitmix64): a custom mutator must produce the same
//! mutation for the same seed, which libFuzzer passes in.

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in 0..n (0 when n is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// True with probability num/den.
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.next_u64() % den < num
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            Some(&items[self.below(items.len())])
        }
    }

    /// A value worth trying where an integer is read: boundaries, small numbers, or `old`
    /// nudged.
    pub fn int(&mut self, old: i64) -> i64 {
        const SPECIAL: &[i64] = &[
            0,
            1,
            -1,
            2,
            -2,
            3,
            4,
            5,
            7,
            8,
            16,
            28,
            31,
            32,
            63,
            64,
            127,
            128,
            255,
            256,
            1024,
            4096,
            65535,
            65536,
            1 << 20,
            i32::MAX as i64,
            i32::MIN as i64,
            i32::MAX as i64 + 1,
            u32::MAX as i64,
            1 << 40,
            i64::MAX,
            i64::MIN,
            i64::MAX / 2 + 1,
        ];
        match self.below(4) {
            0 => SPECIAL[self.below(SPECIAL.len())],
            1 => self.below(10) as i64,
            2 => old.wrapping_add(self.below(5) as i64 - 2),
            _ => {
                if self.chance(1, 2) {
                    old.wrapping_mul(2)
                } else {
                    old / 2
                }
            }
        }
    }

    /// A float worth trying.
    pub fn float(&mut self, old: f32) -> f32 {
        const SPECIAL: &[f32] = &[
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            2.0,
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::MAX,
            f32::MIN,
            f32::MIN_POSITIVE,
            1e-45,
            65504.0,
            1e30,
        ];
        match self.below(3) {
            0 => SPECIAL[self.below(SPECIAL.len())],
            1 => old * 2.0,
            _ => -old,
        }
    }

    /// A string worth trying as a name: one of `pool`, empty, or an odd one.
    pub fn name(&mut self, pool: &[String]) -> String {
        const ODD: &[&str] = &["", "x", "a\0b", "\u{fffd}", "input", "output", "0", "-1", " ", "é"];
        if !pool.is_empty() && self.chance(3, 4) {
            return pool[self.below(pool.len())].clone();
        }
        ODD[self.below(ODD.len())].to_string()
    }
}

//! Exact sums of floating-point numbers: a fixed-point integer wide enough
//! for every finite `f64` (Kulisch's long accumulator). Adding is exact,
//! so a sum does not depend on the order of its terms: threads, shards and
//! merges give the same bits, and memory stays the same whatever the
//! number of terms. The result is rounded once, to the nearest `f64`.

use serde::{Deserialize, Serialize};

/// Bits per digit (each held in an `i64`, leaving room for carries).
const DIGIT_BITS: u32 = 32;
const DIGIT_MASK: i64 = (1 << DIGIT_BITS) - 1;
/// The weight of bit 0: 2^-1074, the smallest subnormal.
const LOWEST_EXPONENT: i32 = -1074;
/// Digits: 2,098 bits for the f64 range (2^-1074 to 2^1024), 117 bits for
/// a mantissa times a 64-bit count, 64 bits for 2^64 such terms.
const DIGITS: usize = 72;
/// Additions between carry propagations (each adds less than 2^32 to a
/// digit, so 2^30 of them cannot overflow an `i64`).
const ADDS_BEFORE_CARRY: u32 = 1 << 30;

/// An exact sum of `f64` values (and of `f64` x integer products).
#[derive(Debug, Clone, PartialEq)]
pub struct ExactSum {
    digits: Vec<i64>,
    adds: u32,
}

impl Default for ExactSum {
    fn default() -> Self {
        ExactSum {
            digits: vec![0; DIGITS],
            adds: 0,
        }
    }
}

impl ExactSum {
    /// Adds `x` (finite; a NaN or infinity is a caller's bug).
    pub fn add(&mut self, x: f64) {
        self.add_times(x, 1);
    }

    /// Adds `x * times` exactly.
    pub fn add_times(&mut self, x: f64, times: u64) {
        debug_assert!(x.is_finite(), "exact sums take finite values");
        if x == 0.0 || times == 0 || !x.is_finite() {
            return;
        }
        let bits = x.to_bits();
        let biased = ((bits >> 52) & 0x7ff) as i32;
        let fraction = bits & ((1u64 << 52) - 1);
        // x = mantissa * 2^exponent.
        let (mantissa, exponent) = match biased {
            0 => (fraction, LOWEST_EXPONENT),
            _ => (fraction | 1 << 52, biased - 1075),
        };
        let shift = (exponent - LOWEST_EXPONENT) as u32;
        let (at, offset) = ((shift / DIGIT_BITS) as usize, shift % DIGIT_BITS);
        // At most 53 + 64 + 31 = 148 bits: five digits.
        let product = mantissa as u128 * times as u128;
        let negative = x < 0.0;
        let low = product << offset;
        let high = if offset == 0 {
            0
        } else {
            product >> (128 - offset)
        };
        let mut parts = [0i64; 5];
        for (i, part) in parts.iter_mut().enumerate() {
            let bit = i as u32 * DIGIT_BITS;
            let digit = if bit < 128 {
                (low >> bit) as u64 & DIGIT_MASK as u64
            } else {
                (high >> (bit - 128)) as u64 & DIGIT_MASK as u64
            };
            *part = digit as i64;
        }
        for (i, &p) in parts.iter().enumerate() {
            if p != 0 {
                let d = &mut self.digits[at + i];
                *d = if negative { *d - p } else { *d + p };
            }
        }
        self.adds += 1;
        if self.adds >= ADDS_BEFORE_CARRY {
            self.carry();
        }
    }

    /// Adds another exact sum.
    pub fn absorb(&mut self, other: &ExactSum) {
        let mut other = other.clone();
        other.carry();
        self.carry();
        for (a, b) in self.digits.iter_mut().zip(&other.digits) {
            *a += b;
        }
        self.carry();
    }

    /// Propagates carries: every digit but the last in [0, 2^32).
    fn carry(&mut self) {
        let mut carry = 0i64;
        let last = self.digits.len() - 1;
        for (i, d) in self.digits.iter_mut().enumerate() {
            let v = *d + carry;
            if i == last {
                *d = v;
            } else {
                *d = v & DIGIT_MASK;
                carry = v >> DIGIT_BITS;
            }
        }
        self.adds = 0;
    }

    /// Whether the sum is negative, and its absolute value with every digit
    /// in [0, 2^32).
    fn magnitude(&self) -> (bool, ExactSum) {
        let mut s = self.clone();
        s.carry();
        let negative = *s.digits.last().expect("digits") < 0;
        if negative {
            for d in s.digits.iter_mut() {
                *d = -*d;
            }
            s.carry();
        }
        (negative, s)
    }

    /// The sum rounded to the nearest `f64` (ties to even; overflow gives
    /// an infinity; a subnormal result may be rounded twice).
    pub fn value(&self) -> f64 {
        let (negative, s) = self.magnitude();
        let Some(top) = s.digits.iter().rposition(|&d| d != 0) else {
            return 0.0;
        };
        // The top four digits (at least 97 significant bits) and a sticky
        // bit for everything below: one correct rounding to 53 bits.
        let low = top.saturating_sub(3);
        let mut head: u128 = 0;
        for i in (low..=top).rev() {
            head = head << DIGIT_BITS | s.digits[i] as u128;
        }
        if s.digits[..low].iter().any(|&d| d != 0) {
            head |= 1;
        }
        let scale = LOWEST_EXPONENT + (low as u32 * DIGIT_BITS) as i32;
        let magnitude = scale_by_power_of_two(head as f64, scale);
        if negative { -magnitude } else { magnitude }
    }

    /// The sum as the nonzero digits `[position, digit]` of its magnitude,
    /// each digit negated for a negative sum (a compact, exact form for
    /// partial results).
    fn to_digits(&self) -> Vec<[i64; 2]> {
        let (negative, s) = self.magnitude();
        let sign = if negative { -1 } else { 1 };
        s.digits
            .iter()
            .enumerate()
            .filter(|&(_, &d)| d != 0)
            .map(|(i, &d)| [i as i64, sign * d])
            .collect()
    }

    /// The sum of `[position, digit]` pairs; None when a position is out
    /// of range or a digit out of its bounds.
    fn from_digits(pairs: &[[i64; 2]]) -> Option<ExactSum> {
        let mut s = ExactSum::default();
        for &[i, d] in pairs {
            let i = usize::try_from(i).ok().filter(|&i| i < DIGITS)?;
            if i < DIGITS - 1 && d.abs() > DIGIT_MASK {
                return None;
            }
            if i == DIGITS - 1 && d.unsigned_abs() > 1 << 20 {
                return None;
            }
            s.digits[i] += d;
        }
        s.carry();
        Some(s)
    }
}

/// `x * 2^e`, exact unless the result is subnormal or overflows.
fn scale_by_power_of_two(mut x: f64, mut e: i32) -> f64 {
    while e > 1000 {
        x *= 2f64.powi(1000);
        e -= 1000;
    }
    while e < -1000 {
        x *= 2f64.powi(-1000);
        e += 1000;
    }
    x * 2f64.powi(e)
}

impl Serialize for ExactSum {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_digits().serialize(s)
    }
}

impl<'de> Deserialize<'de> for ExactSum {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let pairs = Vec::<[i64; 2]>::deserialize(d)?;
        ExactSum::from_digits(&pairs)
            .ok_or_else(|| serde::de::Error::custom("an exact sum's digit is out of range"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum_of(values: &[f64]) -> f64 {
        let mut s = ExactSum::default();
        for &v in values {
            s.add(v);
        }
        s.value()
    }

    #[test]
    fn sums_are_exact_and_independent_of_order() {
        // 1e16 + 1 - 1e16: the float sum in this order loses the 1.
        assert_eq!(sum_of(&[1e16, 1.0, -1e16]), 1.0);
        assert_eq!(sum_of(&[1e300, 1e-300, -1e300]), 1e-300);
        assert_eq!(sum_of(&[0.1, 0.2]), 0.1 + 0.2);
        assert_eq!(sum_of(&[-3.5, 1.25]), -2.25);
        assert_eq!(sum_of(&[]), 0.0);
        assert_eq!(sum_of(&[f64::MIN_POSITIVE / 8.0; 8]), f64::MIN_POSITIVE);
        // Integers: against an i128 sum, in several orders.
        let mut seed = 7u64;
        let mut values: Vec<f64> = (0..5000)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((seed >> 11) as i64 - (1 << 52)) as f64
            })
            .collect();
        let exact: i128 = values.iter().map(|&v| v as i128).sum();
        for _ in 0..3 {
            assert_eq!(sum_of(&values), exact as f64);
            values.reverse();
            values.rotate_left(1234);
        }
    }

    #[test]
    fn rounding_is_to_nearest_even() {
        // 2^53 + 1 is halfway between 2^53 and 2^53 + 2: rounds to even.
        let big = 2f64.powi(53);
        assert_eq!(sum_of(&[big, 1.0]), big);
        assert_eq!(sum_of(&[big, 1.0, 2f64.powi(-60)]), big + 2.0);
        assert_eq!(sum_of(&[big + 2.0, 1.0]), big + 4.0);
        assert_eq!(sum_of(&[-big, -1.0, -(2f64.powi(-60))]), -(big + 2.0));
    }

    #[test]
    fn products_with_counts_equal_repeated_additions() {
        let mut a = ExactSum::default();
        let mut b = ExactSum::default();
        for &(x, k) in &[
            (0.1, 1000u64),
            (-2.75, 3),
            (1e-5, 77),
            (123456.789, 1 << 40),
        ] {
            a.add_times(x, k);
            if k < 10_000 {
                for _ in 0..k {
                    b.add(x);
                }
            } else {
                b.add_times(x, k / 2);
                b.add_times(x, k - k / 2);
            }
        }
        assert_eq!(a.value(), b.value());
    }

    #[test]
    fn absorbed_and_serialised_sums_are_the_same_sum() {
        let values = [3.25, -1e10, 7e-3, 1e10, 2.5e-300];
        let mut whole = ExactSum::default();
        let (mut left, mut right) = (ExactSum::default(), ExactSum::default());
        for (i, &v) in values.iter().enumerate() {
            whole.add(v);
            if i % 2 == 0 {
                left.add(v)
            } else {
                right.add(v)
            }
        }
        right.absorb(&left);
        assert_eq!(right.value(), whole.value());
        let json = serde_json::to_string(&whole).unwrap();
        let back: ExactSum = serde_json::from_str(&json).unwrap();
        assert_eq!(back.value(), whole.value());
        assert!(serde_json::from_str::<ExactSum>("[[99,1]]").is_err());
        assert!(serde_json::from_str::<ExactSum>("[[3,8589934592]]").is_err());
        let mut negative = ExactSum::default();
        negative.add(-2.5e-3);
        let json = serde_json::to_string(&negative).unwrap();
        assert!(json.len() < 60 && !json.contains("4294967295"), "{json}");
        let back: ExactSum = serde_json::from_str(&json).unwrap();
        assert_eq!(back.value(), -2.5e-3);
    }
}

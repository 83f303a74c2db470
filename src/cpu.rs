//! The one place CPU features are detected and dispatched on: the
//! instruction set every fast path uses, decided once per process, and
//! `multiversion!`, which compiles a loop portable and for AVX2 and calls
//! the build that level allows. The environment variable
//! `KOMMUNRANK_ISA` (`portable` or `avx2`) caps it, to check
//! that every variant gives the same results or to time one; a level the
//! CPU lacks is never used. Results do not depend on the level: each
//! vector kernel is tested bit for bit against its portable reference.

use std::sync::OnceLock;

/// An instruction-set level, ordered: a level implies those below it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Isa {
    /// Portable code (the compiler's baseline for the target).
    #[default]
    Portable,
    /// AVX2 with FMA. (AVX-512 versions measured no faster on W1 and
    /// were dropped: docs/PERFORMANCE.md, twelfth round.)
    Avx2,
}

/// The environment variable that caps the level.
pub const ISA_VARIABLE: &str = "KOMMUNRANK_ISA";

/// The highest level this CPU has.
pub fn detected() -> Isa {
    #[cfg(target_arch = "x86_64")]
    {
        let avx2 = std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma");
        if avx2 {
            return Isa::Avx2;
        }
    }
    Isa::Portable
}

/// The cap `KOMMUNRANK_ISA` asks for (None when unset or empty); an error
/// naming the accepted values for anything else.
pub fn requested() -> Result<Option<Isa>, String> {
    let Ok(v) = std::env::var(ISA_VARIABLE) else {
        return Ok(None);
    };
    match v.trim().to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "portable" => Ok(Some(Isa::Portable)),
        "avx2" => Ok(Some(Isa::Avx2)),
        other => Err(format!(
            "{ISA_VARIABLE}={other:?} is not an instruction set: use portable or avx2 (or unset it)"
        )),
    }
}

/// The level the fast paths use: the CPU's, capped by `KOMMUNRANK_ISA`
/// (an invalid value is ignored here; the CLI refuses it first).
pub fn isa() -> Isa {
    #[cfg(test)]
    if let Some(isa) = FORCED.with(|f| f.get()) {
        return isa.min(detected());
    }
    static LEVEL: OnceLock<Isa> = OnceLock::new();
    *LEVEL.get_or_init(|| match requested() {
        Ok(Some(cap)) => cap.min(detected()),
        _ => detected(),
    })
}

/// Defines a function whose body is compiled twice, as portable code and
/// for AVX2, and runs the build [`isa`] allows: the one form every
/// vectorised loop of the crate takes (a loop written so that the compiler
/// vectorises it, the same operations in the same order on either build,
/// hence the same bits). Free functions with named, non-generic arguments.
macro_rules! multiversion {
    ($(#[$attr:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? $body:block) => {
        $(#[$attr])*
        $vis fn $name($($arg: $ty),*) $(-> $ret)? {
            #[inline(always)]
            fn portable($($arg: $ty),*) $(-> $ret)? $body
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2")]
            fn avx2($($arg: $ty),*) $(-> $ret)? {
                portable($($arg),*)
            }
            #[cfg(target_arch = "x86_64")]
            if $crate::cpu::isa() >= $crate::cpu::Isa::Avx2 {
                // SAFETY: `isa` gives AVX2 only when the CPU has it.
                return unsafe { avx2($($arg),*) };
            }
            portable($($arg),*)
        }
    };
}
pub(crate) use multiversion;

/// The levels this CPU can run, lowest first (for tests of every variant).
pub fn available() -> Vec<Isa> {
    [Isa::Portable, Isa::Avx2]
        .into_iter()
        .filter(|&l| l <= detected())
        .collect()
}

#[cfg(test)]
thread_local! {
    /// A level forced on this thread by a test.
    static FORCED: std::cell::Cell<Option<Isa>> = const { std::cell::Cell::new(None) };
}

/// Forces `isa` (capped by the CPU) on this thread until `None` (tests).
#[cfg(test)]
pub(crate) fn force(isa: Option<Isa>) {
    FORCED.with(|f| f.set(isa));
}

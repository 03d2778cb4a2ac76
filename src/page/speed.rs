//! The speed of the simulated clock: a multiplier of wall time from 0.01× to 1000×. The `#speed`
//! slider is its log10 (continuous); the +/- keys step through [`SPEEDS`].

use crate::layout::{clamp, fixed, trimmed};

/// Speeds the +/- keys step through (the slider is continuous on a log scale).
pub const SPEEDS: [f64; 16] =
    [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0];
/// `#speed` is log10 of the multiplier: -2 (0.01×) to 3 (1000×).
pub const SPEED_LOG_MIN: f64 = -2.0;
pub const SPEED_LOG_MAX: f64 = 3.0;
/// The slider moves when it is further than this from the speed (about half a step of 0.05), so a
/// drag is not pulled back to the rounded speed it chose.
const SLIDER_SLACK: f64 = 0.026;

/// `speed` within 0.01×–1000× (the lowest for NaN).
pub fn clamped(speed: f64) -> f64 {
    clamp(speed, SPEEDS[0], SPEEDS[SPEEDS.len() - 1])
}

/// Two significant digits: 10^0.3 = 1.995… shows as 2.
pub fn nice(s: f64) -> f64 {
    let mag = pow10(decade(s) - 1);
    (s / mag).round() * mag
}

// Powers and logarithms of ten without libm's `pow`/`log10` (about 1.3 KB of wasm): a speed needs
// a few significant digits, and the integer powers below are the ones `powf` gives.

/// 10^e, exact to 10^22 and for 10^-e the nearest double (one rounding, as `powf`'s).
fn pow10(e: i32) -> f64 {
    let p = (0..e.unsigned_abs().min(400)).fold(1.0, |p, _| p * 10.0);
    if e < 0 {
        1.0 / p
    } else {
        p
    }
}

/// The power of ten at or below `s` (⌊log10 s⌋), for `s` > 0.
fn decade(s: f64) -> i32 {
    let mut e = 0;
    while e < 400 && pow10(e + 1) <= s {
        e += 1;
    }
    while e > -400 && pow10(e) > s {
        e -= 1;
    }
    e
}

/// 10^v: 10^⌊v⌋ times e^(f·ln 10) for the fraction f, by its series (terms past 30 are below 1e-20).
fn exp10(v: f64) -> f64 {
    let whole = v.floor();
    let x = (v - whole) * std::f64::consts::LN_10;
    let (mut sum, mut term) = (1.0, 1.0);
    for n in 1..31 {
        term *= x / f64::from(n);
        sum += term;
    }
    pow10(whole as i32) * sum
}

/// log10 of `s` > 0: its decade plus ln(m)/ln 10 of the rest m in [1, 10), m brought near 1 by four
/// square roots (a wasm instruction) for the series 2·atanh((m-1)/(m+1)).
fn log10(s: f64) -> f64 {
    let e = decade(s);
    let m = (0..4).fold(s / pow10(e), |m, _| m.sqrt());
    let z = (m - 1.0) / (m + 1.0);
    let (mut sum, mut power) = (0.0, z);
    for k in 0..10 {
        sum += power / f64::from(2 * k + 1);
        power *= z * z;
    }
    f64::from(e) + 32.0 * sum / std::f64::consts::LN_10
}

/// The speed as the page shows it: `250`, `2.5`, `0.05` (without the `×`).
pub fn label(s: f64) -> String {
    if s >= 10.0 {
        fixed(s, 0)
    } else if s >= 1.0 {
        trimmed(s, 1)
    } else {
        trimmed(s, 3)
    }
}

/// The speed a slider position stands for (1× for a value that is not a number).
pub fn from_slider(v: f64) -> f64 {
    let v = if v.is_finite() { clamp(v, SPEED_LOG_MIN, SPEED_LOG_MAX) } else { 0.0 };
    nice(exp10(v))
}

/// Where the slider should move to show `speed`, if it is not close enough already: its new value.
pub fn slider_for(speed: f64, slider: f64) -> Option<String> {
    let v = log10(speed);
    ((slider - v).abs() > SLIDER_SLACK).then(|| fixed(v, 2))
}

/// The next speed of the ladder above `speed`, if any.
pub fn faster(speed: f64) -> Option<f64> {
    SPEEDS.iter().copied().find(|s| *s > speed * 1.01)
}

/// The next speed of the ladder below `speed`, if any.
pub fn slower(speed: f64) -> Option<f64> {
    SPEEDS.iter().rev().copied().find(|s| *s < speed / 1.01)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn speeds_are_clamped_to_the_slider_range() {
        assert!(close(clamped(5.0), 5.0));
        assert!(close(clamped(0.0001), 0.01));
        assert!(close(clamped(1e6), 1000.0));
        assert!(close(clamped(f64::NAN), 0.01));
    }

    #[test]
    fn nice_keeps_two_significant_digits() {
        for (s, expected) in [(1.995, 2.0), (10f64.powf(0.3), 2.0), (123.4, 120.0), (0.0456, 0.046), (1000.0, 1000.0)] {
            assert!(close(nice(s), expected), "nice({s}) = {} not {expected}", nice(s));
        }
    }

    #[test]
    fn labels_show_what_matters_at_each_scale() {
        let table =
            [(1000.0, "1000"), (12.4, "12"), (2.5, "2.5"), (2.0, "2"), (1.0, "1"), (0.05, "0.05"), (0.01, "0.01")];
        for (s, expected) in table {
            assert_eq!(label(s), expected);
        }
    }

    #[test]
    fn the_slider_is_log10_of_the_speed() {
        assert!(close(from_slider(0.0), 1.0));
        assert!(close(from_slider(1.0), 10.0));
        assert!(close(from_slider(0.3), 2.0));
        assert!(close(from_slider(-2.0), 0.01));
        assert!(close(from_slider(9.0), 1000.0), "beyond the range: its end");
        assert!(close(from_slider(f64::NAN), 1.0));
        assert_eq!(slider_for(10.0, 0.0).as_deref(), Some("1.00"));
        assert_eq!(slider_for(0.1, 0.0).as_deref(), Some("-1.00"));
        // Within half a step of the slider: it stays where the user put it.
        assert_eq!(slider_for(2.0, 0.3), None);
    }

    #[test]
    fn the_slider_shows_what_libm_would_at_every_hundredth() {
        // The powers and logarithms without libm give the speeds and slider values std's would.
        for i in -200..=300 {
            let v = f64::from(i) / 100.0;
            let libm = 10f64.powf(v);
            let nice_libm =
                (libm / 10f64.powf(libm.log10().floor() - 1.0)).round() * 10f64.powf(libm.log10().floor() - 1.0);
            assert_eq!(from_slider(v), nice_libm, "slider {v}");
            assert!((log10(libm) - libm.log10()).abs() < 1e-12, "log10 of {libm}");
            assert_eq!(fixed(log10(from_slider(v)), 2), fixed(from_slider(v).log10(), 2), "slider {v}");
        }
        for s in SPEEDS {
            assert_eq!(fixed(log10(s), 2), fixed(s.log10(), 2));
        }
    }

    #[test]
    fn the_keys_step_through_the_ladder_and_stop_at_its_ends() {
        assert_eq!(faster(1.0), Some(2.0));
        assert_eq!(slower(1.0), Some(0.5));
        // From between two rungs: the next one up or down.
        assert_eq!(faster(1.5), Some(2.0));
        assert_eq!(slower(1.5), Some(1.0));
        assert_eq!(faster(1000.0), None);
        assert_eq!(slower(0.01), None);
        let mut s = 0.01;
        let mut rungs = 1;
        while let Some(next) = faster(s) {
            s = next;
            rungs += 1;
        }
        assert_eq!(rungs, SPEEDS.len());
    }
}

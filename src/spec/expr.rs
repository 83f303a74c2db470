//! Numbers written as simple expressions in a spec, where published methods
//! state them that way (the HDI's `lower = "ln(100)"`): numbers, `+ - * / ^`,
//! parentheses, `ln`, `log10`, `exp`, `sqrt` and the constants `pi` and `e`.

use serde::Deserializer;
use serde::de::{self, Visitor};

/// Evaluates an expression; the error says what is wrong and where.
pub fn evaluate(text: &str) -> Result<f64, String> {
    let mut p = Parser {
        s: text.as_bytes(),
        at: 0,
    };
    let v = p.sum()?;
    p.skip_space();
    if p.at < p.s.len() {
        return Err(format!(
            "unexpected '{}' at character {}",
            String::from_utf8_lossy(&p.s[p.at..])
                .chars()
                .next()
                .unwrap_or('?'),
            p.at + 1
        ));
    }
    if !v.is_finite() {
        return Err(format!("its value {v} is not a finite number"));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn skip_space(&mut self) {
        while self.s.get(self.at).is_some_and(|c| c.is_ascii_whitespace()) {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_space();
        self.s.get(self.at).copied()
    }

    fn sum(&mut self) -> Result<f64, String> {
        let mut v = self.product()?;
        while let Some(op @ (b'+' | b'-')) = self.peek() {
            self.at += 1;
            let r = self.product()?;
            v = if op == b'+' { v + r } else { v - r };
        }
        Ok(v)
    }

    fn product(&mut self) -> Result<f64, String> {
        let mut v = self.unary()?;
        while let Some(op @ (b'*' | b'/')) = self.peek() {
            self.at += 1;
            let r = self.unary()?;
            v = if op == b'*' { v * r } else { v / r };
        }
        Ok(v)
    }

    fn unary(&mut self) -> Result<f64, String> {
        match self.peek() {
            Some(b'-') => {
                self.at += 1;
                Ok(-self.unary()?)
            }
            Some(b'+') => {
                self.at += 1;
                self.unary()
            }
            _ => self.power(),
        }
    }

    fn power(&mut self) -> Result<f64, String> {
        let base = self.atom()?;
        if self.peek() == Some(b'^') {
            self.at += 1;
            let exp = self.unary()?;
            return Ok(base.powf(exp));
        }
        Ok(base)
    }

    fn atom(&mut self) -> Result<f64, String> {
        match self.peek() {
            None => Err("the expression ends too early".into()),
            Some(b'(') => {
                self.at += 1;
                let v = self.sum()?;
                if self.peek() != Some(b')') {
                    return Err(format!("a ')' is missing at character {}", self.at + 1));
                }
                self.at += 1;
                Ok(v)
            }
            Some(c) if c.is_ascii_digit() || c == b'.' => {
                let start = self.at;
                while self
                    .s
                    .get(self.at)
                    .is_some_and(|c| c.is_ascii_digit() || *c == b'.')
                {
                    self.at += 1;
                }
                // An exponent: 1e5, 2.5E-3.
                if matches!(self.s.get(self.at), Some(b'e' | b'E'))
                    && self
                        .s
                        .get(self.at + 1)
                        .is_some_and(|c| c.is_ascii_digit() || *c == b'-' || *c == b'+')
                {
                    self.at += 2;
                    while self.s.get(self.at).is_some_and(|c| c.is_ascii_digit()) {
                        self.at += 1;
                    }
                }
                let text = std::str::from_utf8(&self.s[start..self.at]).unwrap_or_default();
                text.parse::<f64>()
                    .map_err(|_| format!("'{text}' is not a number"))
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let start = self.at;
                while self
                    .s
                    .get(self.at)
                    .is_some_and(|c| c.is_ascii_alphanumeric())
                {
                    self.at += 1;
                }
                let name = std::str::from_utf8(&self.s[start..self.at])
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                match name.as_str() {
                    "pi" => return Ok(std::f64::consts::PI),
                    "e" => return Ok(std::f64::consts::E),
                    _ => {}
                }
                let f: fn(f64) -> f64 = match name.as_str() {
                    "ln" => f64::ln,
                    "log10" => f64::log10,
                    "exp" => f64::exp,
                    "sqrt" => f64::sqrt,
                    "log" => {
                        return Err(
                            "'log' is ambiguous (natural in R, base 10 in Excel): write ln(...) or log10(...)".into(),
                        );
                    }
                    _ => return Err(format!("unknown function or name '{name}'")),
                };
                if self.peek() != Some(b'(') {
                    return Err(format!("{name} needs parentheses: {name}(...)"));
                }
                let v = self.atom()?;
                Ok(f(v))
            }
            Some(c) => Err(format!(
                "unexpected '{}' at character {}",
                c as char,
                self.at + 1
            )),
        }
    }
}

const EXPRESSION_HELP: &str =
    "a number, or an expression of numbers, + - * / ^, parentheses, ln, log10, exp, sqrt";

fn expression_error<E: de::Error>(text: &str, why: &str) -> E {
    let shown: String = text.chars().take(60).collect();
    E::custom(format!(
        "\"{shown}\" is not {EXPRESSION_HELP} ({why}); e.g. lower = \"ln(100)\", or the number itself: lower = 4.605170185988092"
    ))
}

struct NumberOrExpression;

impl Visitor<'_> for NumberOrExpression {
    type Value = f64;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(EXPRESSION_HELP)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
        evaluate(v).map_err(|why| expression_error(v, &why))
    }
}

/// Deserialises a number given as a number or as an expression string.
pub fn number<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    d.deserialize_any(NumberOrExpression)
}

/// As [`number`], for optional keys.
pub fn optional_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    number(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_evaluate_as_written() {
        assert_eq!(evaluate("ln(100)").unwrap(), 100f64.ln());
        assert_eq!(evaluate(" ln( 75000 ) ").unwrap(), 75000f64.ln());
        assert_eq!(evaluate("1 + 2 * 3").unwrap(), 7.0);
        assert_eq!(evaluate("(1 + 2) * 3").unwrap(), 9.0);
        assert_eq!(evaluate("-2^2").unwrap(), -4.0);
        assert_eq!(evaluate("2^-1").unwrap(), 0.5);
        assert_eq!(evaluate("10 / 4 - 1").unwrap(), 1.5);
        assert_eq!(evaluate("1e3").unwrap(), 1000.0);
        assert_eq!(evaluate("2.5E-1").unwrap(), 0.25);
        assert_eq!(evaluate("log10(1000)").unwrap(), 3.0);
        assert_eq!(evaluate("exp(0) + sqrt(16)").unwrap(), 5.0);
    }

    #[test]
    fn bad_expressions_say_why() {
        assert!(evaluate("log(100)").unwrap_err().contains("ambiguous"));
        assert!(
            evaluate("ln(0)")
                .unwrap_err()
                .contains("not a finite number")
        );
        assert!(evaluate("1 +").unwrap_err().contains("ends too early"));
        assert!(evaluate("(1").unwrap_err().contains("')' is missing"));
        assert!(evaluate("foo(2)").unwrap_err().contains("unknown"));
        assert!(evaluate("2 3").unwrap_err().contains("unexpected '3'"));
        assert!(evaluate("ln 100").unwrap_err().contains("parentheses"));
        assert!(evaluate("").is_err());
    }
}

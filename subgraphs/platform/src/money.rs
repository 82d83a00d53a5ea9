//! Money as the contract shows it: a decimal string amount and an ISO 4217 currency. Stored as
//! integer minor units (cents) so arithmetic is exact.

use async_graphql::{InputObject, SimpleObject};

use crate::error::AppError;

/// An amount of money.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
#[graphql(shareable)]
pub struct Money {
    /// Decimal string with two fraction digits, e.g. `"85000.00"`.
    pub amount: String,
    /// ISO 4217 code, e.g. `EUR`.
    pub currency: String,
}

/// Money given by a client.
#[derive(InputObject, Clone, Debug, serde::Serialize)]
pub struct MoneyInput {
    /// Decimal string, at most two fraction digits.
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
}

impl Money {
    /// From minor units.
    pub fn from_minor(minor: i64, currency: &str) -> Self {
        let sign = if minor < 0 { "-" } else { "" };
        let abs = minor.unsigned_abs();
        Self {
            amount: format!("{sign}{}.{:02}", abs / 100, abs % 100),
            currency: currency.to_owned(),
        }
    }
}

impl MoneyInput {
    /// Validates and converts to (minor units, currency).
    pub fn to_minor(&self) -> Result<(i64, String), AppError> {
        let cur = self.currency.trim();
        if cur.len() != 3 || !cur.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(AppError::bad_input("currency must be a three-letter ISO 4217 code"));
        }
        Ok((parse_minor(&self.amount)?, cur.to_owned()))
    }
}

/// Parses `"1234.5"` into 123450 minor units; refuses more than two decimals or junk.
pub fn parse_minor(amount: &str) -> Result<i64, AppError> {
    let bad = || AppError::bad_input(format!("amount {amount:?} is not a decimal with at most two fraction digits"));
    let s = amount.trim();
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty()
        || int.len() > 13
        || !int.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let whole: i64 = int.parse().map_err(|_| bad())?;
    let cents: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().map_err(|_| bad())?
    };
    let v = whole * 100 + cents;
    Ok(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats() {
        assert_eq!(parse_minor("85000").expect("ok"), 8_500_000);
        assert_eq!(parse_minor("12.5").expect("ok"), 1250);
        assert_eq!(parse_minor("-0.07").expect("ok"), -7);
        for bad in ["", "1.234", "abc", "1e5", ".5", "1.-2"] {
            assert!(parse_minor(bad).is_err(), "{bad}");
        }
        assert_eq!(Money::from_minor(8_500_000, "EUR").amount, "85000.00");
        assert_eq!(Money::from_minor(-7, "EUR").amount, "-0.07");
    }
}

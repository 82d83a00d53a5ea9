//! Scalars and id helpers shared by the subgraphs.

use async_graphql::{ID, InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;
use uuid::Uuid;

use crate::error::AppError;

/// A calendar date, `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct Date(pub NaiveDate);

#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| InputValueError::custom("expected a date as YYYY-MM-DD")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

impl From<NaiveDate> for Date {
    fn from(d: NaiveDate) -> Self {
        Self(d)
    }
}

/// Parses a GraphQL `ID` holding a UUID; BAD_USER_INPUT otherwise.
pub fn parse_id(id: &ID) -> Result<Uuid, AppError> {
    Uuid::parse_str(id.as_str()).map_err(|_| AppError::bad_input(format!("{:?} is not a valid id", id.as_str())))
}

/// A UUID as a GraphQL `ID`.
pub fn to_id(id: Uuid) -> ID {
    ID(id.to_string())
}

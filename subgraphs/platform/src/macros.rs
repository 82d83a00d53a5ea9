//! Declarative helpers shared by the subgraphs' models.

/// Declares a GraphQL enum stored as text: the enum (derives `async_graphql::Enum`, serde
/// `Serialize` in SCREAMING_SNAKE_CASE) plus `as_str` and `parse` for the database form.
#[macro_export]
macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(::async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Hash, ::serde::Serialize)]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            /// The database and wire form.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
            /// Parses the database form.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some(Self::$variant),)+ _ => None }
            }
        }
    };
}

/// Implements [`FetchById`](crate::loader::FetchById) for a row type with an `id` column loaded
/// from `$table` (the caller imports `diesel::prelude::*` and `diesel_async::RunQueryDsl`).
#[macro_export]
macro_rules! fetch_by_id {
    ($row:ty, $table:ident) => {
        impl $crate::loader::FetchById for $row {
            fn id(&self) -> ::uuid::Uuid {
                self.id
            }
            async fn fetch(c: &mut $crate::Conn, ids: Vec<::uuid::Uuid>) -> Result<Vec<Self>, $crate::AppError> {
                Ok($table::table
                    .filter($table::id.eq_any(ids))
                    .select(<$row>::as_select())
                    .load(c)
                    .await?)
            }
        }
    };
}

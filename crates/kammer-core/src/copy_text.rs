//! Rows in PostgreSQL's COPY text format, and sending them: the fast path for bulk loads
//! (the demo seed, the Handwerksrolle import's staging table). One escaping rule, here.

use sqlx::PgConnection;

use crate::Result;

/// What one `send` carries: large enough to keep the server busy, small enough for memory.
pub(crate) const COPY_CHUNK: usize = 1 << 20;

/// Appends one field in COPY text format.
fn field(buf: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '\\' => buf.push_str("\\\\"),
            '\t' => buf.push_str("\\t"),
            '\n' => buf.push_str("\\n"),
            '\r' => buf.push_str("\\r"),
            _ => buf.push(c),
        }
    }
}

/// A row builder for COPY text format.
pub(crate) struct Rows {
    pub(crate) buf: String,
    first: bool,
}

impl Rows {
    pub(crate) fn new() -> Self {
        Rows {
            buf: String::new(),
            first: true,
        }
    }
    pub(crate) fn col(&mut self, value: &str) -> &mut Self {
        if !self.first {
            self.buf.push('\t');
        }
        self.first = false;
        field(&mut self.buf, value);
        self
    }
    pub(crate) fn null(&mut self) -> &mut Self {
        if !self.first {
            self.buf.push('\t');
        }
        self.first = false;
        self.buf.push_str("\\N");
        self
    }
    pub(crate) fn opt(&mut self, value: Option<&str>) -> &mut Self {
        match value {
            Some(v) => self.col(v),
            None => self.null(),
        }
    }
    pub(crate) fn end(&mut self) {
        self.buf.push('\n');
        self.first = true;
    }
}

/// Sends `data` (whole rows) to a `COPY … FROM STDIN` statement; the number of rows copied.
pub(crate) async fn copy(conn: &mut PgConnection, statement: &str, data: &str) -> Result<u64> {
    let mut copy = conn.copy_in_raw(statement).await?;
    for chunk in data.as_bytes().chunks(COPY_CHUNK) {
        copy.send(chunk).await?;
    }
    Ok(copy.finish().await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_fields_are_escaped() {
        let mut r = Rows::new();
        r.col("a\tb\\c\nd").null();
        r.end();
        assert_eq!(r.buf, "a\\tb\\\\c\\nd\t\\N\n");
    }
}

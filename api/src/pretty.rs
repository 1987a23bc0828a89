//! `?pretty` output as Elasticsearch writes it.
//!
//! Elasticsearch pretty-prints with Jackson's `DefaultPrettyPrinter`, indenting
//! objects and arrays alike by two spaces, separating keys from values with
//! `" : "` and writing empty containers as `{ }` and `[ ]`. serde_json's own
//! pretty printer differs in the last two, so clients that compare bodies
//! would see a difference; this formatter closes it.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::Formatter;

/// Serializes `value` the way Elasticsearch answers `?pretty`, including the
/// trailing line feed it appends.
pub fn to_vec_pretty<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(256);
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, JacksonPretty::default());
    value.serialize(&mut serializer)?;
    out.push(b'\n');
    Ok(out)
}

#[derive(Default)]
struct JacksonPretty {
    depth: usize,
    has_value: bool,
}

impl JacksonPretty {
    fn newline_indent<W: ?Sized + Write>(&self, w: &mut W) -> io::Result<()> {
        w.write_all(b"\n")?;
        for _ in 0..self.depth {
            w.write_all(b"  ")?;
        }
        Ok(())
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.newline_indent(w)?;
        } else {
            w.write_all(b" ")?;
        }
        w.write_all(bracket)
    }

    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn element<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        self.newline_indent(w)
    }
}

impl Formatter for JacksonPretty {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.element(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.element(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b" : ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::to_vec_pretty;

    fn pretty(value: serde_json::Value) -> String {
        String::from_utf8(to_vec_pretty(&value).unwrap()).unwrap()
    }

    #[test]
    fn nested_objects_and_arrays_indent_by_two() {
        let text = pretty(json!({"_nodes": {"total": 1, "failures": [{"type": "x"}]}, "roles": ["a", "b"]}));
        assert_eq!(
            text,
            "{\n  \"_nodes\" : {\n    \"total\" : 1,\n    \"failures\" : [\n      {\n        \"type\" : \"x\"\n      }\n    ]\n  },\n  \"roles\" : [\n    \"a\",\n    \"b\"\n  ]\n}\n"
        );
    }

    #[test]
    fn empty_containers_have_a_space_inside() {
        assert_eq!(pretty(json!({"nodes": {}, "tokens": []})), "{\n  \"nodes\" : { },\n  \"tokens\" : [ ]\n}\n");
        assert_eq!(pretty(json!({})), "{ }\n");
    }
}

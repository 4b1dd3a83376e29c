//! Reading XML answers: a reader of its own, made for the shapes TOP writes, and shaped
//! like JSON for the lenient reader above it.
//!
//! - An element holding text is that text (trimmed of XML whitespace, its character and
//!   predefined entity references resolved, CDATA sections joined in, line ends made
//!   `\n`), borrowed from the input where nothing had to be changed; an empty element is
//!   the empty text.
//! - An element holding elements is a map of its children by name, in document order
//!   (text between them, attributes, comments and processing instructions are not values).
//! - Asked for a sequence, the value of a map's entry is the run of sibling elements of that
//!   name, starting with the entry's own: a list wrapper's repeated children.
//! - Every read can be resumed: whatever a value leaves unread, because it failed or was not
//!   wanted, is skipped before the next key, so that one value that does not fit costs that
//!   value alone.
//! - The document must be well formed as far as it is read: each end tag closes the element
//!   it names, and the input does not end inside an element.
//!
//! Nothing is buffered but a text that had to be changed: every value streams from the
//! document, one event looked ahead. Markup is found by searching for its delimiters
//! (`<`, `>`, quotes); names are not checked against XML's grammar, only matched start to
//! end. (quick-xml's event reader, used at first, checks each event's bytes as UTF-8
//! again, a sixth of a decode, where the input is already text; xmlparser checks every
//! name's characters one by one, a half. BENCHMARKS.md has the figures.)

use std::borrow::Cow;
use std::fmt;

use quick_xml::DeError;
use serde::de::value::{BorrowedStrDeserializer, CowStrDeserializer};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::forward_to_deserialize_any;

/// How deep elements may nest where the type reads them as values (a self-describing type
/// such as `serde_json::Value` follows the document): deeper is an error, never a stack
/// overflow. Skipped elements may nest deeper; skipping does not recurse.
const MAX_DEPTH: usize = 128;

/// What the reader hands on: the markup that carries content.
enum Event<'a> {
    /// A start tag (or an empty element's tag, whose end follows), by name.
    Start(&'a str),
    End,
    /// Text as written, references unresolved.
    Text(&'a str),
    /// A CDATA section's content.
    CData(&'a str),
    Eof,
}

/// The document, where reading has got to, one event looked ahead, and how many elements
/// are open.
pub(crate) struct Reader<'a> {
    text: &'a str,
    pos: usize,
    peeked: Option<Event<'a>>,
    /// The elements opened and not yet closed as read from the tokenizer, innermost last.
    open: Vec<&'a str>,
    /// An empty element's tag was read: its end comes next.
    empty: bool,
    /// How many elements are open as handed on (one event behind `open` at most).
    depth: usize,
    root_name: &'a str,
}

/// What an opened element holds.
enum Content<'a> {
    /// Its text, the end tag read.
    Text(Cow<'a, str>),
    /// Child elements, the first not yet read.
    Children,
}

impl<'a> Reader<'a> {
    /// A reader of `text` whose root element's start tag has been read: its name is
    /// [`Reader::root_name`], its content [`Reader::root`].
    pub(crate) fn open(text: &'a str) -> Result<Reader<'a>, DeError> {
        let mut reader = Reader::new(text);
        reader.open_root()?;
        Ok(reader)
    }

    fn new(text: &'a str) -> Reader<'a> {
        Reader { text, pos: 0, peeked: None, open: Vec::new(), empty: false, depth: 0, root_name: "" }
    }

    /// Reads up to the root element's start tag.
    fn open_root(&mut self) -> Result<(), DeError> {
        loop {
            match self.next()? {
                Event::Start(name) => {
                    self.root_name = name;
                    return Ok(());
                }
                Event::Eof => return Err(DeError::Custom("the answer has no root element".to_owned())),
                _ => {}
            }
        }
    }

    pub(crate) fn root_name(&self) -> &'a str {
        self.root_name
    }

    /// The root element's content.
    pub(crate) fn root(&mut self) -> Element<'_, 'a> {
        let name = self.root_name;
        Element { reader: self, name }
    }

    /// The next event that carries content: the declaration, comments, processing
    /// instructions and a doctype are passed over. The input ending inside an element or a
    /// tag, or an end tag that does not close the element open, is an error.
    fn read(&mut self) -> Result<Event<'a>, DeError> {
        if std::mem::take(&mut self.empty) {
            self.open.pop();
            return Ok(Event::End);
        }
        let text = self.text;
        loop {
            let rest = &text[self.pos..];
            let bytes = rest.as_bytes();
            if bytes.is_empty() {
                return if self.open.is_empty() { Ok(Event::Eof) } else { Err(unclosed()) };
            }
            if bytes[0] != b'<' {
                let end = memchr::memchr(b'<', bytes).unwrap_or(bytes.len());
                self.pos += end;
                return Ok(Event::Text(&rest[..end]));
            }
            match bytes.get(1) {
                Some(b'/') => {
                    let open = self.open.pop().unwrap_or_default();
                    // `</name>`, as written nearly always; then `</name >`, or a mismatch.
                    let close = match bytes[2..].strip_prefix(open.as_bytes()) {
                        Some([b'>', ..]) => 2 + open.len(),
                        _ => memchr::memchr(b'>', bytes).ok_or_else(unclosed)?,
                    };
                    self.pos += close + 1;
                    let name = rest[2..close].trim_end_matches(is_xml_space);
                    return match name == open && !open.is_empty() {
                        true => Ok(Event::End),
                        false if open.is_empty() => Err(malformed(format_args!("`</{name}>` closes nothing"))),
                        false => Err(malformed(format_args!("`</{name}>` closes `<{open}>`"))),
                    };
                }
                Some(b'!') if rest.starts_with("<![CDATA[") => {
                    let close = rest.find("]]>").ok_or_else(unclosed)?;
                    self.pos += close + 3;
                    return Ok(Event::CData(&rest[9..close]));
                }
                Some(b'!') if rest.starts_with("<!--") => {
                    self.pos += 4 + rest[4..].find("-->").ok_or_else(unclosed)? + 3;
                }
                // A doctype, brackets and all.
                Some(b'!') => self.pos += skip_doctype(bytes).ok_or_else(unclosed)?,
                Some(b'?') => self.pos += rest.find("?>").ok_or_else(unclosed)? + 2,
                Some(_) => {
                    let name_end = bytes[1..]
                        .iter()
                        .position(|&b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'/' | b'>'))
                        .ok_or_else(unclosed)?
                        + 1;
                    let name = &rest[1..name_end];
                    if name.is_empty() {
                        return Err(malformed(format_args!("a tag without a name")));
                    }
                    let close = tag_end(&bytes[name_end..]).ok_or_else(unclosed)? + name_end;
                    self.pos += close + 1;
                    self.open.push(name);
                    self.empty = bytes[close - 1] == b'/';
                    return Ok(Event::Start(name));
                }
                None => return Err(unclosed()),
            }
        }
    }

    fn peek(&mut self) -> Result<&Event<'a>, DeError> {
        let event = match self.peeked.take() {
            Some(event) => event,
            None => self.read()?,
        };
        Ok(self.peeked.insert(event))
    }

    fn next(&mut self) -> Result<Event<'a>, DeError> {
        let event = match self.peeked.take() {
            Some(event) => event,
            None => self.read()?,
        };
        match event {
            Event::Start(_) => self.depth += 1,
            Event::End => self.depth -= 1,
            _ => {}
        }
        Ok(event)
    }

    /// Reads on until no more than `depth` elements are open: the rest of an element a
    /// value left unread.
    fn skip_to(&mut self, depth: usize) -> Result<(), DeError> {
        while self.depth > depth {
            if let Event::Eof = self.next()? {
                return Err(unclosed());
            }
        }
        Ok(())
    }

    /// The content of the element just opened: its text, up to and including its end tag,
    /// or word that child elements come (text before them is passed over).
    fn content(&mut self) -> Result<Content<'a>, DeError> {
        let mut text: Option<Cow<'a, str>> = None;
        loop {
            let piece = match self.next()? {
                Event::Start(name) => {
                    // Put back: the children are read as a map.
                    self.depth -= 1;
                    self.peeked = Some(Event::Start(name));
                    return Ok(Content::Children);
                }
                Event::End => return Ok(Content::Text(trim(text.unwrap_or(Cow::Borrowed(""))))),
                Event::Eof => return Err(unclosed()),
                Event::Text(raw) => unescape(raw),
                Event::CData(raw) => end_of_lines(raw),
            };
            text = Some(match text {
                None => piece,
                Some(mut text) => {
                    text.to_mut().push_str(&piece);
                    text
                }
            });
        }
    }
}

#[cold]
fn unclosed() -> DeError {
    DeError::Custom("malformed XML: the answer ends before every element is closed: an element not closed".to_owned())
}

#[cold]
fn malformed(what: fmt::Arguments<'_>) -> DeError {
    DeError::Custom(format!("malformed XML: {what}"))
}

/// Where a start tag's `>` is, in the bytes after its name: attribute values are quoted,
/// and may hold `>`.
fn tag_end(bytes: &[u8]) -> Option<usize> {
    let mut at = 0;
    loop {
        at += memchr::memchr3(b'>', b'"', b'\'', &bytes[at..])?;
        match bytes[at] {
            b'>' => return Some(at),
            quote => at += 1 + memchr::memchr(quote, &bytes[at + 1..])? + 1,
        }
    }
}

/// The length of a `<!DOCTYPE …>`, whose internal subset in brackets may hold `>`.
fn skip_doctype(bytes: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    for (at, &b) in bytes.iter().enumerate() {
        match b {
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b'>' if depth == 0 => return Some(at + 1),
            _ => {}
        }
    }
    None
}

/// Text as XML reads it: references resolved, line ends made `\n`.
fn unescape(raw: &str) -> Cow<'_, str> {
    if !raw.bytes().any(|b| b == b'&' || b == b'\r') {
        return Cow::Borrowed(raw);
    }
    let raw = end_of_lines(raw);
    let mut out = String::with_capacity(raw.len());
    let mut rest = &*raw;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match rest.find(';').and_then(|end| Some((resolve(&rest[1..end])?, end))) {
            Some((ch, end)) => {
                out.push(ch);
                rest = &rest[end + 1..];
            }
            // Any other reference is kept as written, so that nothing is lost.
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// A character reference (`#38`, `#x26`) or one of XML's five entities.
fn resolve(reference: &str) -> Option<char> {
    let code = match reference {
        "lt" => return Some('<'),
        "gt" => return Some('>'),
        "amp" => return Some('&'),
        "apos" => return Some('\''),
        "quot" => return Some('"'),
        _ => match reference.strip_prefix("#x") {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => reference.strip_prefix('#')?.parse().ok()?,
        },
    };
    char::from_u32(code).filter(|&ch| ch != '\0')
}

/// `\r\n` and a lone `\r` made `\n`, as XML reads line ends.
fn end_of_lines(raw: &str) -> Cow<'_, str> {
    if raw.contains('\r') {
        Cow::Owned(raw.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(raw)
    }
}

fn is_xml_space(ch: char) -> bool {
    matches!(ch, ' ' | '\t' | '\r' | '\n')
}

fn trim(text: Cow<'_, str>) -> Cow<'_, str> {
    match text {
        Cow::Borrowed(text) => Cow::Borrowed(text.trim_matches(is_xml_space)),
        Cow::Owned(text) => match text.trim_matches(is_xml_space) {
            trimmed if trimmed.len() == text.len() => Cow::Owned(text),
            trimmed => Cow::Owned(trimmed.to_owned()),
        },
    }
}

/// The content of an element whose start tag has been read.
pub(crate) struct Element<'r, 'a> {
    reader: &'r mut Reader<'a>,
    /// Its name, for a run of siblings of that name.
    name: &'a str,
}

impl<'de> Deserializer<'de> for Element<'_, 'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.reader.content()? {
            Content::Text(Cow::Borrowed(text)) => visitor.visit_borrowed_str(text),
            Content::Text(Cow::Owned(text)) => visitor.visit_string(text),
            Content::Children if self.reader.depth > MAX_DEPTH => {
                Err(DeError::Custom(format!("elements nested more than {MAX_DEPTH} deep")))
            }
            Content::Children => {
                let depth = self.reader.depth;
                visitor.visit_map(Children { reader: self.reader, depth, key: None })
            }
        }
    }

    /// The run of sibling elements of this element's name, this one first.
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let parent = self.reader.depth.saturating_sub(1);
        visitor.visit_seq(Run { reader: self.reader, name: self.name, parent, first: true })
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self.reader.content()? {
            Content::Text(text) => visitor.visit_enum(CowStrDeserializer::<DeError>::new(text)),
            Content::Children => Err(de::Error::invalid_type(de::Unexpected::Map, &visitor)),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let outer = self.reader.depth.saturating_sub(1);
        self.reader.skip_to(outer)?;
        visitor.visit_unit()
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct tuple map tuple_struct struct identifier
    }
}

/// An element's children, each a key (its name) and a value (its content).
struct Children<'r, 'a> {
    reader: &'r mut Reader<'a>,
    /// The depth of the element whose children these are.
    depth: usize,
    /// The name of the child whose value is read next.
    key: Option<&'a str>,
}

impl<'de> MapAccess<'de> for Children<'_, 'de> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        // Whatever the last value left unread (or the last key's value, never asked for).
        self.reader.skip_to(self.depth)?;
        loop {
            match self.reader.next()? {
                Event::Start(name) => {
                    self.key = Some(name);
                    return seed.deserialize(BorrowedStrDeserializer::new(name)).map(Some);
                }
                Event::End => return Ok(None),
                Event::Eof => return Err(unclosed()),
                _ => {}
            }
        }
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, DeError> {
        match self.key.take() {
            Some(name) => seed.deserialize(Element { reader: self.reader, name }),
            None => Err(DeError::KeyNotRead),
        }
    }
}

/// A run of sibling elements of one name, the first already opened.
struct Run<'r, 'a> {
    reader: &'r mut Reader<'a>,
    name: &'a str,
    /// The depth of the elements' parent.
    parent: usize,
    first: bool,
}

impl<'de> SeqAccess<'de> for Run<'_, 'de> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, DeError> {
        if !std::mem::take(&mut self.first) {
            // Whatever the last element left unread, then the next sibling if it has the name.
            self.reader.skip_to(self.parent)?;
            loop {
                match self.reader.peek()? {
                    Event::Start(name) if *name == self.name => break,
                    Event::Text(_) | Event::CData(_) => {}
                    _ => return Ok(None),
                }
                self.reader.next()?;
            }
            self.reader.next()?;
        }
        seed.deserialize(Element { reader: self.reader, name: self.name }).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn read(text: &str) -> Result<Value, DeError> {
        Value::deserialize(Reader::open(text)?.root())
    }

    use serde::Deserialize;

    #[test]
    fn text_is_read_as_xml_says() {
        let doc = "<?xml version=\"1.0\" encoding=\"utf-8\" ?>\n<!DOCTYPE r [<!ENTITY x \"y\">]>\n\
                   <r>\n  <plain>  a b  </plain>\n  <escaped>x &amp; y &lt;z&gt; &quot;&apos; &#38;&#x4e2d;</escaped>\
                   <unknown>&nbsp;&amp</unknown><cdata>a<![CDATA[<b> & ]]>c</cdata>\
                   <commented>a<!-- > -->b<?pi x?>c</commented><lines>a\r\nb\rc</lines>\
                   <empty/><empty2 a=\"1\"></empty2><attrs k='>' j=\"/>\">v</attrs></r><!--top01-->";
        assert_eq!(
            read(doc).unwrap(),
            json!({
                "plain": "a b", "escaped": "x & y <z> \"' &中", "unknown": "&nbsp;&amp",
                "cdata": "a<b> & c", "commented": "abc", "lines": "a\nb\nc",
                "empty": "", "empty2": "", "attrs": "v",
            })
        );
    }

    #[test]
    fn a_wrapper_s_children_are_a_run_and_the_rest_is_skipped() {
        #[derive(Deserialize, Debug, PartialEq)]
        struct Doc {
            #[serde(rename = "list")]
            list: Wrapper,
            after: String,
        }
        #[derive(Deserialize, Debug, PartialEq)]
        struct Wrapper {
            item: Vec<Value>,
            other: String,
        }
        let mut reader = Reader::open(
            "<r><list k=\"v\"> <item>1</item>\n<item><a>2</a><b/></item><!-- c --><item/><other> x </other></list><after>z</after></r>",
        ).unwrap();
        let doc = Doc::deserialize(reader.root()).unwrap();
        assert_eq!(doc.list.item, [json!("1"), json!({"a": "2", "b": ""}), json!("")]);
        assert_eq!((doc.list.other.as_str(), doc.after.as_str()), ("x", "z"));
    }

    #[test]
    fn what_is_not_well_formed_is_an_error_never_a_panic() {
        for (doc, says) in [
            ("<r><a>1</b></r>", "`</b>` closes `<a>`"),
            ("<r><a>1</a>", "not closed"),
            ("<r><a", "not closed"),
            ("<r><a x=\"1>", "not closed"),
            ("<r><!-- x", "not closed"),
            ("<r><![CDATA[x", "not closed"),
            ("<r>< a/></r>", "without a name"),
            ("</r>", "`</r>` closes nothing"),
            ("", "no root element"),
            ("text", "no root element"),
        ] {
            let err = read(doc).unwrap_err().to_string();
            assert!(err.contains(says), "{doc:?}: {err}");
        }
        // A prefixed name and a space before `>` close as written.
        assert_eq!(read("<r><p:a>1</p:a ></r>").unwrap(), json!({"p:a": "1"}));
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_an_error_and_skipping_it_is_not() {
        let deep = format!("<r>{}{}</r>", "<a>".repeat(200), "</a>".repeat(200));
        assert!(read(&deep).unwrap_err().to_string().contains("nested"));
        #[derive(Deserialize)]
        struct Nothing {}
        let mut reader = Reader::open(&deep).unwrap();
        assert!(Nothing::deserialize(reader.root()).is_ok());
    }

    /// A tree of elements: text leaves, and objects of distinct names.
    fn tree() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        // Text as it survives XML: no leading or trailing space, no carriage return.
        let leaf = "[^\r\u{0}]{0,12}".prop_map(|s: String| Value::String(s.trim_matches(is_xml_space).to_owned()));
        leaf.prop_recursive(4, 40, 6, |inner| {
            proptest::collection::btree_map("[a-z_][a-z0-9_]{0,6}", inner, 1..6)
                .prop_map(|map| Value::Object(map.into_iter().collect()))
        })
    }

    /// Writes `value` as `<name>`, text escaped by quick-xml, CDATA, a comment or
    /// whitespace around it as `style` says.
    fn write(out: &mut String, name: &str, value: &Value, style: u8) {
        out.push_str(&format!("<{name}{}>", if style.is_multiple_of(3) { " a=\"1 > 0\"" } else { "" }));
        match value {
            Value::String(text) if style % 4 == 1 && !text.contains("]]>") => {
                out.push_str(&format!("<![CDATA[{text}]]>"));
            }
            Value::String(text) => out.push_str(&quick_xml::escape::escape(text.as_str())),
            Value::Object(map) => {
                for (key, value) in map {
                    out.push_str(if style.is_multiple_of(2) { "\n  " } else { "<!-- c -->" });
                    write(out, key, value, style.wrapping_mul(7).wrapping_add(key.len() as u8));
                }
            }
            _ => unreachable!("the tree has text and objects only"),
        }
        out.push_str(&format!("</{name}>"));
    }

    /// Documents made of markup's pieces in any order.
    fn markup() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let piece = proptest::sample::select(vec![
            "<",
            ">",
            "/",
            "</",
            "/>",
            "<a>",
            "</a>",
            "<b x='>'>",
            "</b>",
            "<a/>",
            "<!--",
            "-->",
            "<![CDATA[",
            "]]>",
            "<?",
            "?>",
            "<!DOCTYPE [",
            "]",
            "&",
            "&amp;",
            "&#x",
            "&#",
            ";",
            "\"",
            "'",
            "=",
            " ",
            "\r\n",
            "中",
            "x",
            "<r>",
            "</r>",
        ]);
        proptest::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
    }

    proptest::proptest! {
        #[test]
        fn any_markup_reads_or_fails_and_never_panics(doc in markup()) {
            #[derive(Deserialize)]
            #[allow(dead_code)]
            struct Typed {
                a: Option<String>,
                b: Option<Vec<Value>>,
            }
            let _ = read(&doc);
            if let Ok(mut reader) = Reader::open(&doc) {
                let _ = Typed::deserialize(reader.root());
            }
        }

        #[test]
        fn any_tree_written_as_xml_reads_back_the_same(value in tree(), style in 0u8..12) {
            let mut doc = String::from("<?xml version=\"1.0\"?>");
            write(&mut doc, "root", &value, style);
            doc.push_str("<!--top-->");
            proptest::prop_assert_eq!(read(&doc).unwrap(), value);
        }
    }
}

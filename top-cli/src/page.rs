//! Reading an API's documentation page, in the format of the TOP site's pages as saved in
//! text: the title, the request and response tables, the request example
//! (which shows whether a session is needed) and the XML example answer (which settles how
//! the response fields nest, where the table leaves it ambiguous).

use std::fmt;

/// A page, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The method, such as `taobao.baodian.deposit.get`.
    pub method: String,
    /// The title in parentheses after the method, such as `宝点用户帐户查询(已迁移)`.
    pub title: String,
    /// The line under the title.
    pub summary: String,
    /// True when the request example passes a session (`execute(req, sessionKey)`).
    pub session: bool,
    /// The request params, in order.
    pub params: Vec<RequestParam>,
    /// The response table's rows, in order.
    pub fields: Vec<ResponseField>,
    /// The XML example answer.
    pub example: Element,
    /// The XML example answer's text, as printed.
    pub example_xml: Option<String>,
}

/// A row of the request table.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestParam {
    pub name: String,
    pub ty: TopType,
    pub required: bool,
    pub example: Option<String>,
    pub description: String,
    pub line: usize,
}

/// A row of the response table.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseField {
    pub name: String,
    pub ty: TopType,
    pub example: Option<String>,
    pub description: String,
    pub line: usize,
}

/// A type as the tables write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopType {
    String,
    Number,
    Boolean,
    Date,
    /// `Price` and other decimal amounts: kept as text, exact.
    Price,
    /// A structured type, by its name on the page (`IdlePointResult`).
    Object(String),
    /// `String []`, `MarkItem []`.
    List(Box<TopType>),
}

impl TopType {
    /// The name of the type, or of a list's items: `MarkItem` for `MarkItem []`.
    pub fn item_name(&self) -> String {
        match self {
            TopType::String => "String".into(),
            TopType::Number => "Number".into(),
            TopType::Boolean => "Boolean".into(),
            TopType::Date => "Date".into(),
            TopType::Price => "Price".into(),
            TopType::Object(name) => name.clone(),
            TopType::List(item) => item.item_name(),
        }
    }

    /// Reads `String`, `Number`, `MarkItem []`, …; `None` for what is not a type.
    pub fn parse(text: &str) -> Option<TopType> {
        let text = text.trim();
        if let Some(item) = text.strip_suffix("[]") {
            let item = TopType::parse(item)?;
            return (!matches!(item, TopType::List(_))).then(|| TopType::List(Box::new(item)));
        }
        Some(match text {
            "String" => TopType::String,
            "Number" => TopType::Number,
            "Boolean" => TopType::Boolean,
            "Date" => TopType::Date,
            "Price" => TopType::Price,
            _ if is_type_name(text) => TopType::Object(text.to_owned()),
            _ => return None,
        })
    }
}

fn is_type_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase()) && chars.all(|c| c.is_ascii_alphanumeric())
}

fn is_field_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// An element of the XML example.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    pub name: String,
    pub children: Vec<Element>,
    pub text: String,
}

/// What is wrong with a page, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageError {
    /// The line at fault, from 1.
    pub line: usize,
    /// What was wrong or missing.
    pub message: String,
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for PageError {}

fn error<T>(line: usize, message: impl Into<String>) -> Result<T, PageError> {
    Err(PageError { line, message: message.into() })
}

const REQUEST: &str = "请求参数";
const RESPONSE: &str = "响应参数";
const REQUEST_EXAMPLE: &str = "请求示例";
const RESPONSE_EXAMPLE: &str = "响应示例";
const ERROR_EXAMPLE: &str = "异常示例";

/// Reads a page.
///
/// # Errors
///
/// A [`PageError`] naming the line and what was missing or wrong: no title, a missing
/// section, a row that does not read, an XML example that is malformed or disagrees with
/// the table.
pub fn parse(text: &str) -> Result<Page, PageError> {
    let lines: Vec<&str> = text.lines().collect();
    let last = lines.len().max(1);

    // The title: `method (标题)`, after an optional breadcrumb.
    let (title_at, method, title) = lines
        .iter()
        .enumerate()
        .take(10)
        .find_map(|(i, line)| {
            let (method, rest) = line.trim().split_once(' ')?;
            let title = rest.trim().strip_prefix('(')?.strip_suffix(')')?;
            let dotted = method.split('.').count() >= 2
                && method.split('.').all(|s| {
                    !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                });
            dotted.then(|| (i, method.to_owned(), title.to_owned()))
        })
        .map_or_else(
            || error(1, "no title like `taobao.time.get (获取时间)` in the first lines: not a TOP API page"),
            Ok,
        )?;

    let find =
        |name: &str, from: usize| lines.iter().enumerate().skip(from).find(|(_, l)| l.trim() == name).map(|(i, _)| i);
    let section = |name: &str, from: usize| match find(name, from) {
        Some(i) => Ok(i),
        None => error(last, format!("the page ends without its `{name}` section")),
    };
    let request_at = section(REQUEST, title_at)?;
    let response_at = section(RESPONSE, request_at)?;
    let request_example_at = section(REQUEST_EXAMPLE, response_at)?;
    let response_example_at = section(RESPONSE_EXAMPLE, request_example_at)?;
    let summary = lines[title_at + 1..request_at]
        .iter()
        .map(|l| l.trim())
        .find(|l| !l.is_empty() && *l != "公共参数")
        .unwrap_or("")
        .to_owned();

    let params = request_table(&lines, request_at, response_at)?;
    let fields = response_table(&lines, response_at, request_example_at)?;
    let session = lines[request_example_at..response_example_at].iter().any(|l| l.contains("sessionKey"));
    let (example, example_xml) = xml_example(&lines, response_example_at)?;
    Ok(Page { method, title, summary, session, params, fields, example, example_xml: Some(example_xml) })
}

/// `名称 类型 是否必须 示例值 更多限制 描述`, then a row a param.
fn request_table(lines: &[&str], start: usize, end: usize) -> Result<Vec<RequestParam>, PageError> {
    let mut params = Vec::new();
    for (i, line) in lines.iter().enumerate().take(end).skip(start + 1) {
        let line = line.trim();
        if line.is_empty() || line.starts_with("名称") {
            continue;
        }
        let number = i + 1;
        let mut tokens: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
        // A list type is written `String []`: two tokens.
        if tokens.get(2).map(String::as_str) == Some("[]") {
            tokens.remove(2);
            tokens[1].push_str(" []");
        }
        let (Some(name), Some(ty), Some(required)) = (tokens.first(), tokens.get(1), tokens.get(2)) else {
            return error(number, format!("a request row needs a name, a type and 必须 or 可选: `{line}`"));
        };
        if !is_field_name(name) {
            return error(number, format!("`{name}` is not a param name"));
        }
        let Some(ty) = TopType::parse(ty) else {
            return error(number, format!("`{ty}` is not a type the tables use (String, Number, Boolean, Date, a type name, or a list `X []`)"));
        };
        let required = match required.as_str() {
            "必须" => true,
            "可选" => false,
            other => return error(number, format!("expected 必须 or 可选 after the type, found `{other}`")),
        };
        let (example, description) = match &tokens[3..] {
            [] => (None, String::new()),
            [only] => (None, only.clone()),
            [example, description @ ..] => (Some(example.clone()), description.join(" ")),
        };
        params.push(RequestParam { name: name.clone(), ty, required, example, description, line: number });
    }
    Ok(params)
}

/// `名称 类型 示例值 描述`, a first row, then bullet lines: each field a name (`└ name`
/// for a child), a type, and an optional example before its description.
fn response_table(lines: &[&str], start: usize, end: usize) -> Result<Vec<ResponseField>, PageError> {
    // (line number, text) of every non-empty line, bullets stripped.
    let mut items: Vec<(usize, String)> = Vec::new();
    for (i, line) in lines.iter().enumerate().take(end).skip(start + 1) {
        let text = line.trim();
        if text.is_empty() || text.starts_with("名称") {
            continue;
        }
        let text = text.strip_prefix('•').map(str::trim).unwrap_or(text);
        let text = text.strip_prefix('└').map(str::trim).unwrap_or(text);
        items.push((i + 1, text.to_owned()));
    }
    let mut fields = Vec::new();
    let Some((first_line, first)) = items.first().cloned() else { return Ok(fields) };
    // The first row is a table row on one line: `name Type description…`.
    let tokens: Vec<&str> = first.split_whitespace().collect();
    let (name, ty, rest) = match tokens.as_slice() {
        [name, ty, "[]", rest @ ..] => (*name, format!("{ty} []"), rest),
        [name, ty, rest @ ..] => (*name, (*ty).to_owned(), rest),
        _ => return error(first_line, format!("a response row needs a name and a type: `{first}`")),
    };
    let Some(ty) = TopType::parse(&ty).filter(|_| is_field_name(name)) else {
        return error(first_line, format!("a response row needs a name and a type: `{first}`"));
    };
    let (example, description) = match rest {
        [] => (None, String::new()),
        [only] => (None, (*only).to_owned()),
        [example, description @ ..] => (Some((*example).to_owned()), description.join(" ")),
    };
    fields.push(ResponseField { name: name.to_owned(), ty, example, description, line: first_line });

    // The bullets: a field starts at a name whose next line is a type.
    let starts_field = |k: usize| {
        is_field_name(&items[k].1) && items.get(k + 1).is_some_and(|(_, next)| TopType::parse(next).is_some())
    };
    let mut k = 1;
    while k < items.len() {
        if !starts_field(k) {
            return error(items[k].0, format!("expected a field name followed by its type, found `{}`", items[k].1));
        }
        let (line, name) = items[k].clone();
        let ty = TopType::parse(&items[k + 1].1).expect("checked by starts_field");
        let mut end = k + 2;
        while end < items.len() && !starts_field(end) {
            end += 1;
        }
        // After its type a field has an example and a description, or just a description:
        // a third line is a field whose name or type does not read.
        if end > k + 4 {
            let (line, text) = &items[k + 4];
            if let Some((next_line, next)) = items.get(k + 5).filter(|_| is_field_name(text)) {
                return error(*next_line, format!("`{text}` is not followed by a type: found `{next}`"));
            }
            return error(*line, format!("expected a field name followed by its type, found `{text}`"));
        }
        let extra: Vec<&str> = items[k + 2..end].iter().map(|(_, t)| t.as_str()).collect();
        let (example, description) = match extra.as_slice() {
            [] => (None, String::new()),
            [only] => (None, (*only).to_owned()),
            [example, description @ ..] => (Some((*example).to_owned()), description.join(" ")),
        };
        fields.push(ResponseField { name, ty, example, description, line });
        k = end;
    }
    Ok(fields)
}

/// The XML example under `响应示例`, up to `异常示例`, which must follow: a page cut short
/// inside or just after its example is not taken for whole.
fn xml_example(lines: &[&str], start: usize) -> Result<(Element, String), PageError> {
    let Some(end) = lines.iter().enumerate().skip(start).find(|(_, l)| l.trim() == ERROR_EXAMPLE).map(|(i, _)| i)
    else {
        return error(lines.len().max(1), format!("the page ends without its `{ERROR_EXAMPLE}` section: cut short?"));
    };
    let first = lines
        .iter()
        .enumerate()
        .take(end)
        .skip(start + 1)
        .find(|(_, l)| l.trim_start().starts_with('<'))
        .map(|(i, _)| i);
    let Some(first) = first else {
        return error(start + 1, "the `响应示例` section has no XML example");
    };
    let xml = lines[first..end].join("\n");
    let element = parse_xml(&xml).map_err(|(offset_line, message)| PageError {
        line: first + 1 + offset_line,
        message: format!("the XML example is malformed: {message}"),
    })?;
    Ok((element, xml.trim_end().to_owned()))
}

/// Reads an XML document into a tree; errors carry the line within `xml`, from 0.
fn parse_xml(xml: &str) -> Result<Element, (usize, String)> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<Element> = vec![Element::default()];
    let line_at = |reader: &quick_xml::Reader<&[u8]>| {
        xml[..(reader.buffer_position() as usize).min(xml.len())].matches('\n').count()
    };
    loop {
        let event = reader.read_event().map_err(|err| (line_at(&reader), err.to_string()))?;
        match event {
            Event::Start(tag) => {
                let name = tag.name().into_inner().to_owned();
                stack.push(Element { name, ..Element::default() });
            }
            Event::Empty(tag) => {
                let name = tag.name().into_inner().to_owned();
                let parent = stack.last_mut().expect("the document element is at the bottom");
                parent.children.push(Element { name, ..Element::default() });
            }
            Event::End(_) => {
                let done = stack.pop().expect("quick-xml checks that ends match starts");
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => return Err((line_at(&reader), "an end tag without a start".to_owned())),
                }
            }
            Event::Text(text) => {
                if let Some(open) = stack.last_mut() {
                    let text: &str = text.as_ref();
                    open.text.push_str(text.trim());
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        return Err((
            xml.matches('\n').count(),
            format!("`<{}>` is never closed", stack.last().map_or("", |e| e.name.as_str())),
        ));
    }
    let mut document = stack.pop().expect("one left");
    match document.children.len() {
        1 => Ok(document.children.remove(0)),
        0 => Err((0, "there is no element".to_owned())),
        _ => Err((0, "there is more than one root element".to_owned())),
    }
}

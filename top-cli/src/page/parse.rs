//! The page's text into its parts: the title, the request table (with the `更多限制` column's limits and the
//! member rows of object params), the response table (one-line rows at the top level,
//! nested fields as runs of cells), the request example (which shows whether a session is
//! needed) and the example answers, in XML or JSON, in either order (which settle how the
//! response fields nest, where the table leaves it open).
//!
//! Everything here is linear in the size of the page, and no input panics: what does not
//! read is a [`PageError`] naming the line.

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::model::Limits;
use top_api::SessionNeed;

/// A page, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The method, such as `taobao.baodian.deposit.get`.
    pub method: String,
    /// The title in parentheses after the method, such as `宝点用户帐户查询(已迁移)`.
    pub title: String,
    /// The line under the title.
    pub summary: String,
    /// Whether a session is needed: as the page states it (`需要授权`, `可选授权`,
    /// `不需要授权`), else required when the request example passes one
    /// (`client.execute(req, sessionKey)`), else none.
    pub session: SessionNeed,
    /// The request params, in order, each object param with its member rows.
    pub params: Vec<Row>,
    /// The response table's rows, in order: a tree written out parent first, its nesting
    /// left to [`gen::to_api`](crate::gen::to_api), which reads it from the examples.
    pub fields: Vec<Row>,
    /// The example answer: the XML one when the page has it, else the JSON one.
    pub example: Option<Element>,
    /// The XML example answer's text, as printed.
    pub example_xml: Option<String>,
    /// The JSON example answer, when the page has one (also when [`Page::example`] is the
    /// XML one).
    pub example_json: Option<Element>,
    /// What was read with a doubt, each with its line: worth a look, not an error.
    pub warnings: Vec<PageError>,
}

/// A row of the request or response table, or a member row under one.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub name: String,
    pub ty: TopType,
    /// `必须` (requests only).
    pub required: bool,
    pub example: Option<String>,
    pub description: String,
    /// The `更多限制` column (requests only).
    pub limits: Limits,
    /// The line of its name, from 1.
    pub line: usize,
    /// A one-line row of the table (the top level), not a run of cells under one.
    pub top: bool,
    /// The member rows of an object request param.
    pub members: Vec<Row>,
}

/// A type as the tables write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopType {
    String,
    Number,
    Boolean,
    Date,
    /// `Price`: an exact decimal.
    Price,
    /// `BigDecimal`: an exact decimal.
    BigDecimal,
    /// `Json`, and `Map`: JSON text.
    Json,
    /// `byte[]`: a file in a request, base64 text in an answer.
    Bytes,
    /// `byte`: a small integer.
    Byte,
    /// A structured type, by its name on the page (`IdlePointResult`).
    Object(String),
    /// `String []`, `MarkItem []`.
    List(Box<TopType>),
}

impl TopType {
    /// The object type's name, of the type or of a list's items; `None` for scalars.
    pub fn object_name(&self) -> Option<&str> {
        match self {
            TopType::Object(name) => Some(name),
            TopType::List(item) => item.object_name(),
            _ => None,
        }
    }

    /// True for a list.
    pub fn is_list(&self) -> bool {
        matches!(self, TopType::List(_))
    }

    /// Reads `String`, `Number`, `MarkItem []`, `byte[]`, …; `None` for what is not a
    /// type: a type is a scalar the platform names, or a name in `UpperCamelCase`.
    pub fn parse(text: &str) -> Option<TopType> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if compact == "byte[]" {
            return Some(TopType::Bytes);
        }
        if let Some(item) = compact.strip_suffix("[]") {
            let item = TopType::parse(item)?;
            return (!matches!(item, TopType::List(_))).then(|| TopType::List(Box::new(item)));
        }
        Some(match compact.as_str() {
            "String" => TopType::String,
            "Number" => TopType::Number,
            "Boolean" => TopType::Boolean,
            "Date" => TopType::Date,
            "Price" => TopType::Price,
            "BigDecimal" => TopType::BigDecimal,
            "Json" | "Map" => TopType::Json,
            "byte" => TopType::Byte,
            other if is_type_name(other) => TopType::Object(other.to_owned()),
            _ => return None,
        })
    }
}

fn is_type_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase()) && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A wire name: ASCII letters, digits and `_`, not starting with a digit.
pub fn is_field_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// An element of an example answer (a JSON example is read into the same shape: an object
/// member is a child, an array's items are children of one name).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    pub name: String,
    pub children: Vec<Element>,
    pub text: String,
    /// The line of the page it starts on, from 1.
    pub line: usize,
    /// An item of a JSON array, repeated under its array's name as XML repeats a list's
    /// items: a list written `"trades": [{…}]` holds its fields itself, where one written
    /// `"trades": {"trade": [{…}]}` (or in XML) holds items that hold them.
    pub item: bool,
}

/// What is wrong with a page, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageError {
    /// The line at fault, from 1.
    pub line: usize,
    /// What was wrong or missing, and what was expected.
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
/// Where a Qimen or SPI page has its error example: the check of a signature.
const SIGN_EXAMPLE: &str = "验签示例";

/// The marks a list item or a tree line starts with, as pages render them.
const BULLETS: &[char] = &['•', '·', '●', '◦', '▪', '└', '├', '│', '─'];

/// A line of the page: its number and its text, trimmed, bullets and tree marks taken off.
#[derive(Debug, Clone, Copy)]
struct Cell<'a> {
    line: usize,
    text: &'a str,
    /// The line starts with a tree mark (`└`, `├`): a member of the object above.
    marked: bool,
}

fn strip_marks(text: &str) -> &str {
    let mut text = text.trim();
    while let Some(rest) = text.strip_prefix(BULLETS) {
        text = rest.trim_start();
    }
    text
}

/// Reads a page.
///
/// # Errors
///
/// A [`PageError`] naming the line and what was missing or wrong: no title, a missing
/// section, a row that does not read, an example that is malformed.
pub fn parse(text: &str) -> Result<Page, PageError> {
    let lines = split_lines(text);
    let lines: &[&str] = &lines;
    let last = lines.len().max(1);

    let find = |name: &str, from: usize| (from..lines.len()).find(|&i| strip_marks(lines[i]) == name);
    let section = |name: &str, from: usize| match find(name, from) {
        Some(i) => Ok(i),
        None => error(last, format!("the page ends without its `{name}` section")),
    };

    // The title: `method (标题)`, after an optional breadcrumb, before the request table.
    let head_end = find(REQUEST, 0).unwrap_or(lines.len());
    let Some((title_at, method, title)) = (0..head_end).find_map(|i| title(lines[i]).map(|(m, t)| (i, m, t))) else {
        return error(1, "no title like `taobao.time.get (获取时间)` before `请求参数`: not a TOP API page");
    };
    let request_at = section(REQUEST, title_at)?;
    let response_at = section(RESPONSE, request_at)?;
    let request_example_at = section(REQUEST_EXAMPLE, response_at)?;
    let response_example_at = section(RESPONSE_EXAMPLE, request_example_at)?;
    let sign_at = find(SIGN_EXAMPLE, response_example_at);
    let end = match not_a_gateway_page(lines, &method, response_example_at, sign_at) {
        // A Qimen page: its examples end at its check of a signature, or its error example,
        // or the page's end (the section is optional there).
        Some(_) if is_qimen_method(&method) => {
            sign_at.or_else(|| find(ERROR_EXAMPLE, response_example_at)).unwrap_or(lines.len())
        }
        Some(refusal) => return Err(refusal),
        None => match find(ERROR_EXAMPLE, response_example_at) {
            Some(end) => end,
            None => return error(last, format!("the page ends without its `{ERROR_EXAMPLE}` section: cut short?")),
        },
    };
    let head = &lines[title_at + 1..request_at];
    let summary = head
        .iter()
        .map(|l| strip_marks(l))
        .find(|l| !l.is_empty() && *l != "公共参数" && session_mark(l).is_none())
        .unwrap_or("")
        .to_owned();
    let stated = head.iter().find_map(|l| session_mark(strip_marks(l)));
    let passes_session = lines[request_example_at..response_example_at].iter().any(|l| l.contains("sessionKey"));
    let session = stated.unwrap_or(if passes_session { SessionNeed::Required } else { SessionNeed::None });

    let mut warnings = Vec::new();
    let setters = setters(&lines[request_example_at..response_example_at]);
    let params = request_table(&cells(lines, request_at, response_at), &setters, false, &mut warnings)?;
    let fields = response_table(&cells(lines, response_at, request_example_at))?;
    let (example, example_xml, example_json) = examples(lines, response_example_at, end)?;
    if example.is_none() && fields.iter().any(|f| !f.top) {
        warnings.push(PageError {
            line: response_example_at + 1,
            message: "the page has no example answer: its nested fields are placed by the table's order".to_owned(),
        });
    }
    Ok(Page { method, title, summary, session, params, fields, example, example_xml, example_json, warnings })
}

/// A page's lines, a byte-order mark taken off: `\n`, `\r\n` and a lone `\r` (old Mac
/// files) each end a line, and trailing white space goes.
fn split_lines(text: &str) -> Vec<&str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines: Vec<&str> =
        text.split('\n').flat_map(|l| l.strip_suffix('\r').unwrap_or(l).split('\r')).map(str::trim_end).collect();
    if text.ends_with('\n') {
        lines.pop();
    }
    lines
}

/// The header cells of a table.
const HEADER_WORDS: &[&str] = &["名称", "类型", "是否必须", "示例值", "更多限制", "描述"];
const MESSAGE_FIELDS: &str = "消息属性";
const MESSAGE_EXAMPLE: &str = "消息示例";
const MESSAGE_CONDITION: &str = "消息产生条件";
/// What follows a message page's example: its tools, and the page's foot.
const MESSAGE_END: &[&str] = &["消息工具", "如何获得此消息", "返回"];

/// A message page, read: the platform's documentation of one topic of its message channel.
#[derive(Debug, Clone, PartialEq)]
pub struct MessagePage {
    /// The topic, such as `taobao_trade_TradeBuyerPay`.
    pub topic: String,
    /// The title in parentheses after the topic, such as `买家付完款`.
    pub title: String,
    /// When the platform sends it (`消息产生条件`), when the page says.
    pub summary: String,
    /// The content's fields (`消息属性`), in order, each object with its member rows.
    pub fields: Vec<Row>,
    /// The example content (`消息示例`), when the page has one.
    pub example: Option<Element>,
    /// The example content's JSON text, as printed.
    pub example_text: Option<String>,
    /// What was read with a doubt, each with its line: worth a look, not an error.
    pub warnings: Vec<PageError>,
}

/// Whether a page is a message page (it has a `消息属性` section and no `请求参数`), to be
/// read by [`parse_message`] rather than [`parse`].
pub fn is_message_page(text: &str) -> bool {
    let lines = split_lines(text);
    let has = |name: &str| lines.iter().any(|line| strip_marks(line) == name);
    has(MESSAGE_FIELDS) && !has(REQUEST)
}

/// Reads a message page: the topic and its title (`taobao_trade_TradeBuyerPay (买家付完款)`, or
/// the title in parentheses on the next line), the table of the content's fields
/// (`名称 类型 是否必须 示例值 描述`: one-line rows, one cell per line, or a Markdown table with
/// `|` between cells; member rows of an object under it), and the example content.
///
/// # Errors
///
/// A [`PageError`] naming the line: no topic before the table, no `消息属性` section, a row
/// that does not read, a malformed example.
pub fn parse_message(text: &str) -> Result<MessagePage, PageError> {
    // A Markdown table's row is a row of cells: `a | b | c |` reads as `a\tb\tc`, and a
    // line of nothing but `|`, `-` and `:` is none.
    let owned: Vec<String> = split_lines(text)
        .into_iter()
        .map(|line| {
            let trimmed = line.trim();
            if !trimmed.contains('|') {
                return line.to_owned();
            }
            if trimmed.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ')) {
                return String::new();
            }
            let inner = trimmed.strip_prefix('|').unwrap_or(trimmed);
            let inner = inner.strip_suffix('|').unwrap_or(inner);
            inner.split('|').map(str::trim).collect::<Vec<_>>().join("\t")
        })
        .collect();
    let lines: Vec<&str> = owned.iter().map(String::as_str).collect();
    let lines: &[&str] = &lines;
    let last = lines.len().max(1);
    let find = |name: &str, from: usize| (from..lines.len()).find(|&i| strip_marks(lines[i]) == name);
    let Some(fields_at) = find(MESSAGE_FIELDS, 0) else {
        return error(last, format!("the page has no `{MESSAGE_FIELDS}` section: not a message page"));
    };
    let Some((title_at, topic, title)) = (0..fields_at).rev().find_map(|i| topic_title(lines, i)) else {
        return error(
            fields_at + 1,
            format!("no title like `taobao_trade_TradeBuyerPay (买家付完款)` before `{MESSAGE_FIELDS}`"),
        );
    };
    let example_at = find(MESSAGE_EXAMPLE, fields_at).unwrap_or(lines.len());
    let end = (example_at..lines.len()).find(|&i| MESSAGE_END.contains(&strip_marks(lines[i]))).unwrap_or(lines.len());
    let summary = find(MESSAGE_CONDITION, title_at)
        .filter(|&at| at < fields_at)
        .and_then(|at| lines[at + 1..fields_at].iter().map(|l| strip_marks(l)).find(|l| !l.is_empty()))
        .unwrap_or("")
        .to_owned();
    let mut warnings = Vec::new();
    // A header written one cell per line (`名称`, `类型`, …) is no row.
    let mut cells = cells(lines, fields_at, example_at);
    let header = cells.iter().take_while(|c| HEADER_WORDS.contains(&c.text)).count();
    cells.drain(..header);
    // A table of one cell per line writes its rows as runs: a run is a row unless marked.
    let top_runs = cells.first().is_some_and(|_| row_head(cells[0].text).is_none() && starts_run(&cells, 0));
    let fields = request_table(&cells, &HashMap::new(), top_runs, &mut warnings)?;
    let (example, example_text) = if example_at < end {
        let (_, _, json) = examples(lines, example_at, end)?;
        // The text of the first JSON value, which `examples` has read whole.
        let section = lines[example_at + 1..end].join("\n");
        let text = section.find(['{', '[']).and_then(|at| {
            let mut stream = serde_json::Deserializer::from_str(&section[at..]).into_iter::<serde::de::IgnoredAny>();
            stream.next()?.ok()?;
            Some(section[at..at + stream.byte_offset()].to_owned())
        });
        (json, text)
    } else {
        (None, None)
    };
    if example.is_none() && fields.iter().any(|f| !f.members.is_empty()) {
        warnings.push(PageError {
            line: example_at.min(last - 1) + 1,
            message: "the page has no example content: member rows are placed by the table's order".to_owned(),
        });
    }
    Ok(MessagePage { topic, title, summary, fields, example, example_text, warnings })
}

/// The topic and title a line starts: `topic (标题)` on the line, or `topic` with `(标题)`
/// on the next line; a topic alone has no title.
fn topic_title(lines: &[&str], at: usize) -> Option<(usize, String, String)> {
    let line = strip_marks(lines[at]);
    let split = line.find(['(', '(', ' ', '\t']).unwrap_or(line.len());
    let (topic, rest) = line.split_at(split);
    crate::model::Topic::split(topic)?;
    let title = if rest.trim().is_empty() {
        lines.get(at + 1).and_then(|next| in_parens(strip_marks(next))).unwrap_or_default()
    } else {
        in_parens(rest.trim())?
    };
    Some((at, topic.to_owned(), title.to_owned()))
}

/// The text in the parentheses `text` starts with (`(标题)` or `（标题）`), up to the last
/// closing one: a title may hold its own, and a tag may follow.
fn in_parens(text: &str) -> Option<&str> {
    let inner = text.strip_prefix(['(', '('])?;
    let close = inner.rfind([')', ')'])?;
    Some(inner[..close].trim())
}

/// Whether `method` is one of the Qimen router's (`taobao.qimen.*`, `qimen.*`): its page
/// answers with a bare `<response>` and checks a signature, and is read all the same (the
/// model makes it a Qimen API when its one param is the object `request`).
fn is_qimen_method(method: &str) -> bool {
    method.split('.').any(|part| part == "qimen")
}

/// A Qimen router page or an SPI page, which `top gen` does not make into a gateway call:
/// one whose check of a signature (`验签示例`) stands where a gateway page has its error
/// example, or whose example answer has no `<name>_response` envelope but the bare
/// `<response>` (with its `flag`) those protocols answer with. The refusal says which.
fn not_a_gateway_page(lines: &[&str], method: &str, examples_at: usize, sign_at: Option<usize>) -> Option<PageError> {
    // The first example's root: its first line that opens an element or an object (past an
    // XML declaration), and for an object alone on its line, the line of its first key.
    let mut code = lines
        .iter()
        .enumerate()
        .skip(examples_at + 1)
        .map(|(i, line)| (i, line.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with("<?"));
    let root = code.find(|(_, line)| line.starts_with(['<', '{'])).and_then(|(i, line)| match line {
        "{" => code.next(),
        _ => Some((i, line)),
    });
    let bare = root.filter(|(_, line)| {
        let line = line.trim_start_matches('{').trim_start();
        line.starts_with("<response>") || line.starts_with("<response ") || line.starts_with("\"response\"")
    });
    let (line, why) = match (sign_at, bare) {
        (Some(at), _) => (at + 1, format!("its `{SIGN_EXAMPLE}` section checks a signature")),
        (None, Some((at, _))) => (at + 1, "its example answer is a bare `<response>`, not `<…_response>`".to_owned()),
        (None, None) => return None,
    };
    let what = if is_qimen_method(method) {
        "a Qimen router API (an XML body sent to the Qimen gateway, answered by `<response>` with a `flag`)"
    } else {
        "an SPI: a call the platform makes to your server, which `top gen` does not generate (it writes calls you make)"
    };
    Some(PageError { line, message: format!("`{method}` is {what}: {why}") })
}

/// `method (标题)`, `method(标题)`, `method (标题)`, or a method alone.
fn title(line: &str) -> Option<(String, String)> {
    let line = strip_marks(line);
    let split = line.find(['(', '(', ' ', '\t']).unwrap_or(line.len());
    let (method, rest) = line.split_at(split);
    let rest = rest.trim();
    let title = if rest.is_empty() { "" } else { in_parens(rest)? };
    top_api_rules::is_method(method).then(|| (method.to_owned(), title.to_owned()))
}

/// The session need a line of the page's head states, if it states one.
fn session_mark(line: &str) -> Option<SessionNeed> {
    if line.contains("不需要授权") || line.contains("免授权") || line.contains("无需授权") {
        Some(SessionNeed::None)
    } else if line.contains("可选授权") {
        Some(SessionNeed::Optional)
    } else if line.contains("需要授权") || line.contains("必须授权") {
        Some(SessionNeed::Required)
    } else {
        None
    }
}

/// The non-empty lines strictly between two section lines, headers left out.
fn cells<'a>(lines: &[&'a str], start: usize, end: usize) -> Vec<Cell<'a>> {
    (start + 1..end)
        .filter_map(|i| {
            let text = strip_marks(lines[i]);
            let header = text.starts_with("名称") && text.contains("类型");
            let marks = &lines[i][..lines[i].len() - text.len()];
            let marked = marks.contains(['└', '├']);
            (!text.is_empty() && !header).then_some(Cell { line: i + 1, text, marked })
        })
        .collect()
}

/// A line's cells: tab-separated when a browser's copy kept the tabs, else words, with a
/// date and its time (`2000-01-01 00:00:00`) kept as one.
fn tokens(text: &str) -> Vec<String> {
    if text.contains('\t') {
        // Cells keep their places: an empty example cell is no example.
        let mut cells: Vec<String> = text.split('\t').map(|t| t.trim().to_owned()).collect();
        while cells.last().is_some_and(String::is_empty) {
            cells.pop();
        }
        return cells;
    }
    let mut out: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        let is_time = word.len() == 8
            && word.bytes().enumerate().all(|(i, b)| if i % 3 == 2 { b == b':' } else { b.is_ascii_digit() });
        match out.last_mut() {
            Some(date) if is_time && is_date(date) => {
                date.push(' ');
                date.push_str(word);
            }
            _ => out.push(word.to_owned()),
        }
    }
    out
}

fn is_date(text: &str) -> bool {
    text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() })
}

/// A one-line row's name and type, and the cells after them; `None` when the line is not
/// a row (its first cell no name, or its second no type).
fn row_head(text: &str) -> Option<(String, TopType, Vec<String>)> {
    let mut tokens = tokens(text);
    if tokens.len() < 2 || !is_field_name(&tokens[0]) {
        return None;
    }
    // A list type is written `String []`: two cells.
    if tokens.get(2).is_some_and(|t| t == "[]") {
        let brackets = tokens.remove(2);
        tokens[1].push_str(&brackets);
    }
    let ty = TopType::parse(&tokens[1])?;
    let rest = tokens.split_off(2);
    Some((tokens.swap_remove(0), ty, rest))
}

/// A cell that starts a run: a name alone, with a type alone in the next cell.
fn starts_run(cells: &[Cell<'_>], k: usize) -> bool {
    is_field_name(cells[k].text) && cells.get(k + 1).is_some_and(|next| TopType::parse(next.text).is_some())
}

/// A limit of the `更多限制` column: `最大长度:1000`, `最大列表长度:20`, `最小值:1`,
/// `最大值:100`, and `默认值:0` (shown in the docs, not checked).
enum Limit<'a> {
    MaxLength(&'a str),
    MaxListSize(&'a str),
    MinValue(&'a str),
    MaxValue(&'a str),
    Default,
}

fn limit(text: &str) -> Option<Limit<'_>> {
    let (key, value) = text.split_once([':', ':'])?;
    let value = value.trim();
    Some(match key.trim() {
        "最大长度" => Limit::MaxLength(value),
        "最大列表长度" => Limit::MaxListSize(value),
        "最小值" => Limit::MinValue(value),
        "最大值" => Limit::MaxValue(value),
        "默认值" => Limit::Default,
        _ => return None,
    })
}

/// Applies a limit cell to `row`.
fn apply_limit(
    row: &mut Row,
    cell: Cell<'_>,
    limit: Limit<'_>,
    warnings: &mut Vec<PageError>,
) -> Result<(), PageError> {
    let whole = |value: &str| -> Result<u64, PageError> {
        value
            .parse::<u64>()
            .or_else(|_| error(cell.line, format!("`{}` needs a whole number, found `{value}`", cell.text)))
    };
    match limit {
        Limit::MaxLength(value) => row.limits.max_length = Some(whole(value)?),
        Limit::MaxListSize(value) => row.limits.max_list_size = Some(whole(value)?),
        Limit::MinValue(value) | Limit::MaxValue(value) => match value.parse::<i64>() {
            Ok(number) if matches!(limit, Limit::MinValue(_)) => row.limits.min_value = Some(number),
            Ok(number) => row.limits.max_value = Some(number),
            // A bound that is no whole number (`0.01` on a price) is told, not checked.
            Err(_) => {
                warnings.push(PageError {
                    line: cell.line,
                    message: format!("`{}` is not a whole number: kept in the docs, not checked", cell.text),
                });
                push_text(&mut row.description, cell.text);
            }
        },
        Limit::Default => push_text(&mut row.description, cell.text),
    }
    Ok(())
}

fn push_text(to: &mut String, text: &str) {
    if !to.is_empty() {
        to.push(' ');
    }
    to.push_str(text);
}

/// The required flag of a request row: `必须` or `可选`.
fn required(cell: Cell<'_>, word: &str, name: &str) -> Result<bool, PageError> {
    match word {
        "必须" | "必填" | "是" => Ok(true),
        "可选" | "选填" | "否" => Ok(false),
        other => error(cell.line, format!("expected 必须 or 可选 after the type of `{name}`, found `{other}`")),
    }
}

/// How many cells after a row's type are its text (an example and a description, or the
/// description after the example on the row's own line): whatever such a cell reads like
/// (a description `page number`, `founding date`), it is text. A row has a type the platform
/// names, or a type name with its members.
fn text_slots(inline: &[String]) -> usize {
    if inline.is_empty() {
        2
    } else {
        1
    }
}

/// The text cells after a row's type: an example then a description, or a description.
fn texts(row: &mut Row, inline: Vec<String>, after: &[Cell<'_>]) -> Result<(), PageError> {
    match (inline.as_slice(), after) {
        ([], []) => {}
        ([], [only]) => push_text(&mut row.description, only.text),
        ([], [example, description]) => {
            row.example = Some(example.text.to_owned());
            push_text(&mut row.description, description.text);
        }
        ([only], []) => push_text(&mut row.description, only),
        ([example, description @ ..], []) => {
            row.example = Some(example.clone());
            push_text(&mut row.description, &description.join(" "));
        }
        (example, [description]) => {
            row.example = Some(example.join(" "));
            push_text(&mut row.description, description.text);
        }
        (_, [.., third]) => {
            return error(third.line, format!("expected a row or a name followed by its type, found `{}`", third.text))
        }
    }
    Ok(())
}

/// `名称 类型 是否必须 示例值 更多限制 描述`: a row per param, each followed by the cells of
/// its limits, its description when the limits pushed it down, and its members when it is
/// an object.
fn request_table(
    cells: &[Cell<'_>],
    setters: &HashMap<String, HashSet<String>>,
    top_runs: bool,
    warnings: &mut Vec<PageError>,
) -> Result<Vec<Row>, PageError> {
    let mut params: Vec<Row> = Vec::new();
    let mut k = 0;
    while k < cells.len() {
        let cell = cells[k];
        let (mut row, inline, top) = if let Some((name, ty, mut rest)) = row_head(cell.text) {
            let Some(word) = (!rest.is_empty()).then(|| rest.remove(0)) else {
                return error(cell.line, format!("expected 必须 or 可选 after the type of `{name}`"));
            };
            let required = required(cell, &word, &name)?;
            let mut row = new_row(name, ty, required, cell.line, true);
            if cell.text.contains('\t') {
                // A browser's copy: example, limits, description, each in its own cell.
                let mut cells = rest.into_iter();
                row.example = cells.next().filter(|e| !e.is_empty());
                for text in cells.filter(|c| !c.is_empty()) {
                    match limit(&text) {
                        Some(found) => apply_limit(&mut row, Cell { text: &text, ..cell }, found, warnings)?,
                        None => push_text(&mut row.description, &text),
                    }
                }
                (row, Vec::new(), true)
            } else {
                (row, rest, true)
            }
        } else if starts_run(cells, k) {
            let ty = TopType::parse(cells[k + 1].text).expect("checked by starts_run");
            let mut required_flag = false;
            let mut next = k + 2;
            if let Some(word) = cells.get(next).filter(|c| matches!(c.text, "必须" | "可选" | "必填" | "选填"))
            {
                required_flag = required(*word, word.text, cell.text)?;
                next += 1;
            }
            k = next - 1;
            // Where the table writes its rows as runs too, a run without a tree mark is one.
            let top = top_runs && !cell.marked;
            (new_row(cell.text.to_owned(), ty, required_flag, cell.line, top), Vec::new(), top)
        } else {
            return Err(not_a_field(cells, k, "a request row `name Type 必须|可选 …`"));
        };
        // The cells that follow, up to the next row or run.
        let mut after = Vec::new();
        k += 1;
        while k < cells.len() && row_head(cells[k].text).is_none() && !starts_run(cells, k) {
            if after.len() >= text_slots(&inline) {
                broken_row(cells[k])?;
            }
            match limit(cells[k].text) {
                Some(found) => apply_limit(&mut row, cells[k], found, warnings)?,
                None => after.push(cells[k]),
            }
            k += 1;
        }
        texts(&mut row, inline, &after)?;
        if top {
            params.push(row);
        } else {
            // A member row: of the param above, in the object opened last.
            let Some(parent) = params.last_mut().filter(|p| p.ty.object_name().is_some()) else {
                return error(row.line, format!("`{}` is a member row, but no object param comes before it", row.name));
            };
            // The objects open above it: the param, then each last member that is an object.
            let mut chain: Vec<&Row> = vec![&*parent];
            while let Some(last) = chain.last().and_then(|r| r.members.last()).filter(|m| m.ty.object_name().is_some())
            {
                if chain.len() > MAX_DEPTH {
                    return error(row.line, format!("`{}` nests deeper than {MAX_DEPTH} objects", row.name));
                }
                chain.push(last);
            }
            // The deepest whose type the request example sets this member on; else the
            // deepest, with a warning when that is a guess between several.
            let key = loose(&row.name);
            let shown = chain.iter().rposition(|r| {
                r.ty.object_name().and_then(|ty| setters.get(ty)).is_some_and(|names| names.contains(&key))
            });
            let depth = shown.unwrap_or(chain.len() - 1);
            if shown.is_none() && chain.len() > 1 {
                warnings.push(PageError {
                    line: row.line,
                    message: format!(
                        "`{}` is read as a member of `{}`, the object above it (the request example does not set it)",
                        row.name, chain[depth].name
                    ),
                });
            }
            let mut owner = parent;
            for _ in 0..depth {
                owner = owner.members.last_mut().expect("in the chain");
            }
            owner.members.push(row);
        }
    }
    Ok(params)
}

/// How deep objects may nest on a page.
pub const MAX_DEPTH: usize = 32;

/// A name without case or `_`: `pageSize`, `page_size` and `setPageSize`'s `PageSize` meet.
fn loose(name: &str) -> String {
    name.chars().filter(|c| *c != '_').map(|c| c.to_ascii_lowercase()).collect()
}

/// What the request example (Java) sets on each object type: `obj1.setItemId(…)` on an
/// `X.ItemInfoRequest obj1 = new …`, by the type's name, each member [`loose`].
fn setters(lines: &[&str]) -> HashMap<String, HashSet<String>> {
    let mut types: HashMap<&str, &str> = HashMap::new();
    let mut out: HashMap<String, HashSet<String>> = HashMap::new();
    for line in lines {
        let line = line.trim();
        if let Some((left, _)) = line.split_once(" = new ") {
            let mut words = left.split_whitespace();
            if let (Some(ty), Some(var), None) = (words.next(), words.next(), words.next()) {
                types.insert(var, ty.rsplit('.').next().unwrap_or(ty));
            }
        }
        if let Some((var, rest)) = line.split_once(".set") {
            if let (Some(ty), Some((member, _))) = (types.get(var), rest.split_once('(')) {
                out.entry((*ty).to_owned()).or_default().insert(loose(member));
            }
        }
    }
    out
}

/// The error for a cell that starts no row: a name whose type does not read, or text
/// where a row was expected.
fn not_a_field(cells: &[Cell<'_>], k: usize, expected: &str) -> PageError {
    let cell = cells[k];
    let words = tokens(cell.text);
    match (words.as_slice(), cells.get(k + 1)) {
        ([name], Some(next)) if is_field_name(name) => PageError {
            line: next.line,
            message: format!("`{name}` is not followed by a type: found `{}`", next.text),
        },
        ([name, found, ..], _) if is_field_name(name) => PageError {
            line: cell.line,
            message: format!("`{found}` after `{name}` is not a type (String, Number, Boolean, Date, Price, Json, byte[], a type name, or a list `X []`)"),
        },
        _ => PageError { line: cell.line, message: format!("expected {expected}, found `{}`", cell.text) },
    }
}

/// A line that is meant as a row but whose type does not read (`id number 必须`, `id
/// Strng`… is read as an object type and refused later as unknown), rather than text.
fn broken_row(cell: Cell<'_>) -> Result<(), PageError> {
    let words = tokens(cell.text);
    let [name, ty, rest @ ..] = words.as_slice() else { return Ok(()) };
    if !is_field_name(name) {
        return Ok(());
    }
    let looks_typed = ["string", "number", "boolean", "date", "price", "json", "long", "int", "integer", "double"]
        .contains(&ty.to_ascii_lowercase().as_str())
        || ty.ends_with("[]");
    let has_required = rest.first().is_some_and(|w| matches!(w.as_str(), "必须" | "可选"));
    if looks_typed || has_required {
        return error(
            cell.line,
            format!("`{ty}` after `{name}` is not a type (String, Number, Boolean, Date, Price, BigDecimal, Json, byte[], a type name, or a list `X []`)"),
        );
    }
    Ok(())
}

fn new_row(name: String, ty: TopType, required: bool, line: usize, top: bool) -> Row {
    Row {
        name,
        ty,
        required,
        example: None,
        description: String::new(),
        limits: Limits::default(),
        line,
        top,
        members: Vec::new(),
    }
}

/// `名称 类型 示例值 描述`: a one-line row per top-level field, each followed by the runs of
/// its nested fields: a name, its type, then an example and a description, each a cell.
fn response_table(cells: &[Cell<'_>]) -> Result<Vec<Row>, PageError> {
    let mut fields = Vec::new();
    let mut k = 0;
    while k < cells.len() {
        let cell = cells[k];
        let (mut row, inline) = if starts_run(cells, k) {
            let ty = TopType::parse(cells[k + 1].text).expect("checked by starts_run");
            k += 1;
            (new_row(cell.text.to_owned(), ty, false, cell.line, fields.is_empty()), Vec::new())
        } else if let Some((name, ty, rest)) = row_head(cell.text) {
            let mut row = new_row(name, ty, false, cell.line, true);
            if cell.text.contains('\t') {
                let mut cells = rest.into_iter();
                row.example = cells.next().filter(|e| !e.is_empty());
                for text in cells.filter(|c| !c.is_empty()) {
                    push_text(&mut row.description, &text);
                }
                (row, Vec::new())
            } else {
                (row, rest)
            }
        } else {
            return Err(not_a_field(cells, k, "a field: a name followed by its type"));
        };
        let mut after = Vec::new();
        k += 1;
        while k < cells.len() && !starts_run(cells, k) && row_head(cells[k].text).is_none() {
            if after.len() >= text_slots(&inline) {
                broken_row(cells[k])?;
            }
            after.push(cells[k]);
            k += 1;
        }
        // A third cell after a run's type is a field whose type does not read.
        if after.len() > 2 {
            let (third, next) = (after[2], after.get(3));
            if let Some(next) = next.filter(|_| is_field_name(third.text)) {
                return error(next.line, format!("`{}` is not followed by a type: found `{}`", third.text, next.text));
            }
            return error(third.line, format!("expected a field: a name followed by its type, found `{}`", third.text));
        }
        texts(&mut row, inline, &after)?;
        fields.push(row);
    }
    Ok(fields)
}

/// The example answers between `响应示例` and `异常示例`: XML and JSON, in any order.
/// The example answer (XML first), the XML one's text, and the JSON one.
type Examples = (Option<Element>, Option<String>, Option<Element>);

fn examples(lines: &[&str], start: usize, end: usize) -> Result<Examples, PageError> {
    // The byte offset of each line in the section's text, to map positions to lines.
    let section = lines[start + 1..end].join("\n");
    let mut starts = Vec::with_capacity(end - start);
    let mut offset = 0;
    for line in &lines[start + 1..end] {
        starts.push(offset);
        offset += line.len() + 1;
    }
    let line_of = |pos: usize| start + 2 + starts.partition_point(|&s| s <= pos).saturating_sub(1);

    let mut xml: Option<(Element, String)> = None;
    let mut json: Option<Element> = None;
    let mut pos = 0;
    while pos < section.len() {
        let rest = &section[pos..];
        let Some(skip) = rest.find(|c: char| !c.is_whitespace()) else { break };
        let at = pos + skip;
        let rest = &section[at..];
        if rest.starts_with('<') {
            let (element, used) = parse_xml(rest, &|p| line_of(at + p))?;
            let text = rest[..used].trim_end().to_owned();
            if xml.is_none() {
                xml = Some((element, text));
            }
            pos = at + used;
        } else if rest.starts_with('{') || rest.starts_with('[') {
            let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<serde_json::Value>();
            let value = match stream.next() {
                Some(Ok(value)) => value,
                Some(Err(err)) => {
                    let line = line_of(at) + err.line().saturating_sub(1);
                    return error(line, format!("the JSON example is malformed: {err}"));
                }
                None => break,
            };
            let used = stream.byte_offset();
            if json.is_none() {
                json = Some(json_root(&value, line_of(at)));
            }
            pos = at + used.max(1);
        } else {
            // A label (`XML示例`, `JSON示例`) or other text: the next line.
            pos = at + rest.find('\n').map_or(rest.len(), |n| n + 1);
        }
    }
    match (xml, json) {
        (Some((element, text)), json) => Ok((Some(element), Some(text), json)),
        (None, Some(element)) => Ok((Some(element.clone()), None, Some(element))),
        (None, None) => Ok((None, None, None)),
    }
}

/// The root element of a JSON example: `{"x_response": {...}}` as `<x_response>`, or a
/// bare object as a root of its own.
fn json_root(value: &serde_json::Value, line: usize) -> Element {
    if let serde_json::Value::Object(map) = value {
        if map.len() == 1 {
            let (name, inner) = map.iter().next().expect("one");
            if name.ends_with("_response") {
                return json_element(name, inner, line);
            }
        }
    }
    json_element("", value, line)
}

pub(crate) fn json_element(name: &str, value: &serde_json::Value, line: usize) -> Element {
    use serde_json::Value;
    let mut element = Element { name: name.to_owned(), line, ..Element::default() };
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match inner {
                    // An array's items repeat its name, as XML repeats a list's items.
                    Value::Array(items) => element
                        .children
                        .extend(items.iter().map(|item| Element { item: true, ..json_element(key, item, line) })),
                    other => element.children.push(json_element(key, other, line)),
                }
            }
        }
        Value::Array(items) => {
            element.children =
                items.iter().map(|item| Element { item: true, ..json_element("", item, line) }).collect();
        }
        Value::String(text) => element.text = text.clone(),
        // `null` is a value left out, as a blank is.
        Value::Null => {}
        other => element.text = other.to_string(),
    }
    element
}

/// Reads one XML document at the start of `xml` into a tree: the root element and the
/// bytes it took. `line_of` maps a byte position in `xml` to the page's line.
fn parse_xml(xml: &str, line_of: &dyn Fn(usize) -> usize) -> Result<(Element, usize), PageError> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<Element> = Vec::new();
    let fail = |pos: u64, message: String| PageError {
        line: line_of(usize::try_from(pos).unwrap_or(usize::MAX).min(xml.len())),
        message: format!("the XML example is malformed: {message}"),
    };
    loop {
        let before = reader.buffer_position();
        let event = reader.read_event().map_err(|err| fail(reader.error_position(), err.to_string()))?;
        match event {
            Event::Start(tag) => {
                let name = tag.name().into_inner().to_owned();
                stack.push(Element { name, line: line_of(before as usize), ..Element::default() });
            }
            Event::Empty(tag) => {
                let name = tag.name().into_inner().to_owned();
                let element = Element { name, line: line_of(before as usize), ..Element::default() };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => return Ok((element, reader.buffer_position() as usize)),
                }
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else {
                    return Err(fail(before, "an end tag without a start".to_owned()));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => return Ok((done, reader.buffer_position() as usize)),
                }
            }
            Event::Text(text) => {
                if let Some(open) = stack.last_mut() {
                    let text: &str = text.as_ref();
                    open.text.push_str(text.trim());
                }
            }
            Event::Eof => {
                let open = stack.last().map_or("", |e| e.name.as_str());
                return Err(fail(xml.len() as u64, format!("`<{open}>` is never closed")));
            }
            _ => {}
        }
    }
}

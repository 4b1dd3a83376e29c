//! Where a value sits in a request, for the error that names it.

use std::fmt;

/// Where a value sits in a request, for the error that names it: `item.skus[2].price`.
/// Built on the stack as the checks descend, and written out only for an error.
#[derive(Clone, Copy)]
pub struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    step: Step,
}

#[derive(Clone, Copy)]
enum Step {
    Root,
    Name(&'static str),
    Index(usize),
}

impl<'a> Path<'a> {
    /// The place of a value checked on its own: members are named from there.
    pub const ROOT: Path<'static> = Path { parent: None, step: Step::Root };

    /// The param `name`.
    pub const fn param(name: &'static str) -> Path<'static> {
        Path { parent: None, step: Step::Name(name) }
    }

    /// The member `name` of the value here.
    pub fn field(&'a self, name: &'static str) -> Path<'a> {
        Path { parent: Some(self), step: Step::Name(name) }
    }

    /// The item `index` of the list here.
    pub fn index(&'a self, index: usize) -> Path<'a> {
        Path { parent: Some(self), step: Step::Index(index) }
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(parent) = self.parent {
            parent.fmt(f)?;
        }
        match self.step {
            Step::Root => Ok(()),
            Step::Name(name) if matches!(self.parent, Some(p) if !matches!(p.step, Step::Root)) => {
                write!(f, ".{name}")
            }
            Step::Name(name) => f.write_str(name),
            Step::Index(index) => write!(f, "[{index}]"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_as_written() {
        let root = Path::param("item");
        let skus = root.field("skus");
        let second = skus.index(2);
        assert_eq!(second.field("price").to_string(), "item.skus[2].price");
        let alone = Path::ROOT;
        assert_eq!(alone.field("skus").index(0).field("id").to_string(), "skus[0].id");
        assert_eq!(alone.to_string(), "");
    }
}

//! Syntax tree of the TypeScript subset. Offsets are page byte offsets.

/// A type expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    /// A (possibly dotted) name with optional type arguments: `string`, `Date`, `A.B<C>`.
    Named {
        path: Vec<String>,
        args: Vec<Type>,
        offset: usize,
    },
    StringLiteral(String),
    NumberLiteral(String),
    BooleanLiteral(bool),
    Object(Vec<Property>),
    Array(Box<Type>),
    Tuple(Vec<Type>),
    Union(Vec<Type>),
    Typeof {
        path: Vec<String>,
        offset: usize,
    },
    /// `T['key']`.
    Indexed {
        object: Box<Type>,
        key: String,
        offset: usize,
    },
}

/// A property signature: `name?: Type`.
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    pub name: String,
    pub optional: bool,
    pub ty: Type,
    pub offset: usize,
}

/// A call signature `(params): Ret` (name `None`) or a method signature `name(params): Ret`.
#[derive(Debug, Clone, PartialEq)]
pub struct Signature {
    pub name: Option<String>,
    pub docs: Vec<String>,
    pub params: Vec<Property>,
    pub returns: Type,
    pub offset: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Member {
    Property(Property),
    Signature(Signature),
}

#[derive(Debug, Clone, PartialEq)]
pub struct TypeParam {
    pub name: String,
    pub default: Option<Type>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Interface {
    pub name: String,
    pub type_params: Vec<TypeParam>,
    pub extends: Vec<Vec<String>>,
    pub members: Vec<Member>,
    pub offset: usize,
}

impl Interface {
    pub fn properties(&self) -> impl Iterator<Item = &Property> {
        self.members.iter().filter_map(|m| match m {
            Member::Property(p) => Some(p),
            Member::Signature(_) => None,
        })
    }

    pub fn signatures(&self) -> impl Iterator<Item = &Signature> {
        self.members.iter().filter_map(|m| match m {
            Member::Signature(s) => Some(s),
            Member::Property(_) => None,
        })
    }

    pub fn property(&self, name: &str) -> Option<&Property> {
        self.properties().find(|p| p.name == name)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Namespace {
    pub path: Vec<String>,
    pub interfaces: Vec<Interface>,
    pub offset: usize,
}

impl Namespace {
    pub fn interface(&self, name: &str) -> Option<&Interface> {
        self.interfaces.iter().find(|i| i.name == name)
    }
}

/// `export var name: Type`.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    pub name: String,
    pub ty: Type,
    pub offset: usize,
}

/// The declarations of one `virtual.ts` part.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Module {
    pub namespaces: Vec<Namespace>,
    pub interfaces: Vec<Interface>,
    pub variables: Vec<Variable>,
}

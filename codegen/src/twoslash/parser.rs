//! Recursive-descent parser for the TypeScript subset of twoslash blocks: imports,
//! `namespace A.B { export interface … }`, top-level interfaces and `export var`.

use super::ast::{
    Interface, Member, Module, Namespace, Property, Signature, Type, TypeParam, Variable,
};
use super::lexer::{Token, TokenKind};

/// Nesting deeper than this (objects in objects, parentheses, type arguments) is refused.
pub const MAX_DEPTH: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub offset: usize,
    pub message: String,
}

/// Parses the tokens of one `virtual.ts` part; `end` is the page offset just past it.
pub fn parse_module(tokens: &[Token], end: usize) -> Result<Module, ParseError> {
    let mut parser = Parser {
        tokens,
        position: 0,
        end,
        depth: 0,
        docs: Vec::new(),
    };
    parser.module()
}

struct Parser<'t> {
    tokens: &'t [Token],
    position: usize,
    end: usize,
    depth: usize,
    docs: Vec<String>,
}

impl Parser<'_> {
    fn module(&mut self) -> Result<Module, ParseError> {
        let mut module = Module::default();
        while self.peek().is_some() {
            self.docs.clear();
            let exported = self.eat_ident("export");
            let offset = self.offset();
            match self.ident_value().as_deref() {
                Some("import") if !exported => self.import()?,
                Some("namespace") => module.namespaces.push(self.namespace()?),
                Some("interface") => module.interfaces.push(self.interface()?),
                Some("var" | "let" | "const") => {
                    self.position += 1;
                    let name = self.expect_ident("a variable name")?;
                    self.expect(':')?;
                    let ty = self.ty()?;
                    self.eat(';');
                    module.variables.push(Variable { name, ty, offset });
                }
                _ => {
                    return Err(
                        self.unexpected("a declaration (`namespace`, `interface`, `export var`)")
                    );
                }
            }
        }
        Ok(module)
    }

    /// `import { A, B } from 'm'` or `import 'm'`; the names are not needed.
    fn import(&mut self) -> Result<(), ParseError> {
        self.position += 1;
        loop {
            match self.peek_kind() {
                Some(TokenKind::Str(_)) => {
                    self.position += 1;
                    self.eat(';');
                    return Ok(());
                }
                Some(TokenKind::Ident(word)) if word == "namespace" || word == "interface" => {
                    return Err(self.unexpected("the module name of the `import`"));
                }
                Some(_) => self.position += 1,
                None => return Err(self.unexpected("the module name of the `import`")),
            }
        }
    }

    fn namespace(&mut self) -> Result<Namespace, ParseError> {
        let offset = self.offset();
        self.position += 1;
        let path = self.dotted("a namespace name")?;
        let open = self.offset();
        self.expect('{')?;
        let mut interfaces = Vec::new();
        while !self.eat('}') {
            self.docs.clear();
            if self.peek().is_none() || self.ident_value().as_deref() == Some("namespace") {
                return Err(self.never_closed(open, "`export interface` or `}`"));
            }
            self.eat_ident("export");
            if self.ident_value().as_deref() != Some("interface") {
                return Err(self.unexpected("`export interface` or `}` closing the namespace"));
            }
            interfaces.push(self.interface()?);
        }
        Ok(Namespace {
            path,
            interfaces,
            offset,
        })
    }

    fn interface(&mut self) -> Result<Interface, ParseError> {
        let offset = self.offset();
        self.position += 1;
        let name = self.expect_ident("an interface name")?;
        let mut type_params = Vec::new();
        if self.eat('<') {
            loop {
                let name = self.expect_ident("a type parameter")?;
                let default = if self.eat('=') {
                    Some(self.ty()?)
                } else {
                    None
                };
                type_params.push(TypeParam { name, default });
                if self.eat('>') {
                    break;
                }
                self.expect(',')?;
            }
        }
        let mut extends = Vec::new();
        if self.eat_ident("extends") {
            loop {
                extends.push(self.dotted("an interface name after `extends`")?);
                if !self.eat(',') {
                    break;
                }
            }
        }
        let open = self.offset();
        self.expect('{')?;
        let members = self.members(open, true)?;
        Ok(Interface {
            name,
            type_params,
            extends,
            members,
            offset,
        })
    }

    /// Members up to and including the closing `}`.
    fn members(
        &mut self,
        open: usize,
        signatures_allowed: bool,
    ) -> Result<Vec<Member>, ParseError> {
        self.enter()?;
        let mut members = Vec::new();
        self.docs.clear();
        loop {
            if self.eat('}') {
                break;
            }
            if self.starts_declaration() {
                return Err(self.never_closed(open, "a member or `}`"));
            }
            let offset = self.offset();
            let member = if self.peek_punct() == Some('(') {
                Member::Signature(self.signature(None, offset)?)
            } else {
                let name = match self.peek_kind() {
                    Some(
                        TokenKind::Ident(name) | TokenKind::Str(name) | TokenKind::Number(name),
                    ) => name.clone(),
                    _ => return Err(self.unexpected("a property name or `}`")),
                };
                self.position += 1;
                let optional = self.eat('?');
                if self.peek_punct() == Some('(') {
                    if optional {
                        return Err(self.error_here("optional methods are not supported"));
                    }
                    Member::Signature(self.signature(Some(name), offset)?)
                } else {
                    self.expect(':')?;
                    let ty = self.ty()?;
                    Member::Property(Property {
                        name,
                        optional,
                        ty,
                        offset,
                    })
                }
            };
            if let Member::Signature(_) = member
                && !signatures_allowed
            {
                return Err(ParseError {
                    offset,
                    message: "call and method signatures are not supported in object types"
                        .to_owned(),
                });
            }
            members.push(member);
            if !self.eat(';') {
                self.eat(',');
            }
            self.docs.clear();
        }
        self.depth -= 1;
        Ok(members)
    }

    fn signature(&mut self, name: Option<String>, offset: usize) -> Result<Signature, ParseError> {
        let docs = std::mem::take(&mut self.docs);
        self.expect('(')?;
        let mut params = Vec::new();
        while !self.eat(')') {
            let param_offset = self.offset();
            let name = self.expect_ident("a parameter name")?;
            let optional = self.eat('?');
            self.expect(':')?;
            let ty = self.ty()?;
            params.push(Property {
                name,
                optional,
                ty,
                offset: param_offset,
            });
            if !self.eat(',') {
                self.expect(')')?;
                break;
            }
        }
        self.expect(':')?;
        let returns = self.ty()?;
        Ok(Signature {
            name,
            docs,
            params,
            returns,
            offset,
        })
    }

    fn ty(&mut self) -> Result<Type, ParseError> {
        self.enter()?;
        self.eat('|');
        let mut alternatives = vec![self.postfix_type()?];
        while self.eat('|') {
            alternatives.push(self.postfix_type()?);
        }
        self.depth -= 1;
        Ok(if alternatives.len() == 1 {
            alternatives.remove(0)
        } else {
            Type::Union(alternatives)
        })
    }

    fn postfix_type(&mut self) -> Result<Type, ParseError> {
        let mut ty = self.primary_type()?;
        while self.peek_punct() == Some('[') {
            let offset = self.offset();
            self.position += 1;
            if self.eat(']') {
                ty = Type::Array(Box::new(ty));
            } else if let Some(TokenKind::Str(key)) = self.peek_kind() {
                let key = key.clone();
                self.position += 1;
                self.expect(']')?;
                ty = Type::Indexed {
                    object: Box::new(ty),
                    key,
                    offset,
                };
            } else {
                return Err(self.unexpected("`]` or a quoted key"));
            }
        }
        Ok(ty)
    }

    fn primary_type(&mut self) -> Result<Type, ParseError> {
        let offset = self.offset();
        let Some(token) = self.peek() else {
            return Err(self.unexpected("a type"));
        };
        match token.kind.clone() {
            TokenKind::Punct('(') => {
                self.position += 1;
                let ty = self.ty()?;
                self.expect(')')?;
                Ok(ty)
            }
            TokenKind::Punct('{') => {
                self.position += 1;
                let mut properties = Vec::new();
                for member in self.members(offset, false)? {
                    if let Member::Property(p) = member {
                        properties.push(p);
                    }
                }
                Ok(Type::Object(properties))
            }
            TokenKind::Punct('[') => {
                self.position += 1;
                self.enter()?;
                let mut elements = Vec::new();
                while !self.eat(']') {
                    elements.push(self.ty()?);
                    if !self.eat(',') {
                        self.expect(']')?;
                        break;
                    }
                }
                self.depth -= 1;
                Ok(Type::Tuple(elements))
            }
            TokenKind::Str(value) => {
                self.position += 1;
                Ok(Type::StringLiteral(value))
            }
            TokenKind::Number(value) => {
                self.position += 1;
                Ok(Type::NumberLiteral(value))
            }
            TokenKind::Ident(word) if word == "true" || word == "false" => {
                self.position += 1;
                Ok(Type::BooleanLiteral(word == "true"))
            }
            TokenKind::Ident(word) if word == "typeof" => {
                self.position += 1;
                let path = self.dotted("a name after `typeof`")?;
                Ok(Type::Typeof { path, offset })
            }
            TokenKind::Ident(_) => {
                let path = self.dotted("a type name")?;
                let mut args = Vec::new();
                if self.eat('<') {
                    self.enter()?;
                    loop {
                        args.push(self.ty()?);
                        if self.eat('>') {
                            break;
                        }
                        self.expect(',')?;
                    }
                    self.depth -= 1;
                }
                Ok(Type::Named { path, args, offset })
            }
            _ => Err(self.unexpected("a type")),
        }
    }

    fn dotted(&mut self, what: &str) -> Result<Vec<String>, ParseError> {
        let mut path = vec![self.expect_ident(what)?];
        while self.eat('.') {
            path.push(self.expect_ident(what)?);
        }
        Ok(path)
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error_here(&format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    /// The next token that is not a doc comment; doc comments passed over are kept for the
    /// member they document.
    fn peek(&mut self) -> Option<&Token> {
        while let Some(Token {
            kind: TokenKind::DocComment(text),
            ..
        }) = self.tokens.get(self.position)
        {
            self.docs.push(text.clone());
            self.position += 1;
        }
        self.tokens.get(self.position)
    }

    fn peek_kind(&mut self) -> Option<&TokenKind> {
        self.peek().map(|t| &t.kind)
    }

    fn peek_punct(&mut self) -> Option<char> {
        match self.peek_kind() {
            Some(TokenKind::Punct(c)) => Some(*c),
            _ => None,
        }
    }

    fn ident_value(&mut self) -> Option<String> {
        match self.peek_kind() {
            Some(TokenKind::Ident(word)) => Some(word.clone()),
            _ => None,
        }
    }

    fn offset(&mut self) -> usize {
        let end = self.end;
        self.peek().map_or(end, |t| t.offset)
    }

    fn eat(&mut self, punct: char) -> bool {
        let found = self.peek_punct() == Some(punct);
        if found {
            self.position += 1;
        }
        found
    }

    fn eat_ident(&mut self, word: &str) -> bool {
        let found = self.ident_value().as_deref() == Some(word);
        if found {
            self.position += 1;
        }
        found
    }

    fn expect(&mut self, punct: char) -> Result<(), ParseError> {
        if self.eat(punct) {
            Ok(())
        } else {
            Err(self.unexpected(&format!("`{punct}`")))
        }
    }

    fn expect_ident(&mut self, what: &str) -> Result<String, ParseError> {
        match self.ident_value() {
            Some(word) => {
                self.position += 1;
                Ok(word)
            }
            None => Err(self.unexpected(what)),
        }
    }

    /// At the end of the input, or at `export`/`namespace`/`interface` not used as a property name.
    fn starts_declaration(&mut self) -> bool {
        let Some(word) = self.ident_value() else {
            return self.peek().is_none();
        };
        let next_is_member_syntax = matches!(
            self.tokens.get(self.position + 1).map(|t| &t.kind),
            Some(TokenKind::Punct(':' | '?' | '('))
        );
        matches!(word.as_str(), "export" | "namespace" | "interface") && !next_is_member_syntax
    }

    fn never_closed(&mut self, open: usize, expected: &str) -> ParseError {
        let found = self.unexpected(expected).message;
        ParseError {
            offset: open,
            message: format!("`{{` is never closed: {found}"),
        }
    }

    fn error_here(&mut self, message: &str) -> ParseError {
        ParseError {
            offset: self.offset(),
            message: message.to_owned(),
        }
    }

    fn unexpected(&mut self, expected: &str) -> ParseError {
        let found = match self.peek_kind() {
            None => "the end of the TypeScript part".to_owned(),
            Some(TokenKind::Ident(word)) => format!("`{word}`"),
            Some(TokenKind::Str(value)) => format!("'{value}'"),
            Some(TokenKind::Number(value)) => format!("`{value}`"),
            Some(TokenKind::Punct(c)) => format!("`{c}`"),
            Some(TokenKind::DocComment(_)) => "a doc comment".to_owned(),
        };
        self.error_here(&format!("expected {expected}, found {found}"))
    }
}

#[cfg(test)]
mod tests {
    use super::super::lexer::tokenize;
    use super::*;

    fn parse(code: &str) -> Result<Module, ParseError> {
        parse_module(&tokenize(code, 0).unwrap(), code.len())
    }

    #[test]
    fn parses_namespaces_interfaces_and_types() {
        let module = parse(
            "import { A } from 'axios'\nnamespace X.Y { export interface R<D = Q> extends AxiosRequestConfig { data?: D; a: { b: 'x' | 'y' }[]; c: string | Date; d: [] } }\n\
             namespace X { export interface Y { /** doc */ (data: Y.R, config?: Y.R): AxiosPromise<Y.R>\n get(config: Y.R): P<Y.R> } }\n\
             export var v: X.Y.R['data']",
        )
        .unwrap();
        assert_eq!(module.namespaces.len(), 2);
        let r = &module.namespaces[0].interfaces[0];
        assert_eq!(r.type_params[0].name, "D");
        assert_eq!(r.extends, vec![vec!["AxiosRequestConfig".to_owned()]]);
        assert_eq!(r.properties().count(), 4);
        assert!(r.property("data").unwrap().optional);
        let signatures: Vec<_> = module.namespaces[1].interfaces[0].signatures().collect();
        assert_eq!(signatures[0].docs, vec![" doc ".to_owned()]);
        assert_eq!(signatures[1].name.as_deref(), Some("get"));
        assert!(matches!(module.variables[0].ty, Type::Indexed { .. }));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let code = format!(
            "interface A {{ a: {}string{} }}",
            "(".repeat(10_000),
            ")".repeat(10_000)
        );
        let error = parse(&code).unwrap_err();
        assert_eq!(error.message, "nesting deeper than 32 levels");
    }

    #[test]
    fn unbalanced_braces_are_reported() {
        let error = parse("namespace A { export interface B { a: string }").unwrap_err();
        assert_eq!(
            error.message,
            "`{` is never closed: expected `export interface` or `}`, found the end of the TypeScript part"
        );
    }
}

//! Parser: ODK expression text → [`Expr`], with winnow.
//!
//! Grammar (XPath 1.0 precedence, lowest first): `or`, `and`, `=` `!=`, `<` `<=` `>` `>=`,
//! `+` `-`, `*` `div` `mod`, unary `-`, then primaries: numbers, `'text'`/`"text"`,
//! `${name}`, `.`, `..`, `name(args…)` and bare names (choice columns in choice_filter).

use super::{BinOp, Call, Expr, Func, Ref, Target};
use winnow::combinator::{alt, cut_err, delimited, opt, separated};
use winnow::error::{StrContext, StrContextValue};
use winnow::prelude::*;
use winnow::stream::{LocatingSlice, Location, Stream};
use winnow::token::{any, literal, one_of, take_till, take_while};

type In<'a> = LocatingSlice<&'a str>;
type R<T> = ModalResult<T>;

/// A parse error: a Chinese message and the 1-based character position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParseError {
    pub position: usize,
    pub message: String,
}

/// Longest expression accepted, in characters (the parser, the evaluator and the tree
/// itself recurse, on a stack of 1 MB in the browser).
pub(crate) const MAX_CHARS: usize = 4_000;
/// Deepest nesting accepted: brackets, unary minus, and operators in one tree branch.
pub(crate) const MAX_DEPTH: usize = 64;

/// Refuses, before parsing, what would nest deeper than [`MAX_DEPTH`] or is longer than
/// [`MAX_CHARS`] (found by fuzzing: a few thousand `(` overflowed the stack).
fn too_deep(src: &str) -> Option<ParseError> {
    let refuse = |offset: usize| Some(deep_error(super::char_position(src, offset)));
    if src.chars().count() > MAX_CHARS {
        return refuse(0);
    }
    let (mut depth, mut minus, mut quote) = (0usize, 0usize, None::<char>);
    for (at, c) in src.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(' | '[') => depth += 1,
            (None, ')' | ']') => depth = depth.saturating_sub(1),
            _ => {}
        }
        if quote.is_none() && c == '-' {
            minus += 1;
        } else if !c.is_whitespace() {
            minus = 0;
        }
        if depth > MAX_DEPTH || minus > MAX_DEPTH {
            return refuse(at);
        }
    }
    None
}

fn deep_error(position: usize) -> ParseError {
    ParseError {
        position,
        message: format!("表达式太长或嵌套太深（最多 {MAX_CHARS} 个字符、{MAX_DEPTH} 层括号或负号）"),
    }
}

/// Depth of the tree, counted without recursion.
fn tree_depth(e: &Expr) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(e, 1usize)];
    while let Some((e, d)) = stack.pop() {
        deepest = deepest.max(d);
        match e {
            Expr::Neg(x) => stack.push((x, d + 1)),
            Expr::Bin(_, a, b) => {
                stack.push((a, d + 1));
                stack.push((b, d + 1));
            }
            Expr::Call(c) => stack.extend(c.args.iter().map(|a| (a, d + 1))),
            _ => {}
        }
    }
    deepest
}

/// Parses a whole expression.
pub(crate) fn parse(src: &str) -> Result<Expr, ParseError> {
    if let Some(e) = too_deep(src) {
        return Err(e);
    }
    let parsed = parse_checked(src)?;
    if tree_depth(&parsed) > 4 * MAX_DEPTH {
        return Err(deep_error(1));
    }
    Ok(parsed)
}

fn parse_checked(src: &str) -> Result<Expr, ParseError> {
    let input = LocatingSlice::new(src);
    delimited(ws, or_expr, ws).parse(input).map_err(|e| {
        let expected: Vec<String> = e
            .inner()
            .context()
            .filter_map(|c| match c {
                StrContext::Expected(StrContextValue::Description(d)) => Some((*d).to_string()),
                StrContext::Expected(v) => Some(v.to_string()),
                StrContext::Label(l) => Some((*l).to_string()),
                _ => None,
            })
            .collect();
        let message = if expected.is_empty() {
            if e.offset() >= src.len() {
                "表达式不完整".to_string()
            } else {
                "此处有多余或无法识别的内容".to_string()
            }
        } else {
            format!("此处应为 {}", expected.join(" 或 "))
        };
        ParseError {
            position: super::char_position(src, e.offset()),
            message,
        }
    })
}

fn expected(what: &'static str) -> StrContext {
    StrContext::Expected(StrContextValue::Description(what))
}

fn ws(i: &mut In) -> R<()> {
    take_while(0.., char::is_whitespace).void().parse_next(i)
}

fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// Parses one operator from `ops` (after optional whitespace), backtracking when none
/// matches. Word operators must not run into a following name character.
fn operator(i: &mut In, ops: &[(&'static str, BinOp)]) -> R<Option<BinOp>> {
    let start = i.checkpoint();
    ws(i)?;
    for &(text, op) in ops {
        if i.starts_with(text) {
            let word = text.chars().all(|c| c.is_ascii_alphabetic());
            let next = i[text.len()..].chars().next();
            if word && next.is_some_and(is_name_char) {
                continue;
            }
            // `-` followed by a name char would be a name in XPath only after a name; here the
            // previous token ended an operand, so it is the minus operator.
            let _ = i.next_slice(text.len());
            ws(i)?;
            return Ok(Some(op));
        }
    }
    i.reset(&start);
    Ok(None)
}

fn level(i: &mut In, ops: &[(&'static str, BinOp)], next: fn(&mut In) -> R<Expr>) -> R<Expr> {
    let mut lhs = next(i)?;
    while let Some(op) = operator(i, ops)? {
        let rhs = cut_err(next).context(expected("表达式")).parse_next(i)?;
        lhs = Expr::Bin(op, Box::new(lhs), Box::new(rhs));
    }
    Ok(lhs)
}

fn or_expr(i: &mut In) -> R<Expr> {
    level(i, &[("or", BinOp::Or)], and_expr)
}

fn and_expr(i: &mut In) -> R<Expr> {
    level(i, &[("and", BinOp::And)], eq_expr)
}

fn eq_expr(i: &mut In) -> R<Expr> {
    level(i, &[("!=", BinOp::Ne), ("=", BinOp::Eq)], rel_expr)
}

fn rel_expr(i: &mut In) -> R<Expr> {
    level(
        i,
        &[
            ("<=", BinOp::Le),
            (">=", BinOp::Ge),
            ("<", BinOp::Lt),
            (">", BinOp::Gt),
        ],
        add_expr,
    )
}

fn add_expr(i: &mut In) -> R<Expr> {
    level(i, &[("+", BinOp::Add), ("-", BinOp::Sub)], mul_expr)
}

fn mul_expr(i: &mut In) -> R<Expr> {
    level(
        i,
        &[("*", BinOp::Mul), ("div", BinOp::Div), ("mod", BinOp::Mod)],
        unary,
    )
}

fn unary(i: &mut In) -> R<Expr> {
    if opt(('-', ws)).parse_next(i)?.is_some() {
        let e = cut_err(unary).context(expected("表达式")).parse_next(i)?;
        return Ok(Expr::Neg(Box::new(e)));
    }
    primary(i)
}

fn primary(i: &mut In) -> R<Expr> {
    alt((
        paren,
        string_lit,
        number,
        reference,
        dots,
        name_or_call,
        winnow::combinator::fail.context(expected("表达式")),
    ))
    .parse_next(i)
}

fn paren(i: &mut In) -> R<Expr> {
    ('(', ws).parse_next(i)?;
    let e = cut_err(or_expr).context(expected("表达式")).parse_next(i)?;
    ws(i)?;
    cut_err(')').context(expected("`)`")).parse_next(i)?;
    Ok(e)
}

fn string_lit(i: &mut In) -> R<Expr> {
    let quote = one_of(['\'', '"']).parse_next(i)?;
    let text = take_till(0.., quote).parse_next(i)?;
    cut_err(any.verify(|c: &char| *c == quote))
        .context(expected("字符串结束引号"))
        .parse_next(i)?;
    Ok(Expr::Str(text.into()))
}

fn number(i: &mut In) -> R<Expr> {
    let text = alt((
        (
            take_while(1.., |c: char| c.is_ascii_digit()),
            opt(('.', take_while(0.., |c: char| c.is_ascii_digit()))),
        )
            .take(),
        ('.', take_while(1.., |c: char| c.is_ascii_digit())).take(),
    ))
    .parse_next(i)?;
    Ok(Expr::Num(text.parse().unwrap_or(f64::NAN)))
}

fn reference(i: &mut In) -> R<Expr> {
    let pos = i.current_token_start() as u32;
    literal("${").parse_next(i)?;
    let name = cut_err(take_while(1.., |c: char| c != '}' && !c.is_whitespace()))
        .context(expected("字段名"))
        .parse_next(i)?;
    cut_err('}').context(expected("`}`")).parse_next(i)?;
    Ok(Expr::Ref(Ref {
        name: name.into(),
        pos,
        target: Target::Unresolved,
    }))
}

fn dots(i: &mut In) -> R<Expr> {
    let pos = i.current_token_start() as u32;
    if opt(literal("..")).parse_next(i)?.is_some() {
        return Ok(Expr::Parent(pos));
    }
    '.'.parse_next(i)?;
    Ok(Expr::Current)
}

fn name_or_call(i: &mut In) -> R<Expr> {
    let pos = i.current_token_start() as u32;
    // A prefixed name (`jr:choice-name`) is read whole, so the linter can name it.
    let name = (
        one_of(is_name_start),
        take_while(0.., is_name_char),
        opt((':', one_of(is_name_start), take_while(0.., is_name_char))),
    )
        .take()
        .parse_next(i)?;
    let start = i.checkpoint();
    ws(i)?;
    if opt('(').parse_next(i)?.is_none() {
        i.reset(&start);
        return Ok(Expr::Name(name.into(), pos));
    }
    ws(i)?;
    let args: Vec<Expr> = separated(0.., delimited(ws, or_expr, ws), ',').parse_next(i)?;
    ws(i)?;
    cut_err(')').context(expected("`,` 或 `)`")).parse_next(i)?;
    Ok(Expr::Call(Box::new(Call {
        name: name.into(),
        func: Func::lookup(name).map(|f| f.0),
        args,
        pos,
        regex: None,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(src: &str) -> Expr {
        parse(src).unwrap_or_else(|e| panic!("{src}: {e:?}"))
    }

    #[test]
    fn precedence_follows_xpath() {
        match ok("1 + 2 * 3 = 7 and ${a} or not(.)") {
            Expr::Bin(BinOp::Or, a, b) => {
                assert!(matches!(*a, Expr::Bin(BinOp::And, _, _)));
                assert!(matches!(*b, Expr::Call(_)));
            }
            e => panic!("{e:?}"),
        }
        match ok("10 div 2 mod 3") {
            Expr::Bin(BinOp::Mod, a, _) => assert!(matches!(*a, Expr::Bin(BinOp::Div, _, _))),
            e => panic!("{e:?}"),
        }
        assert!(matches!(ok("-${x}"), Expr::Neg(_)));
        assert!(matches!(ok("position(..)"), Expr::Call(_)));
        assert!(matches!(
            ok("village=${village}"),
            Expr::Bin(BinOp::Eq, _, _)
        ));
        assert!(matches!(ok("${a}-1"), Expr::Bin(BinOp::Sub, _, _)));
        assert!(matches!(ok(" .5 "), Expr::Num(n) if n == 0.5));
        assert!(parse("'it''s'").is_err());
        assert!(matches!(ok("\"a'b\""), Expr::Str(s) if &*s == "a'b"));
        assert!(matches!(ok("${a} <= 3"), Expr::Bin(BinOp::Le, _, _)));
        assert!(matches!(ok("${a}!=3"), Expr::Bin(BinOp::Ne, _, _)));
        // `order` is a name, not `or` + `der`.
        assert!(matches!(ok("order"), Expr::Name(n, _) if &*n == "order"));
        assert!(
            matches!(ok("count-selected(${a})"), Expr::Call(c) if c.func == Some(Func::CountSelected))
        );
    }

    #[test]
    fn errors_carry_character_positions() {
        let e = parse("${a} + ").unwrap_err();
        assert_eq!(e.position, 8, "{e:?}");
        let e = parse("(1 + 2").unwrap_err();
        assert_eq!(e.position, 7, "{e:?}");
        assert!(e.message.contains(')'), "{e:?}");
        let e = parse("'open").unwrap_err();
        assert_eq!(e.position, 6, "{e:?}");
        let e = parse("${年龄 > 3").unwrap_err();
        assert_eq!(e.position, 5, "{e:?}");
        let e = parse("1 2").unwrap_err();
        assert_eq!(e.position, 3, "{e:?}");
        let e = parse("").unwrap_err();
        assert_eq!(e.position, 1, "{e:?}");
        let e = parse("if(1, 2").unwrap_err();
        assert_eq!(e.position, 8, "{e:?}");
        let e = parse("${a} = = 2").unwrap_err();
        assert_eq!(e.position, 8, "{e:?}");
    }
}

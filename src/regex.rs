//! The browser's own `RegExp` as the engine of the survey expressions' `regex()` (issue #18):
//! the core's regex-lite engine stays native (build script, bureau and translators' tools)
//! and the wasm carries none. ODK's engine is JavaScript's too, so the meaning is the same
//! one the core's native engine imitates (a pattern without flags, UTF-16 unit by unit).
use std::cell::RefCell;
use std::collections::HashMap;
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    /// Compiled patterns: each pattern once, by its handle (its index).
    static COMPILED: RefCell<(HashMap<String, u32>, Vec<js_sys::RegExp>)> = RefCell::default();
}

fn compile(pattern: &str) -> Result<u32, String> {
    COMPILED.with(|c| {
        let (by_pattern, all) = &mut *c.borrow_mut();
        if let Some(&handle) = by_pattern.get(pattern) {
            return Ok(handle);
        }
        // `new RegExp(pattern)` throws a SyntaxError for a bad pattern: caught, its message kept.
        let ctor = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("RegExp"))
            .map_err(|_| "no RegExp".to_string())?;
        let args = js_sys::Array::of1(&JsValue::from_str(pattern));
        let ctor: &js_sys::Function = ctor.unchecked_ref();
        let re = js_sys::Reflect::construct(ctor, &args).map_err(|err| {
            js_sys::Reflect::get(&err, &JsValue::from_str("message"))
                .ok()
                .and_then(|m| m.as_string())
                .unwrap_or_else(|| "invalid regular expression".to_string())
        })?;
        let handle = all.len() as u32;
        all.push(re.unchecked_into());
        by_pattern.insert(pattern.to_string(), handle);
        Ok(handle)
    })
}

fn test(handle: u32, text: &str) -> bool {
    COMPILED.with(|c| c.borrow().1.get(handle as usize).is_some_and(|re| re.test(text)))
}

/// Gives the core this engine (idempotent); done before the survey is compiled.
pub fn install() {
    survey_core::expr::set_regex_engine(survey_core::expr::RegexEngine { compile, test });
}

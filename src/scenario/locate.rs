//! Maps a field path (`functions.api.arrivals.rate`) to its position in the scenario text, so
//! validation errors can name a line, and applies `--set` overrides by the same paths.

use toml_edit::{DocumentMut, ImDocument, Item, Value};

fn element_index(
    array_len: usize,
    name_of: impl Fn(usize) -> Option<String>,
    sel: &str,
) -> Option<usize> {
    (0..array_len)
        .find(|&i| name_of(i).as_deref() == Some(sel))
        .or_else(|| sel.parse::<usize>().ok().filter(|&i| i < array_len))
}

/// The 1-based line of `path` in `text`, or of its nearest existing ancestor.
pub fn line_of(text: &str, path: &str) -> Option<usize> {
    let doc = ImDocument::parse(text.to_owned()).ok()?;
    let mut table: &dyn toml_edit::TableLike = doc.as_table();
    let mut span = None;
    let segs: Vec<&str> = path.split('.').collect();
    let mut i = 0;
    while i < segs.len() {
        let Some((key, item)) = table.get_key_value(segs[i]) else {
            break;
        };
        span = key.span().or_else(|| item.span()).or(span);
        i += 1;
        match item {
            Item::ArrayOfTables(arr) if i < segs.len() => {
                let idx = element_index(arr.len(), |j| name_at(arr, j), segs[i]);
                let Some(t) = idx.and_then(|j| arr.get(j)) else {
                    break;
                };
                span = t.get_key_value("name").and_then(|(k, _)| k.span()).or(span);
                table = t;
                i += 1;
            }
            Item::Table(t) => table = t,
            Item::Value(Value::InlineTable(t)) => table = t,
            // A list written over several lines: its element's line (`arrivals.1.every`).
            Item::Value(Value::Array(a)) if i < segs.len() => {
                let Some(v) = segs[i].parse::<usize>().ok().and_then(|j| a.get(j)) else {
                    break;
                };
                span = v.span().or(span);
                i += 1;
                match v {
                    Value::InlineTable(t) => table = t,
                    _ => break,
                }
            }
            _ => break,
        }
    }
    span.map(|s| line_at(text, s.start))
}

/// The field path (`functions.api.memory_mb`) of the deepest key or table whose text holds
/// byte `offset`, for parse errors; `None` if the text is not TOML or nothing holds it.
pub fn path_at(text: &str, offset: usize) -> Option<String> {
    let doc = ImDocument::parse(text.to_owned()).ok()?;
    let mut best = None;
    walk(doc.as_table(), "", offset, &mut best);
    best
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

fn holds(span: Option<std::ops::Range<usize>>, offset: usize) -> bool {
    span.is_some_and(|s| s.start <= offset && offset < s.end.max(s.start + 1))
}

fn walk(table: &dyn toml_edit::TableLike, prefix: &str, offset: usize, best: &mut Option<String>) {
    for (name, _) in table.iter() {
        let Some((key, item)) = table.get_key_value(name) else {
            continue;
        };
        let path = join(prefix, name);
        match item {
            Item::Value(v) => {
                if holds(key.span(), offset) || holds(v.span(), offset) {
                    *best = Some(path.clone());
                }
                walk_value(v, &path, offset, best);
            }
            Item::Table(t) => {
                if holds(key.span(), offset) || holds(t.span(), offset) {
                    *best = Some(path.clone());
                }
                walk(t, &path, offset, best);
            }
            Item::ArrayOfTables(arr) => {
                for (j, t) in arr.iter().enumerate() {
                    let sel = name_at(arr, j).unwrap_or_else(|| j.to_string());
                    let at = join(&path, &sel);
                    if holds(t.span(), offset) {
                        *best = Some(at.clone());
                    }
                    walk(t, &at, offset, best);
                }
            }
            Item::None => {}
        }
    }
}

fn walk_value(v: &Value, path: &str, offset: usize, best: &mut Option<String>) {
    match v {
        Value::InlineTable(t) => walk(t, path, offset, best),
        Value::Array(a) => {
            for (i, e) in a.iter().enumerate() {
                let at = join(path, &i.to_string());
                if holds(e.span(), offset) {
                    *best = Some(at.clone());
                }
                walk_value(e, &at, offset, best);
            }
        }
        _ => {}
    }
}

fn name_at(arr: &toml_edit::ArrayOfTables, i: usize) -> Option<String> {
    arr.get(i)?.get("name")?.as_str().map(str::to_owned)
}

fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

/// Tables that are tagged enums with a default variant: (key, tag, default variant). When
/// `--set` creates one of them, the tag is filled in so `--set platform.keep_alive.idle=5m`
/// works on a scenario that leaves `keep_alive` at its default.
const DEFAULT_TAGS: &[(&str, &str, &str)] = &[("keep_alive", "policy", "fixed")];

/// Applies `value` at `path` in `doc`. Creates missing tables on the way; for `functions.X`,
/// X must be an existing function's name or index. Existence of the final key is checked by
/// the strict schema when the document is deserialized.
pub fn set(doc: &mut DocumentMut, path: &str, value: Value) -> Result<(), String> {
    let segs: Vec<&str> = path.split('.').collect();
    if segs.iter().any(|s| s.is_empty()) {
        return Err("the path has an empty segment; write e.g. platform.keep_alive.idle".into());
    }
    let mut table: &mut dyn toml_edit::TableLike = doc.as_table_mut();
    let mut i = 0;
    while i + 1 < segs.len() {
        let key = segs[i];
        if key == "functions" && i == 0 {
            let sel = segs[1];
            let arr = table
                .get_mut("functions")
                .and_then(Item::as_array_of_tables_mut)
                .ok_or_else(|| "the scenario has no [[functions]]".to_string())?;
            let idx = element_index(arr.len(), |j| name_at(arr, j), sel)
                .ok_or_else(|| format!("no function named `{sel}`"))?;
            if i + 2 >= segs.len() {
                return Err(format!(
                    "name a field of function `{sel}`, e.g. functions.{sel}.memory_mb"
                ));
            }
            table = arr.get_mut(idx).expect("index checked above");
            i += 2;
            continue;
        }
        let entry = table.entry(key).or_insert_with(|| {
            let mut t = toml_edit::InlineTable::default();
            // A tagged table created by --set needs its tag; use the default variant.
            if let Some((_, tag, variant)) = DEFAULT_TAGS.iter().find(|(k, _, _)| *k == key) {
                t.insert(*tag, Value::from(*variant));
            }
            Item::Value(Value::InlineTable(t))
        });
        table = match entry {
            Item::Table(t) => t,
            Item::Value(Value::InlineTable(t)) => t,
            _ => return Err(format!("`{key}` is not a table, so `{path}` cannot be set")),
        };
        i += 1;
    }
    let last = segs[segs.len() - 1];
    match table.get_mut(last) {
        Some(item) => *item = Item::Value(value),
        None => {
            table.insert(last, Item::Value(value));
        }
    }
    Ok(())
}

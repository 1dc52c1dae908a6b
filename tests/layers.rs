//! The layers point one way: every `crate::` path in `src/` (in `use` lines, grouped `use
//! crate::{…}` lists and paths written in code) names a module of the same top-level module or
//! of a layer below it, in the order ARCHITECTURE.md states on its `Layer order:` line.
//! Comments are not read (a doc link may name a module above). A module of `src/` missing from
//! that line fails too, so a new module has to be given its place.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The layers of ARCHITECTURE.md's `Layer order:` line, lowest first: `a` → `b`, `c` → `d`
/// gives [[a], [b, c], [d]]. Modules of one layer must not import each other.
fn layer_order(architecture: &str) -> Vec<Vec<String>> {
    let line = architecture
        .lines()
        .find_map(|l| l.trim().strip_prefix("Layer order:"))
        .expect("ARCHITECTURE.md states the layer order on a line starting `Layer order:`");
    line.split('→')
        .map(|layer| {
            layer
                .split(',')
                .map(|m| m.trim().trim_matches(|c| c == '`' || c == '.').to_owned())
                .filter(|m| !m.is_empty())
                .collect()
        })
        .collect()
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("src/ is readable")
        .map(|e| e.expect("src/ is readable").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to: `src/a/b.rs` and `src/a.rs` → `a`.
fn top_module(relative: &Path) -> String {
    let first = relative
        .components()
        .next()
        .expect("a path under src/")
        .as_os_str()
        .to_string_lossy()
        .into_owned();
    first.strip_suffix(".rs").unwrap_or(&first).to_owned()
}

/// `text` without its `//` comments (doc comments included) and string literals' contents,
/// line by line, so that positions keep their line numbers.
fn code_of(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| {
            let mut out = String::with_capacity(line.len());
            let mut chars = line.chars().peekable();
            let mut in_string = false;
            while let Some(c) = chars.next() {
                if in_string {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => {
                            in_string = false;
                            out.push('"');
                        }
                        _ => {}
                    }
                } else if c == '"' {
                    in_string = true;
                    out.push('"');
                } else if c == '/' && chars.peek() == Some(&'/') {
                    break;
                } else {
                    out.push(c);
                }
            }
            out
        })
        .collect()
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The top-level modules named by `crate::` paths in `code` (lines), with their 1-based line:
/// `crate::a::x` → `a`; `crate::{a, b::{c}}` → `a` and `b`, also across lines.
fn crate_paths(code: &[String]) -> Vec<(usize, String)> {
    let joined: Vec<(usize, char)> = code
        .iter()
        .enumerate()
        .flat_map(|(i, l)| {
            l.chars()
                .chain(std::iter::once('\n'))
                .map(move |c| (i + 1, c))
        })
        .collect();
    let text: String = joined.iter().map(|&(_, c)| c).collect();
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let needle: Vec<char> = "crate::".chars().collect();
    let mut i = 0;
    while i + needle.len() <= chars.len() {
        let preceded = i > 0 && (is_ident(chars[i - 1]) || chars[i - 1] == '$');
        if chars[i..i + needle.len()] != needle[..] || preceded {
            i += 1;
            continue;
        }
        let line = joined[i].0;
        let mut j = i + needle.len();
        if chars.get(j) == Some(&'{') {
            // A group: its first-level names, each up to `::`, `,` or the closing brace.
            let (mut depth, mut at_start) = (0, true);
            let (mut name, mut name_line) = (String::new(), line);
            while j < chars.len() {
                let c = chars[j];
                if depth == 1 && at_start && is_ident(c) {
                    if name.is_empty() {
                        name_line = joined[j].0;
                    }
                    name.push(c);
                    j += 1;
                    continue;
                }
                if !name.is_empty() {
                    found.push((name_line, std::mem::take(&mut name)));
                    at_start = false;
                }
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => at_start = true,
                    _ => {}
                }
                j += 1;
            }
        } else {
            let name: String = chars[j..].iter().take_while(|&&c| is_ident(c)).collect();
            j += name.len();
            if !name.is_empty() {
                found.push((line, name));
            }
        }
        i = j.max(i + 1);
    }
    found
}

#[test]
fn no_module_imports_one_above_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let architecture =
        std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let layers = layer_order(&architecture);
    let rank: BTreeMap<String, usize> = layers
        .iter()
        .enumerate()
        .flat_map(|(i, layer)| layer.iter().map(move |m| (m.clone(), i)))
        .collect();
    assert!(
        rank.len() > 5,
        "the layer order names the modules: {layers:?}"
    );

    let src = root.join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut problems = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).expect("under src/");
        let shown = Path::new("src").join(relative);
        let module = top_module(relative);
        if module == "lib" {
            continue;
        }
        let Some(&own) = rank.get(&module) else {
            problems.push(format!(
                "{}: module `{module}` is not in ARCHITECTURE.md's `Layer order:` line",
                shown.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).expect("a source file");
        for (line, target) in crate_paths(&code_of(&text)) {
            if target == module || target == "self" {
                continue;
            }
            match rank.get(&target) {
                None => problems.push(format!(
                    "{}:{line}: `crate::{target}` is not in ARCHITECTURE.md's layer order",
                    shown.display()
                )),
                Some(&theirs) if theirs >= own => problems.push(format!(
                    "{}:{line}: `{module}` imports `crate::{target}`, {} it in the layer order",
                    shown.display(),
                    if theirs == own { "beside" } else { "above" }
                )),
                Some(_) => {}
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn crate_paths_are_read_in_every_form() {
    let code = code_of(
        "use crate::engine::SimTime;\n\
         use crate::{metrics::{Class, Summary}, scenario,\n    report::{self}};\n\
         let x = crate::sweep::plan(); // crate::guard in a comment\n\
         let s = \"crate::app in a string\"; $crate::cli; coldsim_crate::x;\n",
    );
    let found: Vec<(usize, String)> = crate_paths(&code);
    let names: Vec<(usize, &str)> = found.iter().map(|(l, n)| (*l, n.as_str())).collect();
    assert_eq!(
        names,
        [
            (1, "engine"),
            (2, "metrics"),
            (2, "scenario"),
            (3, "report"),
            (4, "sweep")
        ]
    );
    assert_eq!(
        layer_order("x\nLayer order: `a` → `b`, `c` → `d`.\n"),
        [vec!["a"], vec!["b", "c"], vec!["d"]]
    );
}

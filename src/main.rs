//! The `coldsim` binary: parse the command line, run, map the outcome to an exit code.

mod app;
mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match app::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(app::Failure::BadInput(e)) => {
            eprintln!("error: {}", describe(&e));
            ExitCode::from(2)
        }
        Err(app::Failure::Internal(e)) => {
            eprintln!("internal error: {}", describe(&e));
            ExitCode::from(1)
        }
        Err(app::Failure::StdoutClosed) => ExitCode::from(141),
        Err(app::Failure::Interrupted(message)) => {
            eprintln!("{message}");
            ExitCode::from(130)
        }
    }
}

/// The error and its causes joined by `: `, each once (a message that already quotes its
/// cause, `cannot read x: No such file`, is not followed by it again), with control
/// characters from the input (escape sequences, carriage returns, NULs) shown escaped so
/// they never reach the terminal raw.
fn describe(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let c = cause.to_string();
        if text.contains(&c) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&c);
    }
    escape_controls(&text)
}

/// `text` with every control character but newline and tab written as `\u{1b}`.
fn escape_controls(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quoted_cause_is_not_repeated() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file");
        let e = anyhow::Error::new(io).context("cannot read x.csv: No such file");
        assert_eq!(describe(&e), "cannot read x.csv: No such file");
        let e = anyhow::anyhow!("inner").context("outer");
        assert_eq!(describe(&e), "outer: inner");
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(
            escape_controls("a\x1b[31mb\r\0\n\tc"),
            "a\\u{1b}[31mb\\u{d}\\u{0}\n\tc"
        );
    }
}

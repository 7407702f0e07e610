//! `embargo cvss VECTOR`.

use std::process::ExitCode;

pub fn run(vector: &str) -> ExitCode {
    match crate::domain::cvss::score(vector) {
        Ok(s) => {
            println!("{} {}", s.score_text(), s.rating.as_str());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("embargo cvss: {e}");
            ExitCode::from(65)
        }
    }
}

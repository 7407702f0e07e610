//! `embargo doctor`: one line per check of the deployment, ok / warn /
//! FAIL, with the fix; exit 1 when a check failed.

use std::process::ExitCode;

use crate::config::{Config, Paths};
use crate::domain::doctor::exit_code;

pub async fn run(config: Config, paths: Paths) -> anyhow::Result<ExitCode> {
    let findings = crate::app::doctor::run(&config, &paths).await;
    for finding in &findings {
        println!("{finding}");
    }
    Ok(ExitCode::from(exit_code(&findings)))
}

//! `embargo export --format osv|csaf|cve|html DIR`: the published advisories as
//! files for static hosting, the same bytes `serve` answers with.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use crate::app::{AppState, publication};
use crate::http::pages::advisories::{
    advisory_context, index_context, public_patches, render_static, security_txt_body,
};
use crate::publish::{Public, csaf, cve, osv};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// One OSV record per advisory: `DIR/OSV_ID.json`.
    Osv,
    /// The CSAF provider layout: `DIR/.well-known/csaf/...`.
    Csaf,
    /// One CVE record (5.1) per advisory with a CVE id: `DIR/CVE_ID.json`
    /// (needs `publication.cve_org_id`).
    Cve,
    /// The public site: pages, OSV, CSAF (and CVE) documents, the feed, security.txt
    /// and the list key (`list-key.asc`).
    Html,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long, value_enum)]
    format: Format,
    /// Directory to write into (created if missing; existing files are replaced).
    dir: PathBuf,
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    // Write then rename, so a web server never serves half a file.
    let tmp = path.with_extension("tmp~");
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

fn json(v: &serde_json::Value) -> anyhow::Result<Vec<u8>> {
    let mut out = serde_json::to_vec_pretty(v)?;
    out.push(b'\n');
    Ok(out)
}

fn csaf_files(
    state: &AppState,
    dir: &Path,
    all: &[Public],
    bar: &ProgressBar,
) -> anyhow::Result<()> {
    let site = state.config.site();
    let white = dir.join(".well-known/csaf/white");
    for a in all {
        let year = a.published_at.strftime("%Y").to_string();
        write(
            &white.join(&year).join(csaf::file_name(a.id.as_str())),
            json(&csaf::render(a, &site))?,
        )?;
        bar.inc(1);
    }
    write(&white.join("index.txt"), csaf::index_txt(all))?;
    write(&white.join("changes.csv"), csaf::changes_csv(all))?;
    let last = all
        .iter()
        .map(|a| a.modified_at)
        .max()
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    write(
        &dir.join(".well-known/csaf/provider-metadata.json"),
        json(&csaf::provider_metadata(&site, last))?,
    )?;
    Ok(())
}

pub async fn run(args: Args, state: AppState) -> anyhow::Result<ExitCode> {
    let all = publication::all(&state).await?;
    let site = state.config.site();
    let steps = match args.format {
        Format::Osv | Format::Csaf | Format::Cve => all.len(),
        Format::Html => all.len() * 2,
    };
    let bar = ProgressBar::new(steps as u64);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("exporting");
    if matches!(args.format, Format::Cve) && site.cve.is_none() {
        anyhow::bail!("{}", cve::Unavailable::NotConfigured);
    }
    let dir = &args.dir;
    let mut without_cve = 0;
    match args.format {
        Format::Osv => {
            for a in &all {
                write(
                    &dir.join(format!("{}.json", site.osv_id(&a.id))),
                    json(&osv::render(a, &site))?,
                )?;
                bar.inc(1);
            }
        }
        Format::Csaf => csaf_files(&state, dir, &all, &bar)?,
        Format::Cve => {
            for a in &all {
                match (cve::render(a, &site), cve::cve_id(&a.content)) {
                    (Ok(record), Some(id)) => {
                        write(&dir.join(format!("{id}.json")), json(&record)?)?
                    }
                    _ => without_cve += 1,
                }
                bar.inc(1);
            }
        }
        Format::Html => {
            let adv = dir.join("advisories");
            for a in &all {
                let title = format!("{}: {}", a.id, a.content.summary);
                let mut ctx = advisory_context(&state, a);
                let patches = public_patches(&state, a)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                ctx["patches"] = serde_json::json!(patches);
                let page = render_static(
                    &state,
                    "advisory",
                    &title,
                    serde_json::json!({ "advisory": ctx }),
                )?;
                let mut conn = state.db.conn().await?;
                for p in crate::db::advisories::patches(&mut conn, &a.id).await? {
                    if let Some((_, bytes)) =
                        crate::db::advisories::patch_content(&mut conn, &a.id, &p.id).await?
                    {
                        write(&adv.join(a.id.as_str()).join("patches").join(&p.id), bytes)?;
                    }
                }
                // `/advisories/ID` is served by `advisories/ID/index.html` on static hosts.
                write(&adv.join(a.id.as_str()).join("index.html"), page)?;
                write(
                    &adv.join(format!("{}.osv.json", a.id)),
                    json(&osv::render(a, &site))?,
                )?;
                write(
                    &adv.join(format!("{}.csaf.json", a.id)),
                    json(&csaf::render(a, &site))?,
                )?;
                if let Ok(record) = cve::render(a, &site) {
                    write(&adv.join(format!("{}.cve.json", a.id)), json(&record)?)?;
                }
                bar.inc(1);
            }
            let index = render_static(
                &state,
                "advisories",
                "Security advisories",
                index_context(&all),
            )?;
            write(&adv.join("index.html"), index)?;
            write(
                &dir.join("feed.atom"),
                crate::publish::atom::render(&site, &all),
            )?;
            write(
                &dir.join(".well-known/security.txt"),
                security_txt_body(&state),
            )?;
            // What security.txt's `Encryption:` names, unless configured.
            write(&dir.join("list-key.asc"), state.list_key.armored_public())?;
            write(
                &dir.join("static/style.css"),
                include_str!("../../static/style.css"),
            )?;
            csaf_files(&state, dir, &all, &bar)?;
        }
    }
    bar.finish_and_clear();
    println!(
        "exported {} advisories to {}",
        all.len() - without_cve,
        dir.display()
    );
    if without_cve > 0 {
        println!("{without_cve} advisories without a CVE id have no CVE record");
    }
    Ok(ExitCode::SUCCESS)
}

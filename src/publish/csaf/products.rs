//! The product tree: one product per range, version and fixed version.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Status {
    Affected,
    Fixed,
    NotAffected,
}

#[derive(Debug)]
pub(super) struct Leaf {
    /// `product_version` or `product_version_range`.
    pub(super) category: &'static str,
    pub(super) name: String,
    pub(super) product_name: String,
    pub(super) product_id: String,
    pub(super) purl: Option<String>,
    pub(super) status: Status,
}

#[derive(Debug)]
pub(super) struct Package {
    pub(super) vendor: String,
    pub(super) ecosystem: String,
    pub(super) name: String,
    /// The `product_name` branch: the package name, with the ecosystem when
    /// two packages of one vendor share a name.
    pub(super) branch_name: String,
    pub(super) leaves: Vec<Leaf>,
    /// Fixed versions (or commits) named by the ranges, for the remediation.
    pub(super) fixes: Vec<String>,
    /// `(repo, commit)` of fixes named by GIT ranges.
    pub(super) fix_commits: Vec<(String, String)>,
    /// The package's purl without a version, from the first affected entry
    /// that gives one.
    pub(super) base_purl: Option<String>,
}

#[derive(Debug, Default)]
pub(super) struct Tree {
    pub(super) packages: Vec<Package>,
    /// Used when the advisory names no package at all.
    pub(super) fallback: Option<(String, String)>,
    /// Unaffected versions that did not become products.
    pub(super) unaffected_note: Vec<String>,
}

impl Tree {
    pub(super) fn build(advisory: &Public, site: &Site) -> Self {
        let c = &advisory.content;
        let mut tree = Tree::default();
        for a in &c.affected {
            let vendor = if site.csaf_category == "vendor" || a.package.ecosystem.trim().is_empty()
            {
                site.org.trim().to_owned()
            } else {
                a.package.ecosystem.trim().to_owned()
            };
            let ecosystem = a.package.ecosystem.trim().to_owned();
            let name = a.package.name.trim().to_owned();
            let at = match tree
                .packages
                .iter()
                .position(|p| p.vendor == vendor && p.ecosystem == ecosystem && p.name == name)
            {
                Some(i) => i,
                None => {
                    tree.packages.push(Package {
                        vendor,
                        ecosystem,
                        branch_name: name.clone(),
                        name,
                        leaves: Vec::new(),
                        fixes: Vec::new(),
                        fix_commits: Vec::new(),
                        base_purl: None,
                    });
                    tree.packages.len() - 1
                }
            };
            tree.packages[at].add_affected(a);
        }
        // Two packages of one vendor with one name (npm `x` and PyPI `x`).
        for i in 0..tree.packages.len() {
            let clash = tree.packages.iter().enumerate().any(|(j, p)| {
                j != i && p.vendor == tree.packages[i].vendor && p.name == tree.packages[i].name
            });
            if clash {
                let p = &mut tree.packages[i];
                p.branch_name = format!("{} ({})", p.name, p.ecosystem);
            }
        }

        let unaffected: Vec<&str> = c
            .database_specific
            .unaffected_versions
            .iter()
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .collect();
        for v in unaffected {
            if tree.packages.len() == 1 && is_plain_version(v) {
                let p = &mut tree.packages[0];
                let product_name = format!("{} {v}", p.name);
                let purl = p.purl_for_version(v);
                p.add_leaf(
                    "product_version",
                    v,
                    product_name,
                    purl,
                    Status::NotAffected,
                );
            } else {
                tree.unaffected_note.push(v.to_owned());
            }
        }

        let mut n = 0;
        for p in &mut tree.packages {
            for leaf in &mut p.leaves {
                n += 1;
                leaf.product_id = format!("CSAFPID-{n:04}");
            }
        }
        if n == 0 {
            tree.fallback = Some((
                format!("Products named in advisory {}", advisory.id),
                "CSAFPID-0001".into(),
            ));
        }
        tree
    }

    pub(super) fn ids(&self, status: Status) -> Vec<String> {
        if let Some((_, id)) = &self.fallback {
            return if status == Status::Affected {
                vec![id.clone()]
            } else {
                Vec::new()
            };
        }
        self.packages
            .iter()
            .flat_map(|p| &p.leaves)
            .filter(|l| l.status == status)
            .map(|l| l.product_id.clone())
            .collect()
    }

    pub(super) fn to_json(&self) -> Value {
        if let Some((name, id)) = &self.fallback {
            return json!({"full_product_names": [{"name": name, "product_id": id}]});
        }
        let mut vendors: Vec<(String, Vec<Value>)> = Vec::new();
        for p in &self.packages {
            let leaves: Vec<Value> = p
                .leaves
                .iter()
                .map(|l| {
                    let mut product = Map::new();
                    product.insert("name".into(), json!(l.product_name));
                    product.insert("product_id".into(), json!(l.product_id));
                    if let Some(purl) = &l.purl {
                        product.insert(
                            "product_identification_helper".into(),
                            json!({"purl": purl}),
                        );
                    }
                    json!({"category": l.category, "name": l.name, "product": product})
                })
                .collect();
            if leaves.is_empty() {
                continue;
            }
            let branch = json!({
                "branches": leaves,
                "category": "product_name",
                "name": p.branch_name,
            });
            match vendors.iter_mut().find(|(v, _)| *v == p.vendor) {
                Some((_, products)) => products.push(branch),
                None => vendors.push((p.vendor.clone(), vec![branch])),
            }
        }
        let branches: Vec<Value> = vendors
            .into_iter()
            .map(|(vendor, products)| {
                json!({"branches": products, "category": "vendor", "name": vendor})
            })
            .collect();
        json!({ "branches": branches })
    }

    /// `vendor_fix` per package that has fixed versions, `none_available`
    /// for the others; each lists the package's affected products.
    pub(super) fn remediations(&self, advisory_url: &str) -> Vec<Value> {
        let mut out = Vec::new();
        for p in &self.packages {
            let affected: Vec<&str> = p
                .leaves
                .iter()
                .filter(|l| l.status == Status::Affected)
                .map(|l| l.product_id.as_str())
                .collect();
            if affected.is_empty() {
                continue;
            }
            let mut details = Vec::new();
            if !p.fixes.is_empty() {
                details.push(format!(
                    "Upgrade {} to a fixed version: {} (or later).",
                    p.name,
                    p.fixes.join(", ")
                ));
            }
            for (repo, commit) in &p.fix_commits {
                details.push(format!(
                    "The fix is commit {commit} in {repo}; builds from source should include it."
                ));
            }
            if details.is_empty() {
                out.push(json!({
                    "category": "none_available",
                    "details": format!("No fixed version of {} is known yet.", p.name),
                    "product_ids": affected,
                    "url": advisory_url,
                }));
            } else {
                out.push(json!({
                    "category": "vendor_fix",
                    "details": details.join(" "),
                    "product_ids": affected,
                    "url": advisory_url,
                }));
            }
        }
        out
    }
}

impl Package {
    pub(super) fn add_leaf(
        &mut self,
        category: &'static str,
        name: &str,
        product_name: String,
        purl: Option<String>,
        status: Status,
    ) {
        // One product per (category, name); the first status wins, and
        // affected entries come first, so a version both listed as affected
        // and named as a fix stays affected (test 6.1.6).
        if self
            .leaves
            .iter()
            .any(|l| l.category == category && l.name == name)
        {
            return;
        }
        self.leaves.push(Leaf {
            category,
            name: name.to_owned(),
            product_name,
            product_id: String::new(),
            purl,
            status,
        });
    }

    pub(super) fn purl_for_version(&self, version: &str) -> Option<String> {
        self.base_purl
            .as_deref()
            .map(|p| purl_with_version(p, version))
    }

    pub(super) fn add_affected(&mut self, a: &Affected) {
        if self.base_purl.is_none() {
            self.base_purl = a
                .package
                .purl
                .as_deref()
                .map(str::trim)
                .filter(|p| p.starts_with("pkg:"))
                .map(versionless_purl);
        }
        let scheme_for_ecosystem = vers_scheme(self.base_purl.as_deref(), &self.ecosystem);
        for r in &a.ranges {
            let scheme = match r.kind {
                RangeType::Semver => "semver".to_owned(),
                RangeType::Ecosystem => scheme_for_ecosystem.clone(),
                // Commits have no order a vers scheme knows; `generic` is the
                // closest vers offers, and the repository is named alongside.
                RangeType::Git => "generic".to_owned(),
            };
            let vers = vers(r, &scheme);
            let product_name = match (&r.kind, &r.repo) {
                (RangeType::Git, Some(repo)) => format!("{} {vers} (commits of {repo})", self.name),
                _ => format!("{} {vers}", self.name),
            };
            let purl = self.base_purl.clone();
            self.add_leaf(
                "product_version_range",
                &vers,
                product_name,
                purl,
                Status::Affected,
            );
        }
        for v in a
            .versions
            .iter()
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
        {
            let product_name = format!("{} {v}", self.name);
            if is_plain_version(v) {
                let purl = self.purl_for_version(v);
                self.add_leaf("product_version", v, product_name, purl, Status::Affected);
            } else {
                // Not a single version (test 6.1.31): keep it as a range.
                let purl = self.base_purl.clone();
                self.add_leaf(
                    "product_version_range",
                    v,
                    product_name,
                    purl,
                    Status::Affected,
                );
            }
        }
        for r in &a.ranges {
            for ev in ordered_events(r) {
                let Event::Fixed(v) = ev else { continue };
                let v = v.trim();
                if !is_plain_version(v) {
                    continue;
                }
                if r.kind == RangeType::Git {
                    let repo = r.repo.clone().unwrap_or_default();
                    if !self.fix_commits.contains(&(repo.clone(), v.to_owned())) {
                        self.fix_commits.push((repo.clone(), v.to_owned()));
                    }
                    let product_name = format!("{} commit {v} of {repo}", self.name);
                    self.add_leaf("product_version", v, product_name, None, Status::Fixed);
                } else {
                    if !self.fixes.iter().any(|f| f == v) {
                        self.fixes.push(v.to_owned());
                    }
                    let product_name = format!("{} {v}", self.name);
                    let purl = self.purl_for_version(v);
                    self.add_leaf("product_version", v, product_name, purl, Status::Fixed);
                }
            }
        }
    }
}

// ---- versions, vers and purl ---------------------------------------------

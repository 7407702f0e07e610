//! What the Debian package and the container ship beside the binary: the
//! sample configuration (`deploy/debian/embargo.toml`). `.ci/package`
//! builds the package itself and checks its unit.

use embargo::config::Config;

const SAMPLE: &str = include_str!("../deploy/debian/embargo.toml");

fn load(text: &str) -> Config {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("embargo.toml");
    std::fs::write(&path, text).unwrap();
    Config::load(Some(&path)).unwrap_or_else(|e| panic!("{e:#}\n{text}"))
}

fn is_setting(line: &str) -> bool {
    line.strip_prefix('#')
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_lowercase()))
}

#[test]
fn packaged_configuration_loads_and_its_commented_values_are_in_force() {
    let shipped = load(SAMPLE);
    // `#key = value` lines uncommented: every key must exist and every
    // value must be the one in force already.
    let uncommented: String = SAMPLE
        .lines()
        .map(|l| if is_setting(l) { &l[1..] } else { l })
        .flat_map(|l| [l, "\n"])
        .collect();
    let settings = SAMPLE.lines().filter(|l| is_setting(l)).count();
    assert!(settings > 50, "{settings} commented settings");
    let json = |c: &Config| serde_json::to_value(c).unwrap();
    assert_eq!(json(&load(&uncommented)), json(&shipped));
    // The one value it sets: serve listens on loopback behind a local proxy.
    for ip in ["127.0.0.1", "::1"] {
        assert!(shipped.http.is_trusted_proxy(ip.parse().unwrap()), "{ip}");
    }
    assert!(!shipped.http.is_trusted_proxy("192.0.2.1".parse().unwrap()));
}

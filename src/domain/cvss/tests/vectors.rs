//! Vectors with the scores FIRST's material gives them.

// FIRST, "Common Vulnerability Scoring System v3.1: Examples"
// (https://www.first.org/cvss/v3.1/examples), Base vectors and Base scores
// of the scored CVEs; the anchor of each example is given. (Transcribed via
// the test suites of scm-rs/cvss-rs and goark/go-cvss, and every one
// re-checked against an exact-decimal evaluation of the 3.1 equations.)
pub(super) const V31_FIRST_EXAMPLES: &[(&str, f64)] = &[
    // #MySQL-Stored-SQL-Injection-CVE-2013-0375
    ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4),
    // #SSLv3-POODLE-Vulnerability-CVE-2014-3566
    ("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1),
    // #Apache-Tomcat-XML-Parser-Vulnerability-CVE-2009-0783
    ("CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L", 4.2),
    // #Cisco-IOS-Arbitrary-Command-Execution-Vulnerability-CVE-2012-0384
    ("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", 7.2),
    // #Apple-iWork-Denial-of-Service-Vulnerability-CVE-2015-1098
    ("CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.8),
    // #OpenSSL-Heartbleed-Vulnerability-CVE-2014-0160
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5),
    // #DNS-Kaminsky-Bug-CVE-2008-1447
    ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N", 6.8),
    // #Sophos-Login-Screen-Bypass-Vulnerability-CVE-2014-2005
    ("CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 6.8),
    // #Joomla-Directory-Traversal-Vulnerability-CVE-2010-0467
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N", 5.8),
    // #Cisco-Access-Control-Bypass-Vulnerability-CVE-2012-1342
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:L/A:N", 5.8),
    // #Juniper-Proxy-ARP-Denial-of-Service-Vulnerability-CVE-2013-6014
    ("CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:H", 9.3),
    // #Microsoft-Windows-Bluetooth-Remote-Code-Execution-Vulnerability-CVE-2011-1265
    ("CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.8),
    // #Apple-iOS-Security-Control-Bypass-Vulnerability-CVE-2014-2019
    ("CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N", 4.6),
    // #SearchBlox-Cross-Site-Request-Forgery-Vulnerability-CVE-2015-0970
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 8.8),
    // #SSL-TLS-MITM-Vulnerability-CVE-2014-0224
    ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N", 7.4),
    // #Google-Chrome-Sandbox-Bypass-vulnerability-CVE-2012-5376
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H", 9.6),
    // #SAMR-LSAD-Privilege-Escalation-via-Protocol-Downgrade-Vulnerability-Badlock-CVE-2016-0128-and-CVE-2016-2118
    ("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:N", 6.8),
    ("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.5),
    // #Cantemo-Portal-Stored-Cross-site-Scripting-Vulnerability-CVE-2019-7551
    ("CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:H/A:H", 9.0),
    // #WordPress-Mail-Plugin-Reflected-Cross-site-Scripting-Vulnerability-CVE-2017-5942
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
    // #Remote-Code-Execution-in-Oracle-Outside-in-Technology-CVE-2016-5558
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:L/A:L", 8.6),
    // #Lenovo-ThinkPwn-Exploit-CVE-2016-5729
    ("CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:C/C:H/I:H/A:H", 8.2),
    // #Failure-to-Lock-Flash-on-Resume-from-sleep-CVE-2015-2890
    ("CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:N/I:H/A:H", 6.0),
    // #Intel-DCI-Issue-CVE-2018-3652
    ("CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 7.6),
    // #Scripting-Engine-Memory-Corruption-Vulnerability-CVE-2019-0884
    ("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:N", 4.2),
];

// Computed by hand with the 3.1 Base equations (spec section 7.1) and
// Roundup (section 7.4, Appendix A); weights AV:N .85 P .2, AC:L .77,
// PR:N .85, UI:N .85, C/I/A H .56 N 0.
pub(super) const V31_BY_HAND: &[(&str, f64)] = &[
    // All high, Scope changed: Exploitability = 8.22*.85*.77*.85*.85 =
    // 3.8870428; ISS = 1-(1-.56)^3 = 0.914816; Impact = 7.52*(0.914816-.029)
    // - 3.25*(0.914816-.02)^15 = 6.0477305; 1.08*(3.8870428+6.0477305) =
    // 10.7295551 -> min 10 -> 10.0.
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
    // Two high impacts are enough to reach the cap: ISS = 1-.44^2 = 0.8064;
    // Impact = 7.52*0.7774 - 3.25*0.7864^15 = 5.84605 - 0.08842 = 5.7576;
    // 1.08*(3.8870428+5.7576) = 10.4162 -> 10.0.
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:N", 10.0),
    // No impact: ISS = 0, Impact = 6.42*0 = 0 <= 0 -> Base 0.0.
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
    // No impact, Scope changed: Impact = 7.52*(0-.029) - 3.25*(-.02)^15 =
    // -0.21808 (+ 1e-25) <= 0 -> 0.0.
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:N/A:N", 0.0),
    // Lowest corner, still 0.0: ISS = 0.
    ("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N", 0.0),
    // Roundup edge: the unrounded score lies 4e-6 below a tenth, the
    // closest any uncapped 3.1 Base vector comes to a boundary.
    // Exploitability = 8.22*.2*.77*.85*.85 = 0.9145983; ISS = .56; Impact =
    // 7.52*(.56-.029) - 3.25*(.54)^15 = 3.99312 - 0.0003146 = 3.9928054;
    // 1.08*(0.9145983+3.9928054) = 5.29999597 -> round(529999.597) =
    // 530000, a multiple of 10000 -> 5.3.
    ("CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:N", 5.3),
    ("CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:C/C:N/I:N/A:H", 5.3),
    // All high, Scope unchanged: Exploitability 3.8870428 (as above) +
    // Impact 6.42*0.914816 = 5.8731187 -> 9.7601615 -> 9.8; the same in
    // another metric order, which 3.x allows.
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
    ("CVSS:3.1/S:U/C:H/I:H/A:H/AV:N/AC:L/PR:N/UI:N", 9.8),
    // PR:L with Scope changed weighs 0.68: Exploitability =
    // 8.22*.85*.77*.68*.85 = 3.1096342; Impact 6.0477305 (as above);
    // 1.08*(3.1096342+6.0477305) = 9.8899539 -> 9.9.
    ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9),
];

// FIRST, "Common Vulnerability Scoring System v3.0: Examples"
// (https://www.first.org/cvss/v3.0/examples), scored by 3.0's round-up.
pub(super) const V30_FIRST_EXAMPLES: &[(&str, f64)] = &[
    // #phpMyAdmin-Reflected-Cross-site-Scripting-Vulnerability-CVE-2013-1937
    ("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
    // #DokuWiki-Reflected-Cross-site-Scripting-Attack-CVE-2014-9253
    ("CVSS:3.0/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N", 5.4),
    // #Cisco-IOS-Arbitrary-Command-Execution-Vulnerability-CVE-2012-0384
    // (re-scored with PR:H in the 3.1 examples)
    ("CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.8),
    // GNU Bourne-Again Shell (Bash) "Shellshock" (CVE-2014-6271)
    ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
    // VMware Guest to Host Escape (CVE-2012-1516)
    ("CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9),
    // SSLv3 POODLE (CVE-2014-3566)
    ("CVSS:3.0/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1),
];

// FIRST, "Common Vulnerability Scoring System v4.0: Examples"
// (https://www.first.org/cvss/v4.0/examples), vectors and scores as that
// document gives them (transcribed in the examples list of a third-party
// TypeScript scorer; each re-checked against the reference algorithm).
pub(super) const V40_FIRST_EXAMPLES: &[(&str, f64)] = &[
    // Base only (CVSS-B).
    (
        "CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        7.3,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        7.7,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:L/VA:L/SC:N/SI:N/SA:N",
        8.3,
    ),
    (
        "CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N",
        4.6,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:A/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N",
        5.1,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N",
        6.9,
    ),
    (
        "CVSS:4.0/AV:L/AC:L/AT:N/PR:H/UI:N/VC:N/VI:N/VA:N/SC:H/SI:N/SA:N",
        5.9,
    ),
    (
        "CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H",
        9.4,
    ),
    (
        "CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:N/VI:L/VA:N/SC:H/SI:N/SA:H",
        6.4,
    ),
    (
        "CVSS:4.0/AV:P/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H",
        8.6,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N",
        7.1,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N",
        8.2,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:L",
        8.7,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:P/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N",
        5.1,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        7.7,
    ),
    (
        "CVSS:4.0/AV:L/AC:L/AT:N/PR:H/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N",
        8.3,
    ),
    (
        "CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        8.5,
    ),
    (
        "CVSS:4.0/AV:P/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        5.4,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N",
        8.7,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N",
        6.9,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        9.3,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:L/SA:N",
        6.9,
    ),
    // With threat (CVSS-BT).
    (
        "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U",
        5.2,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N/E:A",
        8.7,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:A",
        10.0,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A",
        9.3,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:L/E:U",
        6.6,
    ),
    (
        "CVSS:4.0/AV:L/AC:L/AT:N/PR:H/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N/E:U",
        5.6,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A",
        9.2,
    ),
    // With environmental (CVSS-BE, CVSS-BTE).
    (
        "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:L/VA:L/SC:N/SI:N/SA:N\
         /CR:H/IR:L/AR:L/MAV:N/MAC:H/MVC:H/MVI:L/MVA:L",
        8.1,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H\
         /E:P/CR:L/IR:H/AR:L/MAV:L/MAC:H/MAT:N/MPR:N/MUI:N/MVC:N/MVI:H/MVA:L\
         /MSC:N/MSI:S/MSA:L",
        7.0,
    ),
    (
        "CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N/MSI:S/S:P",
        9.7,
    ),
    // With supplemental metrics (which never change the score).
    (
        "CVSS:4.0/AV:P/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:H/SA:N/S:P/V:D",
        8.3,
    ),
    (
        "CVSS:4.0/AV:L/AC:L/AT:N/PR:H/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/R:I",
        9.3,
    ),
    (
        "CVSS:4.0/AV:L/AC:L/AT:P/PR:H/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/R:I",
        8.7,
    ),
    (
        "CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/S:P",
        8.5,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/S:P/AU:Y/V:C/RE:L",
        9.4,
    ),
    (
        "CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N/S:P",
        8.6,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N/V:C",
        8.7,
    ),
];

// FIRST CVSS SIG, calculator validation reference set: file
// `vectorFiles/reference-scores` of github.com/FIRSTdotorg/cvss-resources,
// scores produced by the reference calculator (`cvss40.js` of
// RedHatProductSecurity/cvss-v4-calculator, with the 2024-11-01 rounding
// fix). First its "Max Equivalency Set Vectors", then some of its random
// vectors carrying every threat, environmental and supplemental metric.
pub(super) const V40_FIRST_REFERENCE_SET: &[(&str, f64)] = &[
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:A/CR:H/IR:H/AR:H/MSI:S/MSA:S",
        10.0,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:P/CR:H/IR:H/AR:H/MSI:S/MSA:S",
        9.8,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:U/CR:H/IR:H/AR:H/MSI:S/MSA:S",
        9.5,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:P/CR:H/IR:H/AR:H",
        9.3,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:L/SI:L/SA:L/E:U/CR:H/IR:H/AR:H",
        8.1,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:L/SI:L/SA:L/E:U/CR:M/IR:M/AR:M",
        6.8,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:L/SI:L/SA:L/E:U/CR:M/IR:M/AR:M",
        5.3,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:L/VA:H/SC:L/SI:L/SA:L/E:U/CR:M/IR:H/AR:M",
        4.8,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:L/VA:H/SC:L/SI:L/SA:L/E:U/CR:M/IR:H/AR:M",
        3.0,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:L/SI:L/SA:L/E:U/CR:H/IR:H/AR:H",
        2.7,
    ),
    (
        "CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:A/CR:M/IR:M/AR:M",
        8.9,
    ),
    (
        "CVSS:4.0/AV:P/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:U/CR:M/IR:M/AR:M",
        3.4,
    ),
    (
        "CVSS:4.0/AV:P/AC:L/AT:P/PR:N/UI:N/VC:H/VI:L/VA:H/SC:L/SI:L/SA:L/E:U/CR:M/IR:H/AR:M",
        0.2,
    ),
    (
        "CVSS:4.0/AV:P/AC:L/AT:P/PR:N/UI:N/VC:L/VI:L/VA:L/SC:L/SI:L/SA:L/E:U/CR:H/IR:H/AR:H",
        0.1,
    ),
    (
        "CVSS:4.0/AV:P/AC:L/AT:N/PR:L/UI:A/VC:N/VI:H/VA:L/SC:H/SI:H/SA:H/E:P/CR:H/IR:H/AR:H\
         /MAV:A/MAC:X/MAT:N/MPR:X/MUI:X/MVC:N/MVI:H/MVA:H/MSC:N/MSI:H/MSA:S\
         /S:N/AU:X/R:I/V:X/RE:M/U:Clear",
        7.1,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:H/SI:L/SA:L/E:A/CR:H/IR:X/AR:H\
         /MAV:P/MAC:X/MAT:X/MPR:H/MUI:A/MVC:H/MVI:X/MVA:X/MSC:L/MSI:L/MSA:H\
         /S:X/AU:Y/R:A/V:X/RE:L/U:Green",
        7.0,
    ),
    (
        "CVSS:4.0/AV:L/AC:H/AT:P/PR:H/UI:N/VC:N/VI:H/VA:L/SC:L/SI:H/SA:N/E:U/CR:X/IR:L/AR:H\
         /MAV:P/MAC:L/MAT:P/MPR:X/MUI:A/MVC:N/MVI:X/MVA:X/MSC:L/MSI:H/MSA:X\
         /S:N/AU:X/R:X/V:C/RE:H/U:Amber",
        0.6,
    ),
    (
        "CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:P/VC:N/VI:H/VA:H/SC:H/SI:N/SA:L/E:A/CR:H/IR:M/AR:M\
         /MAV:N/MAC:X/MAT:P/MPR:X/MUI:A/MVC:H/MVI:L/MVA:L/MSC:X/MSI:S/MSA:L\
         /S:P/AU:X/R:X/V:C/RE:L/U:Clear",
        8.6,
    ),
    (
        "CVSS:4.0/AV:P/AC:H/AT:N/PR:L/UI:P/VC:H/VI:N/VA:N/SC:L/SI:L/SA:L/E:A/CR:X/IR:M/AR:X\
         /MAV:L/MAC:L/MAT:X/MPR:N/MUI:P/MVC:N/MVI:N/MVA:H/MSC:L/MSI:S/MSA:H\
         /S:N/AU:Y/R:U/V:X/RE:M/U:Amber",
        9.2,
    ),
    (
        "CVSS:4.0/AV:N/AC:H/AT:P/PR:N/UI:P/VC:H/VI:N/VA:L/SC:L/SI:L/SA:L/E:U/CR:L/IR:H/AR:H\
         /MAV:P/MAC:X/MAT:N/MPR:L/MUI:P/MVC:L/MVI:L/MVA:X/MSC:X/MSI:H/MSA:X\
         /S:X/AU:X/R:A/V:X/RE:X/U:X",
        0.3,
    ),
    (
        "CVSS:4.0/AV:P/AC:H/AT:N/PR:L/UI:N/VC:N/VI:L/VA:N/SC:L/SI:N/SA:N/E:X/CR:M/IR:X/AR:H\
         /MAV:X/MAC:L/MAT:X/MPR:X/MUI:A/MVC:H/MVI:H/MVA:X/MSC:H/MSI:X/MSA:L\
         /S:P/AU:X/R:X/V:X/RE:M/U:X",
        8.2,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:N/VI:L/VA:L/SC:L/SI:N/SA:L/E:A/CR:L/IR:M/AR:X\
         /MAV:L/MAC:L/MAT:N/MPR:X/MUI:N/MVC:H/MVI:H/MVA:X/MSC:L/MSI:H/MSA:H\
         /S:N/AU:X/R:X/V:X/RE:X/U:Green",
        8.7,
    ),
    (
        "CVSS:4.0/AV:L/AC:H/AT:P/PR:N/UI:N/VC:N/VI:N/VA:L/SC:N/SI:L/SA:N/E:X/CR:M/IR:X/AR:L\
         /MAV:P/MAC:L/MAT:X/MPR:L/MUI:A/MVC:N/MVI:X/MVA:L/MSC:L/MSI:L/MSA:N\
         /S:P/AU:N/R:A/V:X/RE:X/U:Green",
        1.0,
    ),
    (
        "CVSS:4.0/AV:L/AC:L/AT:P/PR:N/UI:P/VC:H/VI:N/VA:N/SC:N/SI:N/SA:H/E:X/CR:H/IR:H/AR:X\
         /MAV:L/MAC:L/MAT:X/MPR:N/MUI:X/MVC:N/MVI:X/MVA:H/MSC:L/MSI:S/MSA:S\
         /S:N/AU:X/R:A/V:X/RE:H/U:Green",
        8.6,
    ),
    (
        "CVSS:4.0/AV:A/AC:L/AT:P/PR:L/UI:A/VC:H/VI:N/VA:H/SC:N/SI:N/SA:N/E:A/CR:X/IR:H/AR:L\
         /MAV:P/MAC:H/MAT:X/MPR:N/MUI:X/MVC:N/MVI:H/MVA:L/MSC:L/MSI:L/MSA:X\
         /S:P/AU:N/R:U/V:C/RE:H/U:Clear",
        3.9,
    ),
];

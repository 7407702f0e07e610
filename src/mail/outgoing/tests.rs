use super::*;

#[test]
fn builds_a_threaded_plain_mail() {
    let m = OutgoingMail {
        message_id: crate::mail::message_id::message_id_for("ack:rpt_1", "example.org"),
        from: "security@example.org".into(),
        to: vec!["r@example.net".into()],
        reply_to: Some("security+tag@example.org".into()),
        in_reply_to: Some("<a@b>".into()),
        subject: "Re: ünïcode".into(),
        text: "hello".into(),
        html: None,
        ..Default::default()
    };
    let bytes = String::from_utf8(m.to_bytes().unwrap()).unwrap();
    assert!(bytes.contains("In-Reply-To: <a@b>"));
    assert!(bytes.contains("Reply-To: security+tag@example.org"));
    assert!(bytes.contains(&format!("Message-ID: {}", m.message_id)));
}

#[test]
fn long_links_stay_on_one_line_in_the_raw_message() {
    let link = format!(
        "https://security.example.org/applications/confirm/{}",
        "x".repeat(60)
    );
    let m = OutgoingMail {
        message_id: "<l@example.org>".into(),
        from: "security@example.org".into(),
        to: vec!["r@example.net".into()],
        reply_to: None,
        in_reply_to: None,
        subject: "Bestätigung".into(),
        text: format!("Grüße,\n\n{link}\n\n— the team\n"),
        html: None,
        ..Default::default()
    };
    let raw = String::from_utf8(m.to_bytes().unwrap()).unwrap();
    assert!(raw.contains("Content-Transfer-Encoding: binary"));
    assert!(raw.lines().any(|l| l == link), "{raw}");
    assert!(raw.contains("Grüße"));
}

#[test]
fn line_endings_become_crlf_once() {
    assert_eq!(crlf("a\nb\r\nc\n\nd"), "a\r\nb\r\nc\r\n\r\nd");
    assert_eq!(crlf("\n"), "\r\n");
    assert_eq!(crlf("ünï\r\n"), "ünï\r\n");
    assert_eq!(crlf(""), "");
}

fn signed_mail(entity: &str) -> OutgoingMail {
    OutgoingMail {
        message_id: "<s@example.org>".into(),
        from: "security@example.org".into(),
        to: vec!["c@distro.example".into()],
        subject: "[SA-1] overflow (embargoed)".into(),
        list_id: Some("P security list <list.example.org>".into()),
        signed: Some(Signed {
            entity: entity.into(),
            signature:
                "-----BEGIN PGP SIGNATURE-----\n\nwnUE\n=abcd\n-----END PGP SIGNATURE-----\n".into(),
        }),
        ..Default::default()
    }
}

#[test]
fn a_signed_mail_carries_the_entity_byte_for_byte_as_its_first_part() {
    let entity = "Content-Type: text/plain; charset=utf-8\r\n\
                  Content-Transfer-Encoding: quoted-printable\r\n\r\n\
                  Embargoed until Friday. =20\r\n";
    for raw in [
        signed_mail(entity).to_bytes().unwrap(),
        signed_mail(entity).to_message().unwrap().formatted(),
    ] {
        let raw = String::from_utf8(raw).unwrap();
        assert!(raw.contains("Content-Type: multipart/signed;"), "{raw}");
        assert!(raw.contains("protocol=\"application/pgp-signature\""));
        assert!(raw.contains("micalg=pgp-sha512"));
        assert!(raw.contains("List-Id: P security list"), "{raw}");
        assert!(raw.contains("Auto-Submitted: auto-generated"));
        assert!(raw.contains("Message-ID: <s@example.org>"));
        let boundary = raw.split("boundary=\"").nth(1).unwrap();
        let boundary = &boundary[..boundary.find('"').unwrap()];
        let first = format!("\r\n--{boundary}\r\n");
        let start = raw.find(&first).unwrap() + first.len();
        let end = start + raw[start..].find(&first).unwrap();
        assert_eq!(&raw[start..end], entity, "the part as signed");
        assert!(raw[end..].contains("Content-Type: application/pgp-signature"));
        assert!(raw[end..].contains("-----BEGIN PGP SIGNATURE-----\r\n"));
        assert!(raw.ends_with(&format!("--{boundary}--\r\n\r\n")), "{raw}");
        let parsed = mail_parser::MessageParser::default()
            .parse(raw.as_bytes())
            .unwrap();
        assert_eq!(
            parsed.body_text(0).as_deref(),
            Some("Embargoed until Friday.  \r\n")
        );
    }
}

/// RFC 3156 section 4 as a MIME parser reads it: the version part,
/// then the armor byte for byte; nothing in clear besides.
#[test]
fn an_encrypted_mail_carries_the_version_part_then_the_armor_unchanged() {
    use mail_parser::MimeHeaders;
    let binary: Vec<u8> = (0..3000u32).map(|i| (i * 7 + i / 13) as u8).collect();
    let armored = crate::mail::armor::armor_message(&binary);
    let mail = OutgoingMail {
        message_id: "<e@example.org>".into(),
        from: "security@example.org".into(),
        to: vec!["c@distro.example".into()],
        subject: "[embargoed] security announcement".into(),
        text: "not sent".into(),
        encrypted: Some(armored.clone()),
        ..Default::default()
    };
    for raw in [
        mail.to_bytes().unwrap(),
        mail.to_message().unwrap().formatted(),
        mail.to_smtp().unwrap().text,
    ] {
        let text = String::from_utf8(raw.clone()).unwrap();
        assert!(text.is_ascii() && !text.contains("not sent"), "{text}");
        assert!(
            text.split("\r\n")
                .all(|l| l.len() <= 998 && !l.contains('\n'))
        );
        let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
        let root = parsed.content_type().unwrap();
        assert_eq!(
            (root.ctype(), root.subtype()),
            ("multipart", Some("encrypted"))
        );
        assert_eq!(
            root.attribute("protocol"),
            Some("application/pgp-encrypted")
        );
        assert_eq!(parsed.parts.len(), 3, "the multipart and its two parts");
        let version = parsed.part(1).unwrap();
        let ct = version.content_type().unwrap();
        assert_eq!(
            (ct.ctype(), ct.subtype()),
            ("application", Some("pgp-encrypted"))
        );
        assert_eq!(version.contents(), b"Version: 1\r\n");
        let body = parsed.part(2).unwrap();
        let ct = body.content_type().unwrap();
        assert_eq!(
            (ct.ctype(), ct.subtype()),
            ("application", Some("octet-stream"))
        );
        assert_eq!(body.contents(), armored.as_bytes());
    }
}

/// What goes to an SMTP server is what lettre would have formatted, byte
/// for byte but the Date (taken at each build), with the same envelope:
/// encrypted (written here), signed and plain (lettre's).
#[test]
fn the_smtp_text_is_the_message_lettre_formats() {
    let without_date = |raw: Vec<u8>| -> String {
        let text = String::from_utf8(raw).unwrap();
        let kept: Vec<&str> = text
            .split("\r\n")
            .filter(|l| !l.starts_with("Date: "))
            .collect();
        kept.join("\r\n")
    };
    let binary: Vec<u8> = (0..5000u32).map(|i| (i * 31 + i / 7) as u8).collect();
    let encrypted = OutgoingMail {
        message_id: "<e@example.org>".into(),
        from: "Example Project <security@example.org>".into(),
        to: vec!["c@distro.example".into()],
        subject: "[embargoed] security announcement".into(),
        envelope_from: Some("security+bounces-d1@example.org".into()),
        list_id: Some("Example security list <list.example.org>".into()),
        encrypted: Some(crate::mail::armor::armor_message(&binary)),
        ..Default::default()
    };
    let plain = OutgoingMail {
        message_id: "<p@example.org>".into(),
        from: "security@example.org".into(),
        to: vec!["a@example.org".into()],
        subject: "Plain".into(),
        text: "Hello\n.dot at a line start\n".into(),
        ..Default::default()
    };
    let signed = signed_mail("Content-Type: text/plain\r\n\r\nsigned");
    for mail in [encrypted, plain, signed] {
        let smtp = mail.to_smtp().unwrap();
        let lettre = mail.to_message().unwrap();
        assert_eq!(&smtp.envelope, lettre.envelope());
        let (ours, theirs) = (without_date(smtp.text), without_date(lettre.formatted()));
        assert!(ours.len() > 200 && ours.contains("Message-ID: "), "{ours}");
        assert_eq!(ours, theirs);
    }
}

#[test]
fn a_signed_part_that_transport_could_change_is_refused() {
    for entity in [
        "Content-Type: text/plain\r\n\r\nGrüße\r\n",
        "a\nb",
        &"x".repeat(999),
    ] {
        let refused = signed_mail(entity).to_bytes();
        assert!(
            matches!(refused, Err(BuildError::NotSevenBit)),
            "{entity:?}"
        );
    }
}

#[test]
fn rejects_bad_addresses() {
    let m = OutgoingMail {
        message_id: "<x@y>".into(),
        from: "not an address".into(),
        to: vec![],
        reply_to: None,
        in_reply_to: None,
        subject: String::new(),
        text: String::new(),
        html: None,
        ..Default::default()
    };
    assert!(matches!(m.to_bytes(), Err(BuildError::Address(_))));
}

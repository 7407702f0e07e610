//! `{{ uri|qr }}`: a QR code drawn on the server as inline SVG, so an
//! authenticator app can scan the set-up link without JavaScript or an
//! image request.

use minijinja::Value;
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// The SVG of a QR code holding `text`, or `None` when it does not fit.
pub fn svg(text: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let svg = code
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // Inline in HTML: no XML declaration, and a name for screen readers.
    let start = svg.find("<svg ")?;
    let named = "<svg role=\"img\" aria-label=\"QR code of the set-up link\" class=\"qr\" ";
    Some(svg[start..].replacen("<svg ", named, 1))
}

/// The filter: markup (the SVG holds only numbers and fixed text), or
/// nothing for an empty or too long text.
pub(super) fn qr(text: &str) -> Value {
    match text.is_empty() {
        true => Value::from(""),
        false => Value::from_safe_string(svg(text).unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dark squares the SVG draws, back as a greyscale picture.
    fn picture(svg: &str) -> (usize, Vec<u8>) {
        let attr = |name: &str| {
            let at = svg.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
            svg[at..svg[at..].find('"').unwrap() + at].to_owned()
        };
        let size: usize = attr("width").parse().unwrap();
        assert_eq!(attr("height"), size.to_string());
        let path = attr("d");
        let mut px = vec![255u8; size * size];
        for rect in path.split('M').filter(|r| !r.is_empty()) {
            // `M{left} {top}h{width}v{height}H{left}V{top}`
            let n: Vec<usize> = rect
                .split(|c: char| !c.is_ascii_digit())
                .filter(|s| !s.is_empty())
                .map(|s| s.parse().unwrap())
                .collect();
            let (left, top, w, h) = (n[0], n[1], n[2], n[3]);
            for y in top..top + h {
                for x in left..left + w {
                    px[y * size + x] = 0;
                }
            }
        }
        (size, px)
    }

    #[test]
    fn the_svg_decodes_to_the_otpauth_uri() {
        let uri = "otpauth://totp/Example%20Project:admin%40project.test?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Example%20Project";
        let svg = svg(uri).unwrap();
        assert!(svg.starts_with("<svg role=\"img\" aria-label="), "{svg}");
        assert!(!svg.contains("<?xml"));
        let (size, px) = picture(&svg);
        assert!(size >= 200);
        let mut img =
            rqrr::PreparedImage::prepare_from_greyscale(size, size, |x, y| px[y * size + x]);
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, content) = grids[0].decode().unwrap();
        assert_eq!(content, uri);
    }

    #[test]
    fn nothing_is_drawn_for_no_text_or_too_much() {
        assert_eq!(qr("").to_string(), "");
        assert!(svg(&"x".repeat(5000)).is_none());
        assert!(qr("otpauth://totp/x").to_string().starts_with("<svg "));
    }
}

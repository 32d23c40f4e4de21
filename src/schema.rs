//! The JSON Schemas of the issue and brand formats (`folio schema`): schemars' derivation
//! from the model's types, tightened with what validation refuses (ranges, patterns, one
//! shape per body item, alt text, non-empty strings) and the real defaults, so an editor
//! flags what `folio build` would.

use serde_json::{json, Map, Value};

/// A colour as the brand writes it.
const COLOUR_PATTERN: &str = "^#([0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$";
/// A string with something visible in it (validation also rejects zero-width-only text).
const NONBLANK_PATTERN: &str = "\\S";

/// The object at `path` (keys from the root), if there is one.
fn at<'a>(v: &'a mut Value, path: &[&str]) -> Option<&'a mut Map<String, Value>> {
    let mut cur = v;
    for k in path {
        cur = cur.get_mut(*k)?;
    }
    cur.as_object_mut()
}

/// Merge `extra` into the schema at `path`.
fn set(v: &mut Value, path: &[&str], extra: Value) {
    if let (Some(o), Value::Object(e)) = (at(v, path), extra) {
        o.extend(e);
    }
}

/// Drop every `"default": null` (an absent optional field is not `null`: Folio refuses
/// `null` for most of them).
fn drop_null_defaults(v: &mut Value) {
    match v {
        Value::Object(o) => {
            if o.get("default") == Some(&Value::Null) {
                o.remove("default");
            }
            o.values_mut().for_each(drop_null_defaults);
        }
        Value::Array(a) => a.iter_mut().for_each(drop_null_defaults),
        _ => {}
    }
}

/// A focus point: two fractions from 0 to 1.
fn focus() -> Value {
    json!({ "type": "array", "items": { "type": "number", "minimum": 0, "maximum": 1 }, "minItems": 2, "maxItems": 2,
            "description": "Where the photo's centre of interest is, [x, y] as fractions from 0 to 1 (default [0.5, 0.5])." })
}

/// The issue format.
pub fn issue() -> Value {
    let mut v = serde_json::to_value(schemars::schema_for!(crate::model::Issue)).unwrap_or_default();
    drop_null_defaults(&mut v);
    let p = ["properties"];
    set(&mut v, &[&p[..], &["title"]].concat(), json!({ "pattern": NONBLANK_PATTERN }));
    set(&mut v, &[&p[..], &["edition"]].concat(), json!({ "pattern": NONBLANK_PATTERN }));
    set(&mut v, &[&p[..], &["language"]].concat(), json!({ "default": "en-GB", "pattern": "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$" }));
    set(&mut v, &[&p[..], &["sections"]].concat(), json!({ "minItems": 1 }));
    set(&mut v, &["$defs", "PageOverride", "properties", "columns"], json!({ "type": "integer", "minimum": 1, "maximum": 4 }));
    set(&mut v, &["$defs", "PageOverride", "properties", "size"], json!({ "description": "A4, A5 or Letter (default: the brand's, else A4)." }));
    let sec = ["$defs", "Section", "properties"];
    set(&mut v, &[&sec[..], &["focus"]].concat(), focus());
    set(&mut v, &[&sec[..], &["type"]].concat(), json!({ "default": "section", "description": "section (default), profile (\"meet the team\": name, role, photo) or callout (a tinted box)." }));
    set(&mut v, &[&sec[..], &["heading"]].concat(), json!({ "description": "The section's heading (a callout's title)." }));
    // A profile needs a name; a photo needs its alt text.
    set(&mut v, &["$defs", "Section"], json!({ "allOf": [
        { "if": { "properties": { "type": { "const": "profile" } }, "required": ["type"] },
          "then": { "required": ["name"], "properties": { "name": { "pattern": NONBLANK_PATTERN } } },
          "else": { "properties": { "name": false, "role": false, "photo": false, "alt": false, "focus": false } } },
        { "if": { "required": ["photo"] }, "then": { "required": ["alt"] } },
    ] }));
    // A body item object is exactly one of four shapes, each with only its own fields.
    let s = |d: &str| json!({ "type": "string", "description": d });
    let image_props = json!({
        "image": s("Path to the photo, relative to this issue file."),
        "alt": s("What the photo shows, for screen readers (required unless decorative)."),
        "caption": s("A caption set under the photo."),
        "width": { "enum": ["column", "full"], "default": "column", "description": "column (default) or full (the whole text width)." },
        "decorative": { "type": "boolean", "default": false, "description": "true: the photo says nothing a reader needs; no alt text, and screen readers skip it." },
        "focus": focus(),
    });
    let block = json!({
        "description": "A list, an image, a pull quote or a subheading: exactly one of `list`, `image`, `quote`, `subheading`.",
        "oneOf": [
            { "type": "object", "additionalProperties": false, "required": ["list"], "properties": {
                "list": { "type": "array", "items": { "type": "string" }, "minItems": 1, "description": "The list's items (inline Markdown)." },
                "numbered": { "type": "boolean", "default": false, "description": "Number the items 1, 2, 3 instead of bullets." } } },
            { "type": "object", "additionalProperties": false, "required": ["image"], "properties": image_props,
              "anyOf": [ { "required": ["alt"] }, { "required": ["decorative"], "properties": { "decorative": { "const": true } } } ] },
            { "type": "object", "additionalProperties": false, "required": ["quote"], "properties": {
                "quote": s("A pull quote, set large with a bar."), "by": s("Who said it.") } },
            { "type": "object", "additionalProperties": false, "required": ["subheading"], "properties": {
                "subheading": s("A subheading within the section.") } },
        ]
    });
    if let Some(defs) = at(&mut v, &["$defs"]) {
        defs.insert("Block".into(), block);
    }
    set(&mut v, &["$defs", "Contact", "properties", "name"], json!({ "pattern": NONBLANK_PATTERN, "description": "The person's name." }));
    set(&mut v, &["$defs", "Contact", "properties", "email"], json!({ "description": "An e-mail address (a mailto: link)." }));
    set(&mut v, &["$defs", "Contact", "properties", "phone"], json!({ "description": "A phone number (a tel: link)." }));
    set(&mut v, &["$defs", "Contact", "properties", "role"], json!({ "description": "Their role, set small under the name." }));
    set(&mut v, &["$defs", "FooterLink", "properties", "url"], json!({ "pattern": "^(https?://|mailto:|tel:)", "description": "An http(s), mailto: or tel: address." }));
    set(&mut v, &["$defs", "FooterLink", "properties", "label"], json!({ "description": "The link's text." }));
    v
}

/// The brand format.
pub fn brand() -> Value {
    let mut v = serde_json::to_value(schemars::schema_for!(crate::brand::BrandFile)).unwrap_or_default();
    drop_null_defaults(&mut v);
    if let Some(cols) = at(&mut v, &["$defs", "Colours", "properties"]) {
        let ink = json!({ "type": "number", "minimum": 0, "maximum": 100 });
        let spec = json!({ "oneOf": [
            { "type": "string", "pattern": COLOUR_PATTERN },
            { "type": "object", "additionalProperties": false, "required": ["rgb", "cmyk"], "properties": {
                "rgb": { "type": "string", "pattern": COLOUR_PATTERN },
                "cmyk": { "type": "array", "items": ink, "minItems": 4, "maxItems": 4, "description": "The print edition's inks, in percent: cyan, magenta, yellow, black." } } }
        ] });
        for c in cols.values_mut() {
            if let Value::Object(o) = c {
                let description = o.get("description").cloned();
                *o = spec.as_object().cloned().unwrap_or_default();
                if let Some(d) = description {
                    o.insert("description".into(), d);
                }
            }
        }
    }
    let range = |lo: f64, hi: f64, default: f64, d: &str| json!({ "type": "number", "minimum": lo, "maximum": hi, "default": default, "description": d });
    set(&mut v, &["$defs", "BrandPage", "properties", "columns"], json!({ "type": "integer", "minimum": 1, "maximum": 4, "default": 2, "description": "Columns, 1 to 4." }));
    set(&mut v, &["$defs", "BrandPage", "properties", "gutter_mm"], range(0.0, 30.0, 6.0, "Space between columns, in mm."));
    set(&mut v, &["$defs", "BrandPage", "properties", "bleed_mm"], range(0.0, 10.0, 3.0, "Bleed for the print edition, in mm."));
    for m in ["top", "right", "bottom", "left"] {
        set(&mut v, &["$defs", "Margins", "properties", m], json!({ "minimum": 5, "maximum": 60, "description": "In mm, 5 to 60." }));
    }
    let t = ["$defs", "TypeSizes", "properties"];
    for (k, lo, hi, dv, d) in [
        ("body_pt", 6.0, 16.0, 9.5, "Body text size, in points."),
        ("leading", 1.0, 2.5, 1.38, "Line spacing as a multiple of the body size."),
        ("heading_pt", 8.0, 36.0, 14.0, "Section heading size, in points."),
        ("title_pt", 12.0, 72.0, 26.0, "Masthead title size, in points."),
        ("intro_pt", 7.0, 24.0, 11.5, "Intro text size, in points."),
        ("small_pt", 5.0, 12.0, 7.5, "Captions, roles and the running footer, in points."),
        ("max_stretch", 1.0, 4.0, 1.6, "Word spaces may stretch to this multiple of their natural width before a line counts as loose."),
    ] {
        set(&mut v, &[&t[..], &[k]].concat(), range(lo, hi, dv, d));
    }
    v
}

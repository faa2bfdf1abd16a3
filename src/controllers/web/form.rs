//! A form's fields as the API's JSON body. Forms send text; the API takes
//! numbers, flags and lists: each form says which of its fields are which,
//! a blank field is left out (the API says when it is needed), and a
//! number that is not one is answered here, by its field, before the API
//! is asked.

use serde_json::{Map, Value};

use crate::{controllers::session::CSRF_FIELD, errors::FieldErrors};

/// Which fields of a form are not plain text.
#[derive(Clone, Copy, Default)]
pub struct Shape {
    /// Whole numbers.
    pub numbers: &'static [&'static str],
    /// Checkboxes: present is `true`, absent `false`.
    pub flags: &'static [&'static str],
    /// Fields sent once per value (checkboxes of one name): a list.
    pub lists: &'static [&'static str],
    /// Fields that are the page's own, not the API's (a search box).
    pub skip: &'static [&'static str],
}

/// A customer's fields.
pub const CUSTOMER: Shape = Shape {
    numbers: &[],
    flags: &["marketing_opt_in", "prefers_sms"],
    lists: &[],
    skip: &[],
};

/// A vehicle's fields.
pub const VEHICLE: Shape = Shape {
    numbers: &[
        "year",
        "odometer_km",
        "service_interval_months",
        "service_interval_km",
    ],
    flags: &[],
    lists: &[],
    skip: &[],
};

/// The form's fields as they were typed, for the page to show again.
#[must_use]
pub fn typed(body: &[u8]) -> Value {
    let mut fields = Map::new();
    for (name, value) in form_urlencoded::parse(body) {
        if name == CSRF_FIELD {
            continue;
        }
        match fields.get_mut(name.as_ref()) {
            Some(Value::Array(values)) => values.push(Value::String(value.into_owned())),
            Some(single) => {
                let first = single.take();
                *single = Value::Array(vec![first, Value::String(value.into_owned())]);
            }
            None => {
                fields.insert(name.into_owned(), Value::String(value.into_owned()));
            }
        }
    }
    Value::Object(fields)
}

/// The API's body from a form, or the errors of fields that cannot be
/// what the API takes.
///
/// # Errors
/// A number field that is not a whole number.
pub fn body(form: &[u8], shape: Shape) -> Result<Value, FieldErrors> {
    let mut body = Map::new();
    let mut errors = FieldErrors::default();
    for name in shape.flags {
        body.insert((*name).to_string(), Value::Bool(false));
    }
    for name in shape.lists {
        body.insert((*name).to_string(), Value::Array(Vec::new()));
    }
    for (name, value) in form_urlencoded::parse(form) {
        let name = name.as_ref();
        if name == CSRF_FIELD || shape.skip.contains(&name) {
            continue;
        }
        let value = value.trim();
        if shape.flags.contains(&name) {
            body.insert(name.to_string(), Value::Bool(true));
        } else if shape.lists.contains(&name) {
            if let Some(Value::Array(values)) = body.get_mut(name) {
                if !value.is_empty() {
                    values.push(Value::String(value.to_string()));
                }
            }
        } else if value.is_empty() {
            continue;
        } else if shape.numbers.contains(&name) {
            match value.replace([',', ' '], "").parse::<i64>() {
                Ok(number) => {
                    body.insert(name.to_string(), Value::from(number));
                }
                Err(_) => errors.add(name, "must be a whole number"),
            }
        } else {
            body.insert(name.to_string(), Value::String(value.to_string()));
        }
    }
    if errors.is_empty() {
        Ok(Value::Object(body))
    } else {
        Err(errors)
    }
}

/// The API's body from a form that edits something: as [`body`], but a
/// field left blank is sent too, so that it does not keep the value the
/// person emptied: `null` for one of `cleared` (an optional value, now
/// none), an empty text for any other (the API says it is needed).
///
/// # Errors
/// A number field that is not a whole number.
pub fn edits(form: &[u8], shape: Shape, cleared: &[&str]) -> Result<Value, FieldErrors> {
    let mut edited = body(form, shape)?;
    if let Value::Object(fields) = &mut edited {
        for (name, value) in form_urlencoded::parse(form) {
            let name = name.as_ref();
            if name == CSRF_FIELD
                || shape.skip.contains(&name)
                || fields.contains_key(name)
                || !value.trim().is_empty()
            {
                continue;
            }
            let blank = if cleared.contains(&name) {
                Value::Null
            } else {
                Value::String(String::new())
            };
            fields.insert(name.to_string(), blank);
        }
    }
    Ok(edited)
}

/// Field errors found before the API was asked, in the shape of the API's
/// own refusal (`{"error": {"fields": …}}`), so a page shows both alike.
#[must_use]
pub fn refusal(errors: &FieldErrors) -> Value {
    serde_json::json!({"error": {"fields": errors}})
}

#[cfg(test)]
mod tests {
    use super::*;

    const VEHICLE: Shape = Shape {
        numbers: &["year", "odometer_km"],
        flags: &["marketing_opt_in"],
        lists: &["required_skills"],
        skip: &["q"],
    };

    #[test]
    fn a_form_becomes_the_apis_body() {
        let body = body(
            b"_csrf=x&q=kam&plate=KDA+123A&year=2014&odometer_km=151%2C200&vin=&required_skills=hybrid&required_skills=ac",
            VEHICLE,
        )
        .unwrap();
        assert_eq!(
            body,
            serde_json::json!({"plate": "KDA 123A", "year": 2014, "odometer_km": 151_200,
                "marketing_opt_in": false, "required_skills": ["hybrid", "ac"]})
        );
    }

    #[test]
    fn an_edit_sends_what_was_emptied() {
        let body = edits(
            b"_csrf=x&q=&plate=&vin=&year=2014&notes=+",
            VEHICLE,
            &["vin", "notes"],
        )
        .unwrap();
        assert_eq!(
            body,
            serde_json::json!({"plate": "", "vin": null, "notes": null, "year": 2014,
                "marketing_opt_in": false, "required_skills": []})
        );
    }

    #[test]
    fn a_number_that_is_not_one_is_named() {
        let errors = body(b"year=twenty", VEHICLE).unwrap_err();
        assert!(errors.get("year").is_some());
    }
}

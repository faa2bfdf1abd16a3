//! Routes and their OpenAPI description from one list.
//!
//! A handler's `#[utoipa::path]` names its method and path; `routes!`
//! (utoipa-axum) turns a group of handlers on one path into both the axum
//! route and its documentation, and `ApiRoutes::route` files each half where
//! it belongs: the route into Loco's `Routes`, the description into the
//! document. A route cannot be served undocumented, or documented unserved.

use loco_rs::{app::AppContext, controller::Routes};
use utoipa::openapi::{
    header::HeaderBuilder,
    link::Link,
    path::{Operation, ParameterBuilder, ParameterIn, PathItem},
    response::Response,
    schema::{ObjectBuilder, Schema, Type},
    Content, OpenApi, Ref, RefOr, Required,
};
use utoipa_axum::router::UtoipaMethodRouter;

/// One controller's routes and their description.
pub struct ApiRoutes {
    /// Names the controller's operations: `customers_create`, …
    name: &'static str,
    pub routes: Routes,
    pub openapi: OpenApi,
}

impl ApiRoutes {
    #[must_use]
    pub fn new(name: &'static str) -> Self {
        Self {
            name,
            routes: Routes::new(),
            openapi: OpenApi::default(),
        }
    }

    /// Adds the handlers of one path, as `routes!(create, list)` lists them.
    #[must_use]
    pub fn route(mut self, (schemas, mut paths, method): UtoipaMethodRouter<AppContext>) -> Self {
        for (path, item) in &mut paths.paths {
            self.routes = self.routes.add(path, method.clone());
            for (_, operation) in operations_mut(item) {
                // Handler names repeat across controllers (`create`,
                // `show`); operation ids must not.
                let id = operation.operation_id.take().unwrap_or_default();
                operation.operation_id = Some(format!("{}_{id}", self.name));
            }
        }
        self.openapi.paths.merge(paths);
        self.openapi
            .components
            .get_or_insert_with(Default::default)
            .schemas
            .extend(schemas);
        self
    }
}

/// The operations of a path, with their lower-case method.
pub fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = (&'static str, &mut Operation)> {
    [
        ("get", item.get.as_mut()),
        ("post", item.post.as_mut()),
        ("put", item.put.as_mut()),
        ("patch", item.patch.as_mut()),
        ("delete", item.delete.as_mut()),
    ]
    .into_iter()
    .filter_map(|(method, operation)| operation.map(|operation| (method, operation)))
}

/// Fields of request bodies that take the `id` of an object another
/// operation creates: `POST /api/sites` answers with the `id` that
/// `POST /api/customers` takes as `home_site_id`.
const CREATED_IDS: &[(&str, &str)] = &[
    ("/api/sites", "site_id"),
    ("/api/sites", "home_site_id"),
    ("/api/customers", "customer_id"),
    ("/api/vehicles", "vehicle_id"),
];

/// Completes every operation with the error answers that follow from its
/// shape, so no handler has to list them and none can forget one:
///
/// - 401 when it needs a token;
/// - 400, 413 and 422 when it reads a JSON body (unreadable, too large,
///   breaking a rule);
/// - 400 and 422 when it reads a query string;
/// - 404 when it names an object: in its path, or by an id in its query or
///   body (`site_id`, `lines[].product_id`): another organization's or
///   site's object is not found;
/// - 503 with `Retry-After` for every operation: the database may be too
///   busy to answer in time (nothing is changed then).
///
/// And links each `201` answer's `id` to the operations that take it, in
/// their path or their body, so a client (or schemathesis's stateful tests)
/// can follow what it created.
pub fn complete(openapi: &mut OpenApi) {
    let body_links = body_links(openapi);
    let schemas = openapi
        .components
        .as_ref()
        .map(|components| components.schemas.clone())
        .unwrap_or_default();
    // Operations whose path names an object by `{id}` and nothing else.
    let ids_by_path: Vec<(String, Vec<String>)> = openapi
        .paths
        .paths
        .iter_mut()
        .filter(|(path, _)| path.matches('{').count() == 1 && path.contains("{id}"))
        .map(|(path, item)| {
            let ids = operations_mut(item)
                .filter_map(|(_, operation)| operation.operation_id.clone())
                .collect();
            (path.clone(), ids)
        })
        .collect();
    for (path, item) in &mut openapi.paths.paths {
        for (method, operation) in operations_mut(item) {
            let names_an_object = path.contains('{') || takes_an_id(operation, &schemas);
            if method == "post" {
                add_idempotency_key(operation);
            }
            add_error_answers(operation, names_an_object);
        }
        // `POST /api/customers` answers 201 with an `id`, which every
        // operation on `/api/customers/{id}` (and below) takes.
        let object = format!("{path}/{{id}}");
        let below = format!("{object}/");
        let Some(RefOr::T(created)) = item
            .post
            .as_mut()
            .and_then(|post| post.responses.responses.get_mut("201"))
        else {
            continue;
        };
        for (creator, target, field) in &body_links {
            if creator == path {
                created.links.insert(
                    format!("{}With{}", link_name(target), link_name(field)),
                    RefOr::T(
                        Link::builder()
                            .operation_id(target)
                            .request_body(Some(
                                serde_json::json!({ field.as_str(): "$response.body#/id" }),
                            ))
                            .description(format!(
                                "The new object's `id` as `{field}`; the rest of the body as usual."
                            ))
                            .build(),
                    ),
                );
            }
        }
        for (_, ids) in ids_by_path
            .iter()
            .filter(|(other, _)| *other == object || other.starts_with(&below))
        {
            for id in ids {
                created.links.insert(
                    link_name(id),
                    RefOr::T(
                        Link::builder()
                            .operation_id(id)
                            .parameter("id", "$response.body#/id")
                            .build(),
                    ),
                );
            }
        }
    }
}

/// `(creating path, operation id, body field)` for each operation whose
/// JSON body takes a created object's id in one of `CREATED_IDS`' fields,
/// and whose path needs nothing else.
fn body_links(openapi: &mut OpenApi) -> Vec<(String, String, String)> {
    let schemas = openapi
        .components
        .as_ref()
        .map(|components| components.schemas.clone())
        .unwrap_or_default();
    let mut links = Vec::new();
    for (path, item) in &mut openapi.paths.paths {
        if path.contains('{') {
            continue;
        }
        for (_, operation) in operations_mut(item) {
            let body_schema = operation
                .request_body
                .as_ref()
                .and_then(|body| match body {
                    RefOr::T(body) => body.content.get("application/json"),
                    RefOr::Ref(_) => None,
                })
                .and_then(|content| match content {
                    RefOr::T(content) => content.schema.as_ref(),
                    RefOr::Ref(_) => None,
                });
            let Some(RefOr::Ref(reference)) = body_schema else {
                continue;
            };
            let name = reference
                .ref_location
                .rsplit('/')
                .next()
                .unwrap_or_default();
            let Some(RefOr::T(Schema::Object(object))) = schemas.get(name) else {
                continue;
            };
            for (creator, field) in CREATED_IDS {
                if object.properties.contains_key(*field) {
                    links.push((
                        (*creator).to_string(),
                        operation.operation_id.clone().unwrap_or_default(),
                        (*field).to_string(),
                    ));
                }
            }
        }
    }
    links
}

fn link_name(operation_id: &str) -> String {
    operation_id
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect()
            })
        })
        .collect()
}

/// Whether an id field names an object: `site_id`, `site_ids`.
fn is_id(name: &str) -> bool {
    name.ends_with("_id") || name.ends_with("_ids")
}

/// Whether the operation takes an object's id in its query or its JSON
/// body (at any depth of the body's schema).
fn takes_an_id(
    operation: &Operation,
    schemas: &std::collections::BTreeMap<String, RefOr<Schema>>,
) -> bool {
    let in_query = operation
        .parameters
        .as_deref()
        .unwrap_or_default()
        .iter()
        .any(|parameter| matches!(parameter, RefOr::T(parameter) if is_id(&parameter.name)));
    let body = operation
        .request_body
        .as_ref()
        .and_then(|body| match body {
            RefOr::T(body) => body.content.get("application/json"),
            RefOr::Ref(_) => None,
        })
        .and_then(|content| match content {
            RefOr::T(content) => content.schema.as_ref(),
            RefOr::Ref(_) => None,
        });
    in_query || body.is_some_and(|schema| names_an_id(schema, schemas, 0))
}

fn names_an_id(
    schema: &RefOr<Schema>,
    schemas: &std::collections::BTreeMap<String, RefOr<Schema>>,
    depth: usize,
) -> bool {
    // Request bodies nest a few levels (`lines[]`); this bounds a cycle.
    if depth > 8 {
        return false;
    }
    match schema {
        RefOr::Ref(reference) => reference
            .ref_location
            .rsplit('/')
            .next()
            .and_then(|name| schemas.get(name))
            .is_some_and(|schema| names_an_id(schema, schemas, depth + 1)),
        RefOr::T(Schema::Object(object)) => object
            .properties
            .iter()
            .any(|(name, property)| is_id(name) || names_an_id(property, schemas, depth + 1)),
        RefOr::T(Schema::Array(array)) => match &array.items {
            utoipa::openapi::schema::ArrayItems::RefOrSchema(items) => {
                names_an_id(items, schemas, depth + 1)
            }
            utoipa::openapi::schema::ArrayItems::False => false,
        },
        RefOr::T(Schema::OneOf(one_of)) => one_of
            .items
            .iter()
            .any(|item| names_an_id(item, schemas, depth + 1)),
        RefOr::T(Schema::AllOf(all_of)) => all_of
            .items
            .iter()
            .any(|item| names_an_id(item, schemas, depth + 1)),
        RefOr::T(_) => false,
    }
}

/// Every POST takes an `Idempotency-Key` (`controllers::idempotency`): its
/// header, the answer a replay carries, and the two answers only a key can
/// cause.
fn add_idempotency_key(operation: &mut Operation) {
    let key = ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Up to 255 printable ASCII characters, chosen by the client for this one change. \
             The same key from the same user within 24 hours returns the first answer (status \
             and body, with `Idempotent-Replayed: true`) and changes nothing again; the same \
             key with a different request is 422; while the first request with the key is \
             still running, 409. A key whose request failed on the server (5xx) is forgotten \
             and may be sent again.",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(crate::controllers::idempotency::MAX_KEY_CHARS))
                .pattern(Some("^[!-~]+$")),
        ))
        .build();
    operation
        .parameters
        .get_or_insert_with(Vec::new)
        .push(RefOr::T(key));
    for (status, description) in [
        (
            "400",
            "the Idempotency-Key is not 1 to 255 printable ASCII characters \
             (or the request cannot be read)",
        ),
        (
            "409",
            "a request with this Idempotency-Key is still running (or the state forbids it)",
        ),
        (
            "422",
            "the Idempotency-Key was used for a different request (or the body breaks a rule)",
        ),
    ] {
        operation
            .responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| RefOr::T(error_answer(status, description)));
    }
}

fn add_error_answers(operation: &mut Operation, names_an_object: bool) {
    let parameters = operation.parameters.as_deref().unwrap_or_default();
    let in_query = parameters.iter().any(|parameter| {
        matches!(parameter, RefOr::T(parameter) if parameter.parameter_in == ParameterIn::Query)
    });
    let reads_json = operation.request_body.as_ref().is_some_and(
        |body| matches!(body, RefOr::T(body) if body.content.contains_key("application/json")),
    );
    let reads_multipart = operation.request_body.as_ref().is_some_and(
        |body| matches!(body, RefOr::T(body) if body.content.contains_key("multipart/form-data")),
    );
    let needs_token = operation
        .security
        .as_ref()
        .is_some_and(|requirements| !requirements.is_empty());

    let mut add = |status: &str, description: &str| {
        operation
            .responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| RefOr::T(error_answer(status, description)));
    };
    if needs_token {
        add("401", "no token, or one that is expired, forged or revoked");
    }
    if reads_json || reads_multipart || in_query {
        add(
            "400",
            "the request cannot be read: not JSON, wrong JSON types, a bad query string",
        );
        add("422", "a field breaks a rule; `fields` names each one");
    }
    if reads_json || reads_multipart {
        add("413", "the body is larger than the limit");
    }
    if names_an_object {
        add("404", "no such object for this caller");
    }
    add(
        "503",
        "the database was too busy to answer in time; nothing changed, retry after `Retry-After` seconds",
    );
}

fn error_answer(status: &str, description: &str) -> Response {
    let mut answer = Response::new(description);
    answer.content.insert(
        "application/json".to_string(),
        RefOr::T(Content::new(Some(Ref::from_schema_name("ErrorBody")))),
    );
    if matches!(status, "429" | "503") {
        answer.headers.insert(
            "Retry-After".to_string(),
            RefOr::T(
                HeaderBuilder::new()
                    .schema(Some(
                        ObjectBuilder::new()
                            .schema_type(Type::Integer)
                            .minimum(Some(0)),
                    ))
                    .description(Some("seconds to wait before trying again"))
                    .build(),
            ),
        );
    }
    answer
}

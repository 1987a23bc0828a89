//! The error answers of an operation, one response object per status, with
//! the schema and headers the node sends.

use serde_json::{Value, json};

use crate::contract::{Contract, JSON_MEDIA_TYPES, Security};

/// An error status an operation answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorStatus {
    /// 400: bad input.
    BadRequest,
    /// 401: no credentials, or credentials nobody accepts.
    Unauthorized,
    /// 403: the caller lacks the privilege.
    Forbidden,
    /// 404 of a delete: exactly `{"found":false}`.
    TokenNotFound,
    /// 404 of deleting a user or role: exactly `{"found":false}`.
    NotFound,
    /// 404 of getting users or roles when none of the names exists: `{}`.
    NoneFound,
    /// 408 of a health request: the wait ran out; the health body, not an
    /// error.
    TimedOut,
    /// 406: a body whose `Content-Type` Elasticsearch does not read; a
    /// simple error (`{"error": ..., "status": 406}`).
    NotAcceptable,
    /// 409: the token exists.
    Conflict,
    /// 413: the body is larger than the node reads.
    PayloadTooLarge,
    /// 500: the node failed.
    Internal,
    /// 503: the security index is unavailable.
    Unavailable,
}

impl ErrorStatus {
    /// The status code.
    pub fn code(self) -> u16 {
        match self {
            ErrorStatus::BadRequest => 400,
            ErrorStatus::Unauthorized => 401,
            ErrorStatus::Forbidden => 403,
            ErrorStatus::TokenNotFound | ErrorStatus::NotFound | ErrorStatus::NoneFound => 404,
            ErrorStatus::TimedOut => 408,
            ErrorStatus::NotAcceptable => 406,
            ErrorStatus::Conflict => 409,
            ErrorStatus::PayloadTooLarge => 413,
            ErrorStatus::Internal => 500,
            ErrorStatus::Unavailable => 503,
        }
    }

    fn description(self) -> &'static str {
        match self {
            ErrorStatus::BadRequest => {
                "Invalid input: a parameter, a body where none is read, or an API compatibility version other than 8 \
                 or 9 (`illegal_argument_exception`, `action_request_validation_exception`, \
                 `media_type_header_exception`)."
            }
            ErrorStatus::Unauthorized => {
                "No credentials, or credentials no realm or service account accepts (`security_exception`). As in \
                 Elasticsearch, the answer does not say what it comes from: no `X-Elastic-Product`."
            }
            ErrorStatus::Forbidden => {
                "The caller lacks a cluster privilege the action needs (`security_exception`); no \
                 `X-Elastic-Product`."
            }
            ErrorStatus::TokenNotFound => {
                "The token, or its service account, does not exist: exactly `{\"found\":false}`."
            }
            ErrorStatus::NotFound => "There is no such user or native role: exactly `{\"found\":false}`.",
            ErrorStatus::NoneFound => "None of the users or roles named exists: `{}`.",
            ErrorStatus::TimedOut => {
                "The wait ran out before the cluster met the conditions: the health as it then was, with \
                 `timed_out: true`."
            }
            ErrorStatus::NotAcceptable => {
                "A body without `Content-Type`, or of a type Elasticsearch does not read (it reads JSON, YAML, \
                 CBOR and Smile; this node JSON only)."
            }
            ErrorStatus::Conflict => "A token of that name exists (`version_conflict_engine_exception`).",
            ErrorStatus::PayloadTooLarge => "The request body is larger than the node reads.",
            ErrorStatus::Internal => "The node failed (`exception`); its log says why.",
            ErrorStatus::Unavailable => "The security index is unavailable (`unavailable_shards_exception`).",
        }
    }

    /// Whether the answer carries `X-Elastic-Product`: all but 401 and 403,
    /// which Elasticsearch strips (`RestResponse#filterHeaders`).
    fn names_the_product(self) -> bool {
        !matches!(self, ErrorStatus::Unauthorized | ErrorStatus::Forbidden)
    }

    /// The response object of a document of `contract`; without content for
    /// a `HEAD` operation.
    pub fn response(self, head: bool, contract: &Contract) -> Value {
        let mut headers = serde_json::Map::new();
        if self.names_the_product() {
            headers.insert("X-Elastic-Product".to_string(), contract.error_product_header.object());
        }
        if self == ErrorStatus::Unauthorized {
            let challenges = match contract.security {
                Security::UsersAndServiceAccounts => {
                    "Sent three times, in this order: `Basic realm=\"security\" charset=\"UTF-8\"`, `Bearer \
                     realm=\"security\"`, `ApiKey`."
                }
                Security::SharedSecret => "`Bearer realm=\"transport\"`: the shared secret is a bearer token.",
            };
            headers.insert(
                "WWW-Authenticate".to_string(),
                json!({"description": challenges, "style": "simple", "required": true, "schema": {"type": "string"}}),
            );
        }
        let mut response = json!({"description": self.description()});
        if !headers.is_empty() {
            response["headers"] = Value::Object(headers);
        }
        if !head {
            let schema = match self {
                ErrorStatus::TokenNotFound => "#/components/schemas/DeleteServiceTokenResponse",
                ErrorStatus::NotFound => "#/components/schemas/FoundResponse",
                ErrorStatus::NoneFound => "#/components/schemas/EmptyResponse",
                ErrorStatus::TimedOut => "#/components/schemas/ClusterHealthResponse",
                ErrorStatus::NotAcceptable => "#/components/schemas/SimpleErrorResponse",
                _ => "#/components/schemas/ErrorResponse",
            };
            response["content"] = JSON_MEDIA_TYPES
                .iter()
                .map(|media_type| (media_type.to_string(), json!({"schema": {"$ref": schema}})))
                .collect::<serde_json::Map<_, _>>()
                .into();
        }
        response
    }
}

/// How surely an error answer carries `X-Elastic-Product`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProductHeader {
    /// On every such answer.
    Always,
    /// On those the node's handlers produce, not on those dropshot produces
    /// before a handler runs (a body it cannot read).
    FromHandlers,
}

impl ProductHeader {
    /// The header object.
    pub fn object(self) -> Value {
        match self {
            ProductHeader::Always => json!({
                "description": "Always `Elasticsearch`; the official clients refuse a response without it.",
                "style": "simple",
                "required": true,
                "schema": {"type": "string", "enum": ["Elasticsearch"]}
            }),
            ProductHeader::FromHandlers => json!({
                "description": "`Elasticsearch`, on every answer but those dropshot makes before a handler runs (a \
                                body it cannot read or that is too large).",
                "style": "simple",
                "schema": {"type": "string", "enum": ["Elasticsearch"]}
            }),
        }
    }
}

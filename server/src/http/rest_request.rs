//! What every endpoint does with a request before and after its own work, as
//! Elasticsearch's REST layer does it: negotiate the response format from
//! `Accept` and the global parameters (`pretty`, `human`, `format`,
//! `error_trace`, `filter_path`), then, once the endpoint validated its own
//! input, refuse parameters it does not take and bodies it does not read.

use std::collections::BTreeMap;

use dropshot::RequestInfo;
use es_tokens_api::ResponseFormat;
use http::header::{ACCEPT, CONTENT_LENGTH};

use crate::common::suggestions;
use crate::error::ServiceError;

/// Parameters every endpoint accepts (`BaseRestHandler.ALWAYS_SUPPORTED` and
/// `RestResponse.RESPONSE_PARAMS`).
const GLOBAL_PARAMS: [&str; 5] = ["format", "filter_path", "pretty", "human", "error_trace"];

/// A request as the REST layer sees it.
pub struct RestRequest {
    method: String,
    /// The path as received; decoded only for the messages that show it.
    raw_path: String,
    params: BTreeMap<String, String>,
    has_body: bool,
    format: ResponseFormat,
    /// Whether `pretty` was given; an endpoint's own default (`GET /`) only
    /// applies to its successful body.
    pretty_given: bool,
    pretty_by_default: bool,
}

impl RestRequest {
    /// Reads the request's parameters and negotiates its response format.
    /// `pretty_by_default` is for `GET /`, which Elasticsearch pretty-prints
    /// unless told otherwise.
    pub fn parse(request: &RequestInfo, pretty_by_default: bool) -> Result<RestRequest, ServiceError> {
        let uri = request.uri();
        let params: BTreeMap<String, String> = uri
            .query()
            .map(|query| form_urlencoded::parse(query.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        let has_body = request
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok())
            .is_some_and(|length| length > 0);
        let pretty_given = params.contains_key("pretty");
        let pretty = match params.get("pretty") {
            Some(value) => parse_bool(value)?,
            None => false,
        };
        for flag in ["human", "error_trace"] {
            if let Some(value) = params.get(flag) {
                parse_bool(value)?;
            }
        }
        if let Some(format) = params.get("format").filter(|f| !f.eq_ignore_ascii_case("json")) {
            // yaml, cbor and smile are real Elasticsearch formats we do not
            // render; anything else Elasticsearch ignores too.
            if ["yaml", "cbor", "smile"].contains(&format.to_ascii_lowercase().as_str()) {
                return Err(ServiceError::Unsupported(format!("format [{format}]")));
            }
        }
        if params.contains_key("filter_path") {
            return Err(ServiceError::Unsupported("[filter_path]".to_string()));
        }
        let content_type = negotiate_content_type(request)?;
        Ok(RestRequest {
            method: request.method().to_string(),
            raw_path: uri.path().to_string(),
            params,
            has_body,
            format: ResponseFormat { pretty, content_type },
            pretty_given,
            pretty_by_default,
        })
    }

    /// How to render the response; `success` says whether it is the
    /// endpoint's own body or an error.
    pub fn format(&self, success: bool) -> ResponseFormat {
        let mut format = self.format.clone();
        if success && !self.pretty_given {
            format.pretty = self.pretty_by_default;
        }
        format
    }

    /// Checks what Elasticsearch checks after the endpoint parsed its input:
    /// no query parameter the endpoint does not take (`endpoint_params` are
    /// the ones it does), and no body.
    pub fn finish(&self, endpoint_params: &[&str]) -> Result<(), ServiceError> {
        self.finish_params(endpoint_params)?;
        if self.has_body {
            return Err(ServiceError::BodyNotSupported { method: self.method.clone(), path: self.path() });
        }
        Ok(())
    }

    /// A query parameter's value.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    /// The JSON body of an endpoint that reads one, given its `headers` and
    /// `bytes`, or the `source` parameter when there is no body
    /// (`RestRequest#contentOrSourceParam`), with Elasticsearch's errors:
    /// 400 without either, 406 for a `Content-Type` it has no parser for
    /// (this node parses JSON only, where Elasticsearch also reads YAML, CBOR
    /// and Smile).
    /// The parameters it read the body from, if it did, come back with it:
    /// the endpoint takes them.
    pub fn json_body(
        &self,
        headers: &http::HeaderMap,
        bytes: &[u8],
    ) -> Result<(serde_json::Value, &'static [&'static str]), ServiceError> {
        let (content, media_type) = if bytes.is_empty() {
            let Some(source) = self.param("source") else {
                return Err(ServiceError::Parse("request body or source parameter is required".to_string()));
            };
            let Some(media_type) = self.param("source_content_type") else {
                return Err(ServiceError::IllegalState(
                    "source and source_content_type parameters are required".to_string(),
                ));
            };
            (source.as_bytes(), media_type.to_string())
        } else {
            let Some(value) = headers.get(http::header::CONTENT_TYPE) else {
                return Err(ServiceError::ContentType("Content-Type header is missing".to_string()));
            };
            (bytes, String::from_utf8_lossy(value.as_bytes()).into_owned())
        };
        let essence = media_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        if ![
            "application/json",
            "application/x-ndjson",
            "application/vnd.elasticsearch+json",
            "application/vnd.elasticsearch+x-ndjson",
        ]
        .contains(&essence.as_str())
        {
            return Err(ServiceError::ContentType(format!("Content-Type header [{media_type}] is not supported")));
        }
        let value = serde_json::from_slice(content)
            .map_err(|error| ServiceError::XContentParse(format!("[{}:{}] {error}", error.line(), error.column())))?;
        let consumed: &[&str] = if bytes.is_empty() { &["source", "source_content_type"] } else { &[] };
        Ok((value, consumed))
    }

    /// Whether the answer is for people (`human`).
    pub fn human(&self) -> bool {
        self.params.get("human").is_some_and(|value| parse_bool(value).unwrap_or(false))
    }

    /// [`RestRequest::finish`] for an endpoint that reads a body: only the
    /// parameters are checked.
    pub fn finish_params(&self, endpoint_params: &[&str]) -> Result<(), ServiceError> {
        let supported = || GLOBAL_PARAMS.iter().chain(endpoint_params).copied();
        let unrecognized: Vec<(String, Vec<String>)> = self
            .params
            .keys()
            .filter(|param| !supported().any(|known| known == param.as_str()))
            .map(|param| {
                let close = suggestions::similar(param, supported(), 0.5);
                (param.clone(), close.into_iter().map(str::to_string).collect())
            })
            .collect();
        if !unrecognized.is_empty() {
            return Err(ServiceError::UnrecognizedParameters { path: self.path(), unrecognized });
        }
        Ok(())
    }

    /// The decoded path, as Elasticsearch's messages show it
    /// (`RestRequest#path`); invalid UTF-8 becomes U+FFFD.
    fn path(&self) -> String {
        percent_encoding::percent_decode_str(&self.raw_path).decode_utf8_lossy().into_owned()
    }
}

/// Validates `refresh` as `WriteRequest.RefreshPolicy.parse` does. Changes
/// are visible at once here whatever its value.
pub fn parse_refresh(refresh: Option<&str>) -> Result<(), ServiceError> {
    match refresh {
        None | Some("" | "true" | "false" | "wait_for") => Ok(()),
        Some(other) => Err(ServiceError::InvalidRefresh(other.to_string())),
    }
}

/// `?pretty`, `?pretty=true` and `?pretty=false`; nothing else.
pub fn parse_bool(value: &str) -> Result<bool, ServiceError> {
    match value {
        "" | "true" => Ok(true),
        "false" => Ok(false),
        other => Err(ServiceError::InvalidBoolean(other.to_string())),
    }
}

/// The response `Content-Type`: `application/json`, or, when `Accept` asks
/// for `application/vnd.elasticsearch+json; compatible-with=N`, that media
/// type with its parameters, written as Elasticsearch writes it (lower case,
/// `;` without spaces). Only versions 8 and 9 are spoken.
fn negotiate_content_type(request: &RequestInfo) -> Result<String, ServiceError> {
    let Some(accept) = request.headers().get(ACCEPT).and_then(|value| value.to_str().ok()) else {
        return Ok("application/json".to_string());
    };
    // A list of media ranges or */* means "anything": JSON.
    if accept.contains(',') || accept.trim() == "*/*" {
        return Ok("application/json".to_string());
    }
    let mut parts = accept.split(';');
    let media_type = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    let params: Vec<(String, String)> = parts
        .filter_map(|param| param.split_once('='))
        .map(|(key, value)| (key.trim().to_ascii_lowercase(), value.trim().to_ascii_lowercase()))
        .collect();
    if let Some((_, version)) = params.iter().find(|(key, _)| key == "compatible-with")
        && version != "8"
        && version != "9"
    {
        return Err(ServiceError::CompatibleVersion {
            header: "Accept",
            version: version.clone(),
            value: accept.to_string(),
        });
    }
    let json_like = media_type == "application/json" || media_type == "application/vnd.elasticsearch+json";
    if !json_like || params.is_empty() {
        return Ok("application/json".to_string());
    }
    let rendered: Vec<String> = params.iter().map(|(key, value)| format!("{key}={value}")).collect();
    Ok(format!("{media_type};{}", rendered.join(";")))
}

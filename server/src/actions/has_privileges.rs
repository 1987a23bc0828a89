//! Whether the caller holds the privileges it names
//! (`TransportHasPrivilegesAction`): the body is read as
//! `RoleDescriptor.parsePrivilegesToCheck` reads it, with its errors.

use es_tokens_types::HasPrivilegesResponse;
use serde_json::Value;

use crate::authc::authentication::Authentication;
use crate::authz::privilege_check::{self, ApplicationCheck, IndexCheck, PrivilegesToCheck};
use crate::authz::role_descriptor::{self, strings};
use crate::common::xcontent::json_token as token;
use crate::error::ServiceError;
use crate::node::NodeContext;

/// The action's name, which its privilege is checked against when the path
/// names another user.
pub const NAME: &str = "cluster:admin/xpack/security/user/has_privileges";

/// Reads the body as `RoleDescriptor.parsePrivilegesToCheck` does, for
/// `username`.
pub fn parse(username: &str, body: &Value) -> Result<PrivilegesToCheck, ServiceError> {
    let description = format!("{username}/has_privileges");
    let check =
        |message: String| ServiceError::Parse(format!("failed to parse privileges check [{description}]. {message}"));
    let Value::Object(fields) = body else {
        return Err(check(format!("expected an object but found [{}] instead", token(body))));
    };
    let mut cluster = None;
    let mut index = None;
    let mut application = None;
    for (field, value) in fields {
        match field.as_str() {
            "cluster" => cluster = Some(strings(value, "cluster", &check)?),
            "index" => index = Some(index_checks(&description, value)?),
            "application" | "applications" => application = Some(application_checks(&description, value)?),
            other => return Err(check(format!("unexpected field [{other}]"))),
        }
    }
    if cluster.is_none() && index.is_none() && application.is_none() {
        return Err(check("All privilege fields [cluster,index,applications] are missing".to_string()));
    }
    let check = PrivilegesToCheck {
        cluster: cluster.unwrap_or_default(),
        index: index.unwrap_or_default(),
        application: application.unwrap_or_default(),
    };
    if check.cluster.is_empty() && check.index.is_empty() && check.application.is_empty() {
        return Err(ServiceError::ValidationFailed(vec!["must specify at least one privilege".to_string()]));
    }
    Ok(check)
}

fn index_checks(description: &str, value: &Value) -> Result<Vec<IndexCheck>, ServiceError> {
    let error = |message: String| {
        ServiceError::Parse(format!("failed to parse indices privileges for role [{description}]. {message}"))
    };
    let Value::Array(entries) = value else {
        return Err(error(format!(
            "expected field [index] value to be an array, but found [{}] instead",
            token(value)
        )));
    };
    // Each entry as a role's (`RoleDescriptor.parseIndex`), then refused if
    // it restricts documents or fields, which a check cannot ask about.
    let mut checks = Vec::new();
    for entry in entries {
        let (group, _) = role_descriptor::index_entry(description, "index", entry, false)?;
        let all_fields = group.field_security.as_ref().is_none_or(|security| {
            security.grant.as_deref() == Some(&["*".to_string()][..])
                && security.except.as_ref().is_none_or(Vec::is_empty)
        });
        for (restricts, field) in [(group.query.is_some(), "query"), (!all_fields, "field_security")] {
            if restricts {
                return Err(ServiceError::InvalidParameter(format!(
                    "Field [{field}] is not supported in a has_privileges request"
                )));
            }
        }
        checks.push(IndexCheck {
            names: group.names,
            privileges: group.privileges,
            allow_restricted_indices: group.allow_restricted_indices,
        });
    }
    Ok(checks)
}

fn application_checks(description: &str, value: &Value) -> Result<Vec<ApplicationCheck>, ServiceError> {
    let error = |message: String| {
        ServiceError::Parse(format!("failed to parse application privileges for role [{description}]. {message}"))
    };
    let Value::Array(entries) = value else {
        return Err(error(format!(
            "expected field [application] value to be an array, but found [{}] instead",
            token(value)
        )));
    };
    // Each entry as a role's (`RoleDescriptor.parseApplicationPrivilege`).
    entries
        .iter()
        .map(|entry| {
            let privileges = role_descriptor::application_entry(description, entry)?;
            Ok(ApplicationCheck {
                application: privileges.application,
                privileges: privileges.privileges,
                resources: privileges.resources,
            })
        })
        .collect()
}

/// Checks `request` for `caller`. `named` is the user the path names, which
/// must be the caller.
pub async fn execute(
    node: &NodeContext,
    caller: &Authentication,
    named: Option<&str>,
    request: &PrivilegesToCheck,
) -> Result<HasPrivilegesResponse, ServiceError> {
    if named.is_some_and(|named| named != caller.principal()) {
        return Err(ServiceError::InvalidParameter(
            "users may only check the privileges of their own account".to_string(),
        ));
    }
    privilege_check::check(caller.principal(), &node.security.permissions(caller).await?, request)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn error(body: Value) -> String {
        parse("u", &body).err().unwrap().to_string()
    }

    #[test]
    fn elasticsearchs_parse_errors() {
        assert_eq!(
            error(json!([])),
            "failed to parse privileges check [u/has_privileges]. expected an object but found [START_ARRAY] instead"
        );
        assert_eq!(
            error(json!({"clusters": []})),
            "failed to parse privileges check [u/has_privileges]. unexpected field [clusters]"
        );
        assert_eq!(
            error(json!({})),
            "failed to parse privileges check [u/has_privileges]. All privilege fields [cluster,index,applications] are missing"
        );
        assert_eq!(error(json!({"cluster": []})), "Validation Failed: 1: must specify at least one privilege;");
        assert_eq!(
            error(json!({"index": [{"names": [], "privileges": ["read"]}]})),
            "failed to parse indices privileges for role [u/has_privileges]. [names] cannot be an empty array"
        );
        assert_eq!(
            error(json!({"index": [{"names": "a", "privileges": ["read"], "query": "{}"}]})),
            "Field [query] is not supported in a has_privileges request"
        );
        assert_eq!(
            error(json!({"index": [{"names": "a", "query": {"match_all": {}}}]})),
            "failed to parse indices privileges for role [u/has_privileges]. missing required [privileges] field"
        );
        assert_eq!(
            error(json!({"index": [{"names": 1, "privileges": ["read"]}]})),
            "failed to parse indices privileges for role [u/has_privileges]. expected field [names] value to be a string \
             or an array of strings, but found [VALUE_NUMBER_INT] instead"
        );
        assert_eq!(
            error(json!({"index": [{"names": "a", "privileges": ["read"], "x": 1}]})),
            "failed to parse indices privileges for role [u/has_privileges]. unexpected field [x]"
        );
        let lenient =
            json!({"index": [{"names": "a", "privileges": ["read"], "query": "", "field_security": {"grant": ["*"]}}]});
        assert!(parse("u", &lenient).is_ok());
    }

    #[test]
    fn names_may_be_one_string() {
        let check =
            parse("u", &json!({"index": [{"names": "logs", "privileges": ["read"]}], "applications": []})).unwrap();
        assert_eq!(check.index[0].names, ["logs"]);
    }
}

//! The HTTP API's routes as Elasticsearch's `PathTrie` matches them, for the
//! answers that name the methods a path takes (`Allow`) when no handler took
//! the request. Built from the API trait on first use: the requests that need
//! it are the rare ones.

use std::sync::OnceLock;

use crate::http::rest_controller::METHODS;

/// One route: its operation, method and the segments of its path template.
struct Route {
    operation: String,
    method: String,
    segments: Vec<Segment>,
}

enum Segment {
    Literal(String),
    Variable,
}

/// The routes of an API, read on first use from `describe`.
pub struct Routes {
    describe: fn() -> Vec<(String, String, String)>,
    routes: OnceLock<Vec<Route>>,
}

impl Routes {
    /// The routes `describe` lists as (operation id, method, path template).
    pub const fn new(describe: fn() -> Vec<(String, String, String)>) -> Self {
        Routes { describe, routes: OnceLock::new() }
    }

    /// The methods of the routes matching `raw_path`, in Elasticsearch's
    /// order (`RestRequest.Method`); empty for an unknown path.
    pub fn methods_of(&self, raw_path: &str) -> Vec<&'static str> {
        let matching = self.matching(&segments(raw_path));
        METHODS.into_iter().filter(|method| matching.iter().any(|route| route.method == *method)).collect()
    }

    /// The operation of the route for `method` and `path`, if there is one.
    pub fn operation_of(&self, method: &str, path: &str) -> Option<&str> {
        self.matching(&segments(path))
            .into_iter()
            .find(|route| route.method == method)
            .map(|route| route.operation.as_str())
    }

    /// The routes of the template `PathTrie` resolves `path` to: at each
    /// segment a literal wins over a variable where the rest of the path
    /// matches through it (so `/_security/user/_password` is not
    /// `/_security/user/{username}`).
    fn matching(&self, path: &[&str]) -> Vec<&Route> {
        let routes: Vec<&Route> = self.routes().iter().filter(|route| route.matches(path)).collect();
        // Literal-first at every segment: the least template, segment by
        // segment, with literals before variables.
        let rank = |route: &Route| -> Vec<bool> {
            route.segments.iter().map(|segment| matches!(segment, Segment::Variable)).collect()
        };
        let Some(best) = routes.iter().map(|route| rank(route)).min() else { return Vec::new() };
        routes.into_iter().filter(|route| rank(route) == best).collect()
    }

    fn routes(&self) -> &[Route] {
        self.routes.get_or_init(|| {
            (self.describe)()
                .into_iter()
                .map(|(operation, method, template)| Route {
                    operation,
                    method,
                    segments: segments(&template)
                        .into_iter()
                        .map(|segment| match segment.strip_prefix('{') {
                            Some(_) => Segment::Variable,
                            None => Segment::Literal(segment.to_string()),
                        })
                        .collect(),
                })
                .collect()
        })
    }
}

/// The HTTP API's routes.
pub fn elasticsearch() -> &'static Routes {
    static ROUTES: Routes = Routes::new(es_tokens_api::elasticsearch_routes);
    &ROUTES
}

impl Route {
    fn matches(&self, path: &[&str]) -> bool {
        self.segments.len() == path.len()
            && self.segments.iter().zip(path).all(|(segment, part)| match segment {
                Segment::Literal(literal) => literal == part,
                Segment::Variable => true,
            })
    }
}

/// A path's segments as `PathTrie` splits it: without the leading `/` and
/// trailing empty segments, interior empty ones kept (the router's rule,
/// `dropshot::PathSegments::Elasticsearch`).
pub fn segments(path: &str) -> Vec<&str> {
    let path = path.strip_prefix('/').unwrap_or(path);
    let mut segments: Vec<&str> = path.split('/').collect();
    while segments.last().is_some_and(|segment| segment.is_empty()) {
        segments.pop();
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routes() -> Vec<(String, String, String)> {
        [("get", "GET", "/a/{x}"), ("put", "PUT", "/a/{x}"), ("head", "HEAD", "/"), ("root", "GET", "/")]
            .into_iter()
            .map(|(id, method, path)| (id.to_string(), method.to_string(), path.to_string()))
            .collect()
    }

    #[test]
    fn methods_in_elasticsearchs_order_for_every_matching_route() {
        let routes = Routes::new(routes);
        assert_eq!(routes.methods_of("/a/b"), ["GET", "PUT"]);
        assert_eq!(routes.methods_of("/a/b/"), ["GET", "PUT"]);
        assert_eq!(routes.methods_of("/"), ["GET", "HEAD"]);
        assert_eq!(routes.methods_of("/a"), Vec::<&str>::new());
        assert_eq!(routes.methods_of("/a//"), Vec::<&str>::new(), "a trailing empty segment is no segment");
        assert_eq!(routes.methods_of("//b"), Vec::<&str>::new(), "an interior one is");
        assert_eq!(routes.operation_of("PUT", "/a/{x}"), Some("put"));
        assert_eq!(routes.operation_of("POST", "/a/b"), None);
    }

    #[test]
    fn a_literal_wins_over_a_variable() {
        let routes = Routes::new(|| {
            [
                ("get", "GET", "/u/{x}"),
                ("put", "PUT", "/u/{x}"),
                ("password", "PUT", "/u/_password"),
                ("deep", "GET", "/u/_password/{y}"),
            ]
            .into_iter()
            .map(|(id, method, path)| (id.to_string(), method.to_string(), path.to_string()))
            .collect()
        });
        assert_eq!(routes.methods_of("/u/_password"), ["PUT"]);
        assert_eq!(routes.methods_of("/u/jack"), ["GET", "PUT"]);
        assert_eq!(routes.operation_of("PUT", "/u/_password"), Some("password"));
        assert_eq!(routes.methods_of("/u/_password/z"), ["GET"]);
    }
}

//! Serves the built SPA (`GATEWAY_STATIC_DIR`) at `/`: files by path, `index.html` for client-side
//! routes, long-lived caching for fingerprinted assets, no path traversal. Text files are sent
//! precompressed when the client accepts it: the build writes `<file>.br` and `<file>.gz` beside
//! each (see `frontend/scripts/precompress.ts`), so nothing is compressed per request.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "txt" => "text/plain; charset=utf-8",
        "webmanifest" => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

/// The file a URL path names inside `root`, or `None` for anything that would leave it.
fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let mut path = root.to_path_buf();
    for component in Path::new(url_path.trim_start_matches('/')).components() {
        match component {
            Component::Normal(part) => path.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(path)
}

/// A content coding the build precompresses files with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Coding {
    Brotli,
    Gzip,
}

impl Coding {
    fn suffix(self) -> &'static str {
        match self {
            Self::Brotli => "br",
            Self::Gzip => "gz",
        }
    }

    fn token(self) -> &'static str {
        match self {
            Self::Brotli => "br",
            Self::Gzip => "gzip",
        }
    }
}

/// The codings an `Accept-Encoding` value allows, best first (brotli before gzip; `q=0` refuses
/// one; `*` allows any not named).
fn accepted_codings(accept_encoding: &str) -> Vec<Coding> {
    let mut named: Vec<(String, bool)> = Vec::new();
    for item in accept_encoding.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q=").or_else(|| p.trim().strip_prefix("Q=")))
            .find_map(|v| v.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        named.push((name, q > 0.0));
    }
    let allowed = |token: &str| match named.iter().find(|(n, _)| n == token) {
        Some((_, ok)) => *ok,
        None => named.iter().any(|(n, ok)| n == "*" && *ok),
    };
    [Coding::Brotli, Coding::Gzip]
        .into_iter()
        .filter(|c| allowed(c.token()) || (*c == Coding::Gzip && allowed("x-gzip")))
        .collect()
}

/// Whether the build precompresses files like `path` (text formats).
fn compressible(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("html" | "js" | "mjs" | "css" | "json" | "map" | "svg" | "txt" | "webmanifest")
    )
}

/// `file`'s bytes, from its best precompressed sibling the client accepts when there is one.
async fn read_best(file: &Path, accept_encoding: &str) -> Option<(Vec<u8>, Option<Coding>)> {
    if compressible(file) {
        for coding in accepted_codings(accept_encoding) {
            let mut name = file.as_os_str().to_owned();
            name.push(".");
            name.push(coding.suffix());
            if let Ok(bytes) = tokio::fs::read(PathBuf::from(name)).await {
                return Some((bytes, Some(coding)));
            }
        }
    }
    tokio::fs::read(file).await.ok().map(|bytes| (bytes, None))
}

async fn serve(State(root): State<Arc<PathBuf>>, request: Request) -> Response {
    let url_path = request.uri().path();
    let Some(candidate) = resolve(&root, url_path) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let is_file = tokio::fs::metadata(&candidate).await.is_ok_and(|m| m.is_file());
    // Unknown paths without an extension are client-side routes: the SPA's index.
    let (file, fallback) = if is_file {
        (candidate, false)
    } else if Path::new(url_path).extension().is_none() {
        (root.join("index.html"), true)
    } else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let accept_encoding = request
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Some((bytes, coding)) = read_best(&file, accept_encoding).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(&file)));
    if compressible(&file) {
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    if let Some(coding) = coding {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding.token()));
    }
    let immutable = !fallback && url_path.starts_with("/assets/");
    let cache = if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if file.extension().is_some_and(|e| e == "html") {
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"),
        );
    }
    response
}

/// A fallback router serving `root`.
pub fn routes(root: PathBuf) -> Router {
    Router::new().fallback(serve).with_state(Arc::new(root))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_never_leave_the_root() {
        let root = Path::new("/srv/spa");
        assert_eq!(resolve(root, "/assets/app.js"), Some(PathBuf::from("/srv/spa/assets/app.js")));
        assert_eq!(resolve(root, "/"), Some(PathBuf::from("/srv/spa")));
        assert_eq!(resolve(root, "/../etc/passwd"), None);
        assert_eq!(resolve(root, "/assets/../../etc/passwd"), None);
    }

    #[test]
    fn accept_encoding_picks_brotli_then_gzip_and_honours_q_zero() {
        use Coding::{Brotli, Gzip};
        assert_eq!(accepted_codings("gzip, deflate, br, zstd"), vec![Brotli, Gzip]);
        assert_eq!(accepted_codings("gzip, deflate"), vec![Gzip]);
        assert_eq!(accepted_codings("br;q=0, gzip;q=0.8"), vec![Gzip]);
        assert_eq!(accepted_codings("BR;Q=0.5"), vec![Brotli]);
        assert_eq!(accepted_codings("*"), vec![Brotli, Gzip]);
        assert_eq!(accepted_codings("*;q=0, gzip"), vec![Gzip]);
        assert_eq!(accepted_codings("x-gzip"), vec![Gzip]);
        assert_eq!(accepted_codings("identity"), Vec::<Coding>::new());
        assert_eq!(accepted_codings(""), Vec::<Coding>::new());
    }

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type(Path::new("a/index.html")), "text/html; charset=utf-8");
        assert_eq!(content_type(Path::new("a/app.3f2a.js")), "text/javascript; charset=utf-8");
        assert_eq!(content_type(Path::new("blob")), "application/octet-stream");
    }
}

//! A minimal HTTP/1.1 GET client over a tokio `TcpStream`, for the tests and the benchmark.
//! Hand-written so the root package needs no HTTP client crate: every root dev-dependency
//! is linked into every book snippet.

use std::{io, net::SocketAddr};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    /// The first header called `name`, ignoring case, as HTTP header names do.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// `GET path` on a fresh connection, read to the end of the response.
pub async fn get(addr: SocketAddr, path: &str) -> io::Result<Response> {
    let stream = send_get(addr, path).await?;
    read_response(stream).await
}

/// `POST path` with an empty body on a fresh connection, read to the end of the response.
#[allow(dead_code)] // not every test sends a POST
pub async fn post(addr: SocketAddr, path: &str) -> io::Result<Response> {
    request(addr, "POST", path, "", "").await
}

/// `method path` with `headers` (whole lines, each ending in `\r\n`) and `body`, on a fresh
/// connection, read to the end of the response.
#[allow(dead_code)] // not every test sends headers of its own
pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &str,
    body: &str,
) -> io::Result<Response> {
    let stream = send(addr, method, path, headers, body).await?;
    read_response(stream).await
}

/// Sends `GET path` and returns the open connection, so a caller can hang up without reading.
pub async fn send_get(addr: SocketAddr, path: &str) -> io::Result<TcpStream> {
    send(addr, "GET", path, "", "").await
}

async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &str,
    body: &str,
) -> io::Result<TcpStream> {
    let mut stream = TcpStream::connect(addr).await?;
    let length = body.len();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{headers}Content-Length: {length}\r\nConnection: close\r\n\r\n{body}"
    );
    stream.write_all(request.as_bytes()).await?;
    Ok(stream)
}

/// Reads until the server closes the connection, as `Connection: close` asks it to.
pub async fn read_response(mut stream: TcpStream) -> io::Result<Response> {
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    let invalid = |why: &str| io::Error::new(io::ErrorKind::InvalidData, why.to_string());
    let text = String::from_utf8(raw).map_err(|_| invalid("response is not UTF-8"))?;
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| invalid("no blank line after the headers"))?;
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| invalid("no status code"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(key, value)| (key.trim().to_string(), value.trim().to_string()))
        .collect();
    let response = Response {
        status,
        headers,
        body: body.to_string(),
    };
    if response.header("transfer-encoding").is_some() {
        return Err(invalid("chunked bodies are not supported"));
    }
    Ok(response)
}

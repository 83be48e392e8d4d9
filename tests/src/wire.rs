//! A programmable loopback HTTP/1.1 server for hostile-world integration tests.
//!
//! [`ScriptedServer`] listens on `127.0.0.1` on an ephemeral port and answers every request
//! the way a test script says: well-formed replies, byte-exact malformed ones (duplicate or
//! non-UTF-8 headers, absurd values), endless chunked bodies, silence, a response trickled one
//! byte at a time, or a TCP reset in the middle of a body. It records every request it
//! received so the test can check what the client sent.
//!
//! The server runs on its own thread with its own tokio runtime, so it serves synchronous
//! tests, async tests (whatever their runtime flavour) and child processes started with
//! [`std::process::Command`] alike. Dropping the [`ScriptedServer`] stops it: the accept loop
//! ends, the runtime is dropped, and every connection is closed before `drop` returns.
//!
//! ```no_run
//! # use integration_tests::wire::{ScriptedServer, Reply, json};
//! # use std::time::Duration;
//! let server = ScriptedServer::start(|n, _request| match n {
//!     0 => json(503, r#"{"error":"busy"}"#),
//!     1 => Reply::NeverAnswer { hold: Duration::from_secs(30) },
//!     _ => json(200, r#"{"ok":true}"#),
//! });
//! let base = server.url(); // "http://127.0.0.1:PORT"
//! // ... point the client under test at `base` ...
//! assert_eq!(server.hits(), 3);
//! ```
//!
//! # Request parsing
//!
//! Requests are read as HTTP/1.1: several requests per connection (keep-alive), leading empty
//! lines ignored, a head of at most [`MAX_HEAD`] bytes (a larger one is answered with
//! `431` and the connection closed), header names matched case-insensitively, bodies framed by
//! `Content-Length` or by `Transfer-Encoding: chunked` (trailers are read and dropped) and at
//! most [`MAX_BODY`] bytes (a larger one is answered with `413`). `Expect: 100-continue` is
//! answered with `100 Continue` before the body is read. A request that cannot be parsed is
//! answered with `400` and the connection closed; such requests are neither recorded nor
//! shown to the script. A client that disconnects mid-request simply ends its connection.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// The largest request head accepted, in bytes (request line, header lines and the blank line
/// that ends them).
pub const MAX_HEAD: usize = 64 * 1024;

/// The largest request body accepted, in bytes (after removing any chunked framing).
pub const MAX_BODY: usize = 64 * 1024 * 1024;

/// The longest line of chunked framing (chunk size with extensions, or trailer line) accepted.
const MAX_CHUNK_LINE: usize = 8 * 1024;

/// How long a connection closed by the server keeps draining what the client still sends
/// after the server's FIN, so that unread request bytes do not turn the close into a reset
/// that could destroy the response before the client reads it.
const CLOSE_LINGER: Duration = Duration::from_millis(500);

/// How long [`Reply::ResetAfter`] waits after writing its bytes before resetting, so that
/// they leave the socket's send buffer (a zero-linger close discards unsent data).
const RESET_PAUSE: Duration = Duration::from_millis(20);

/// The payload byte [`Reply::EndlessChunked`] fills its chunks with.
const FILLER: u8 = b'x';

/// What the server does with one request.
///
/// Build the common cases with [`json`], [`html`] and [`with_headers`]; build anything else by
/// hand, byte for byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// Writes `head` verbatim, then the blank line (`"\r\n"`) that ends the head, then `body`
    /// verbatim.
    ///
    /// `head` is the status line and header lines, each ending in `"\r\n"`; it is raw bytes so
    /// that tests can send non-UTF-8 headers, duplicate headers and absurd values. Nothing is
    /// checked or added besides the blank line: a `Content-Length` that disagrees with `body`
    /// is sent as is.
    ///
    /// Afterwards the connection stays open for the next request when the exchange is
    /// keep-alive compatible: the request did not ask to close (`Connection: close`, or
    /// HTTP/1.0 without `Connection: keep-alive`), the head does not say `Connection: close`
    /// (an HTTP/1.0 head must say `Connection: keep-alive`), and the head frames its body
    /// (`Content-Length`, chunked `Transfer-Encoding`, a `1xx`/`204`/`304` status or a `HEAD`
    /// request). Otherwise the server closes the connection (FIN) after writing.
    Raw {
        /// Status line and header lines, each ending in `"\r\n"`, without the final blank line.
        head: Vec<u8>,
        /// The bytes written after the head, verbatim (already chunk-framed if the head says
        /// `Transfer-Encoding: chunked`).
        body: Vec<u8>,
    },
    /// Writes `head` and the blank line after it (the head should say
    /// `Transfer-Encoding: chunked`), then chunks of `chunk` payload bytes (`x`s), forever:
    /// until a write fails because the client went away, or until `max_total` payload bytes
    /// were written, a safety bound (e.g. 512 MiB). Then the connection is closed without the
    /// terminating zero-size chunk, so the body is never complete.
    ///
    /// A `chunk` of 0 is treated as 1 (a zero-size chunk would end the body).
    EndlessChunked {
        /// Status line and header lines, each ending in `"\r\n"`, without the final blank line.
        head: Vec<u8>,
        /// Payload bytes per chunk.
        chunk: usize,
        /// Payload bytes after which the server gives up and closes the connection.
        max_total: usize,
    },
    /// Reads the request and answers nothing: the connection stays open, unanswered, until
    /// `hold` passes, the client closes it, or the server is dropped. Then it is closed.
    ///
    /// Anything else the client sends on that connection is read and ignored.
    /// `Duration::MAX` holds for the server's whole life.
    NeverAnswer {
        /// How long to keep the connection open without answering.
        hold: Duration,
    },
    /// Writes `bytes` (a whole response: head, blank line and body) one byte at a time,
    /// waiting `delay` after each byte (Nagle's algorithm is off, so every byte is its own
    /// segment). Stops early if a write fails.
    ///
    /// Afterwards the connection is kept open or closed as for [`Reply::Raw`], judged on the
    /// part of `bytes` before the first blank line (no blank line: closed).
    Trickle {
        /// The response, sent one byte at a time.
        bytes: Vec<u8>,
        /// The pause after every byte.
        delay: Duration,
    },
    /// Writes `bytes` and then resets the connection (`SO_LINGER` 0, then close: a TCP RST
    /// instead of a FIN), e.g. a head announcing `Content-Length: 1000` and only 10 body bytes.
    ///
    /// The server pauses briefly (20 ms) between the write and the reset so that the bytes
    /// leave its send buffer; whether the client reads them before it sees the reset is up to
    /// the client's operating system (Linux lets it read them first).
    ResetAfter {
        /// What to send before the reset (may be empty).
        bytes: Vec<u8>,
    },
    /// Reads the request and closes the connection (FIN) without answering a single byte,
    /// the "connection closed before message completed" case.
    Close,
}

/// One request as received by the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The request method, e.g. `GET`.
    pub method: String,
    /// The request target as sent, normally `path?query` (origin form).
    pub target: String,
    /// The header fields in the order received, names in their original case, values with
    /// surrounding whitespace removed. Bytes that are not UTF-8 are replaced with U+FFFD.
    pub headers: Vec<(String, String)>,
    /// The body, with any chunked framing removed.
    pub body: Vec<u8>,
}

impl Received {
    /// The value of the first header field named `name` (compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The values of every header field named `name` (compared case-insensitively), in order.
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The path part of [`target`](Self::target), without the query.
    pub fn path(&self) -> &str {
        self.target.split_once('?').map_or(&self.target, |(p, _)| p)
    }

    /// The query part of [`target`](Self::target) (after the first `?`), if any.
    pub fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, q)| q)
    }

    /// The body as text, with bytes that are not UTF-8 replaced with U+FFFD.
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The test's script: what to do with the n-th request.
type Script = dyn Fn(usize, &Received) -> Reply + Send + Sync + 'static;

/// State shared between the [`ScriptedServer`] handle and its connections.
struct Shared {
    script: Box<Script>,
    received: Mutex<Vec<Received>>,
    accepted: AtomicUsize,
    open: AtomicUsize,
}

impl Shared {
    /// Records `request` and returns its index across all connections.
    fn record(&self, request: &Received) -> usize {
        let mut received = self.received.lock().unwrap_or_else(PoisonError::into_inner);
        received.push(request.clone());
        received.len() - 1
    }
}

/// Counts a connection as open for as long as it lives (also when its task is cancelled).
struct OpenGuard(Arc<Shared>);

impl OpenGuard {
    fn new(shared: Arc<Shared>) -> Self {
        shared.accepted.fetch_add(1, Ordering::SeqCst);
        shared.open.fetch_add(1, Ordering::SeqCst);
        OpenGuard(shared)
    }
}

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A scripted HTTP/1.1 server on `127.0.0.1` with an ephemeral port.
///
/// It runs on its own thread with its own tokio runtime, so it works for synchronous tests,
/// async tests and tests that run a child process. Connections are served concurrently.
/// Dropping it stops it and closes every connection before `drop` returns.
///
/// The script is called on the server's runtime for every request, so it should return
/// quickly; delays belong in the [`Reply`] ([`Reply::Trickle`], [`Reply::NeverAnswer`]).
/// A script that panics kills only the connection of that request.
pub struct ScriptedServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl ScriptedServer {
    /// Starts serving; `script(n, &request)` says what to do with the `n`-th request
    /// (0-based, counted across all connections, in the order the requests were completely
    /// read; `n` is also the request's index in [`received`](Self::received)).
    ///
    /// The listening socket is bound before this returns, so [`url`](Self::url) can be used
    /// at once.
    ///
    /// # Panics
    ///
    /// If the loopback socket cannot be bound or the runtime or its thread cannot be created,
    /// which leaves a test nothing to do.
    pub fn start(script: impl Fn(usize, &Received) -> Reply + Send + Sync + 'static) -> Self {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0))
            .expect("wire: cannot bind a listening socket on 127.0.0.1");
        listener
            .set_nonblocking(true)
            .expect("wire: cannot make the listening socket non-blocking");
        let addr = listener
            .local_addr()
            .expect("wire: cannot read the listening socket's address");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("wire-server")
            .enable_io()
            .enable_time()
            .build()
            .expect("wire: cannot build the server's tokio runtime");
        let shared = Arc::new(Shared {
            script: Box::new(script),
            received: Mutex::new(Vec::new()),
            accepted: AtomicUsize::new(0),
            open: AtomicUsize::new(0),
        });
        let (stop, stopped) = oneshot::channel::<()>();
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name(format!("wire-server-{}", addr.port()))
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = match TcpListener::from_std(listener) {
                        Ok(listener) => listener,
                        Err(_) => return,
                    };
                    tokio::select! {
                        // Resolves when the handle sends or is dropped.
                        _ = stopped => {}
                        () = accept_loop(listener, thread_shared) => {}
                    }
                });
                // Dropping the runtime drops every connection task, closing their sockets,
                // and waits for the worker threads to finish.
                drop(runtime);
            })
            .expect("wire: cannot spawn the server thread");
        ScriptedServer {
            addr,
            shared,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Answers every request the same way: with whatever `reply()` returns.
    pub fn always(reply: impl Fn() -> Reply + Send + Sync + 'static) -> Self {
        Self::start(move |_, _| reply())
    }

    /// The server's base URL, `http://127.0.0.1:PORT` (no trailing slash).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The socket address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The requests received so far, in order (clones).
    pub fn received(&self) -> Vec<Received> {
        self.shared
            .received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How many requests were received so far.
    pub fn hits(&self) -> usize {
        self.shared
            .received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// How many connections were accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.accepted.load(Ordering::SeqCst)
    }

    /// How many connections are open on the server's side right now. A connection the
    /// server closes itself may take up to half a second to go (it drains what the client
    /// still sends, so that the close is not a reset).
    pub fn open_connections(&self) -> usize {
        self.shared.open.load(Ordering::SeqCst)
    }
}

impl fmt::Debug for ScriptedServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScriptedServer")
            .field("addr", &self.addr)
            .field("hits", &self.hits())
            .field("open_connections", &self.open_connections())
            .finish_non_exhaustive()
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            // The receiver is gone only if the server thread already ended.
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            // A panic of the server thread has nothing left to report at this point.
            let _ = thread.join();
        }
    }
}

/// Accepts connections until the server is stopped (the caller drops this future).
async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        match listener.accept().await {
            Ok((stream, _peer)) => {
                let guard = OpenGuard::new(Arc::clone(&shared));
                tokio::spawn(async move {
                    serve(stream, &guard.0).await;
                    drop(guard);
                });
            }
            // E.g. out of file descriptors: wait a moment instead of spinning.
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

/// A request as parsed, with what the connection needs besides the [`Received`].
struct Request {
    received: Received,
    /// The request asked for the connection to close after the response.
    wants_close: bool,
}

/// Why no request could be read.
enum ReadError {
    /// The connection broke, or the client went away in the middle of a request.
    Gone,
    /// The request cannot be parsed: answer 400.
    Malformed,
    /// The request head is larger than [`MAX_HEAD`]: answer 431.
    HeadTooLarge,
    /// The request body is larger than [`MAX_BODY`]: answer 413.
    BodyTooLarge,
}

impl From<io::Error> for ReadError {
    fn from(_: io::Error) -> Self {
        ReadError::Gone
    }
}

/// What to do with the connection after a reply.
enum After {
    /// Read the next request.
    KeepAlive,
    /// Close with a FIN, draining what the client still sends for a moment.
    Close,
    /// Just drop the socket (the client is gone, or the socket was reset on purpose).
    Drop,
}

/// A connection's socket and the bytes read from it but not yet consumed.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    /// Reads more bytes into the buffer; `Ok(0)` at end of stream.
    async fn fill(&mut self) -> io::Result<usize> {
        let mut chunk = [0u8; 16 * 1024];
        let n = self.stream.read(&mut chunk).await?;
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n)
    }

    /// Reads the next request; `Ok(None)` if the client closed the connection between
    /// requests.
    async fn read_request(&mut self) -> Result<Option<Request>, ReadError> {
        let mut scanned = 0;
        let head_end = loop {
            // RFC 9112 §2.2: ignore empty lines before the request line.
            let blank = self
                .buf
                .iter()
                .take_while(|&&b| b == b'\r' || b == b'\n')
                .count();
            if blank > 0 {
                self.buf.drain(..blank);
                scanned = 0;
            }
            if let Some(pos) = find(&self.buf[scanned..], b"\r\n\r\n") {
                break scanned + pos + 4;
            }
            if self.buf.len() > MAX_HEAD {
                return Err(ReadError::HeadTooLarge);
            }
            scanned = self.buf.len().saturating_sub(3);
            if self.fill().await? == 0 {
                return if self.buf.is_empty() {
                    Ok(None)
                } else {
                    Err(ReadError::Gone)
                };
            }
        };
        if head_end > MAX_HEAD {
            return Err(ReadError::HeadTooLarge);
        }
        let head: Vec<u8> = self.buf.drain(..head_end).collect();
        let RequestHead {
            method,
            target,
            version,
            headers,
        } = parse_request_head(&head[..head_end - 4])?;

        let connection = tokens(&headers, "connection");
        let wants_close = if version == "HTTP/1.0" {
            !connection.iter().any(|t| t == "keep-alive")
        } else {
            connection.iter().any(|t| t == "close")
        };
        let chunked = match transfer_coding_is_chunked(&headers) {
            Some(chunked) => chunked,
            // A transfer coding other than chunked leaves the body unframed.
            None => return Err(ReadError::Malformed),
        };
        let length = if chunked {
            None
        } else {
            content_length(&headers)?
        };
        let has_body = chunked || length.is_some_and(|n| n > 0);
        let expects_continue = headers.iter().any(|(n, v)| {
            n.eq_ignore_ascii_case("expect") && v.eq_ignore_ascii_case("100-continue")
        });
        if has_body && expects_continue {
            if length.is_some_and(|n| n > MAX_BODY) {
                return Err(ReadError::BodyTooLarge);
            }
            self.stream
                .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                .await?;
        }
        let body = if chunked {
            self.read_chunked_body().await?
        } else {
            self.read_exact(length.unwrap_or(0)).await?
        };
        Ok(Some(Request {
            received: Received {
                method,
                target,
                headers,
                body,
            },
            wants_close,
        }))
    }

    /// Reads exactly `n` body bytes.
    async fn read_exact(&mut self, n: usize) -> Result<Vec<u8>, ReadError> {
        if n > MAX_BODY {
            return Err(ReadError::BodyTooLarge);
        }
        while self.buf.len() < n {
            if self.fill().await? == 0 {
                return Err(ReadError::Gone);
            }
        }
        Ok(self.buf.drain(..n).collect())
    }

    /// Reads one line of chunked framing, without its line ending.
    async fn read_line(&mut self) -> Result<Vec<u8>, ReadError> {
        let mut scanned = 0;
        loop {
            if let Some(pos) = self.buf[scanned..].iter().position(|&b| b == b'\n') {
                let end = scanned + pos;
                let mut line: Vec<u8> = self.buf.drain(..=end).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(line);
            }
            if self.buf.len() > MAX_CHUNK_LINE {
                return Err(ReadError::Malformed);
            }
            scanned = self.buf.len();
            if self.fill().await? == 0 {
                return Err(ReadError::Gone);
            }
        }
    }

    /// Reads a chunked body and its trailers, returning the payload.
    async fn read_chunked_body(&mut self) -> Result<Vec<u8>, ReadError> {
        let mut body = Vec::new();
        loop {
            let line = self.read_line().await?;
            let size = line
                .split(|&b| b == b';')
                .next()
                .map(|s| String::from_utf8_lossy(s).trim().to_owned())
                .and_then(|s| usize::from_str_radix(&s, 16).ok())
                .ok_or(ReadError::Malformed)?;
            if size == 0 {
                break;
            }
            if body.len().saturating_add(size) > MAX_BODY {
                return Err(ReadError::BodyTooLarge);
            }
            let data = self.read_exact(size).await?;
            body.extend_from_slice(&data);
            if !self.read_line().await?.is_empty() {
                return Err(ReadError::Malformed);
            }
        }
        // Trailer fields, up to the empty line; bounded like a head.
        let mut trailers = 0usize;
        loop {
            let line = self.read_line().await?;
            if line.is_empty() {
                return Ok(body);
            }
            trailers += line.len();
            if trailers > MAX_HEAD {
                return Err(ReadError::HeadTooLarge);
            }
        }
    }
}

/// Serves one connection until it closes, fails, or a reply ends it.
async fn serve(stream: TcpStream, shared: &Shared) {
    // Every byte of a trickle is its own segment; small replies go out at once.
    let _ = stream.set_nodelay(true);
    let mut conn = Conn {
        stream,
        buf: Vec::new(),
    };
    loop {
        let request = match conn.read_request().await {
            Ok(Some(request)) => request,
            Ok(None) | Err(ReadError::Gone) => return,
            Err(ReadError::Malformed) => {
                return refuse(conn, 400).await;
            }
            Err(ReadError::HeadTooLarge) => return refuse(conn, 431).await,
            Err(ReadError::BodyTooLarge) => return refuse(conn, 413).await,
        };
        let n = shared.record(&request.received);
        let reply = (shared.script)(n, &request.received);
        match perform(&mut conn, &request, reply).await {
            After::KeepAlive => {}
            After::Close => return close_gracefully(conn.stream).await,
            After::Drop => return,
        }
    }
}

/// Answers an unreadable request with `status` and closes the connection.
async fn refuse(mut conn: Conn, status: u16) {
    let response = format!(
        "HTTP/1.1 {status} {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        reason_phrase(status)
    );
    if conn.stream.write_all(response.as_bytes()).await.is_ok() {
        close_gracefully(conn.stream).await;
    }
}

/// Closes with a FIN, then reads and discards what the client still sends for at most
/// [`CLOSE_LINGER`], so that unread bytes do not make the kernel reset the connection.
async fn close_gracefully(mut stream: TcpStream) {
    if stream.shutdown().await.is_err() {
        return;
    }
    let mut sink = [0u8; 4096];
    let _ = tokio::time::timeout(CLOSE_LINGER, async {
        while let Ok(n) = stream.read(&mut sink).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
}

/// Carries out one reply on the connection.
async fn perform(conn: &mut Conn, request: &Request, reply: Reply) -> After {
    match reply {
        Reply::Raw { head, body } => {
            let mut bytes = Vec::with_capacity(head.len() + 2 + body.len());
            bytes.extend_from_slice(&head);
            bytes.extend_from_slice(b"\r\n");
            bytes.extend_from_slice(&body);
            if conn.stream.write_all(&bytes).await.is_err() || conn.stream.flush().await.is_err() {
                return After::Drop;
            }
            after_response(&head, request)
        }
        Reply::EndlessChunked {
            head,
            chunk,
            max_total,
        } => {
            let mut start = head;
            start.extend_from_slice(b"\r\n");
            if conn.stream.write_all(&start).await.is_err() {
                return After::Drop;
            }
            let chunk = chunk.max(1);
            let framed = frame_chunk(chunk);
            let mut written = 0usize;
            while written < max_total {
                let left = max_total - written;
                let result = if left >= chunk {
                    conn.stream.write_all(&framed).await
                } else {
                    conn.stream.write_all(&frame_chunk(left)).await
                };
                if result.is_err() {
                    return After::Drop;
                }
                written += left.min(chunk);
            }
            After::Close
        }
        Reply::NeverAnswer { hold } => {
            let mut sink = [0u8; 4096];
            let _ = tokio::time::timeout(hold, async {
                while let Ok(n) = conn.stream.read(&mut sink).await {
                    if n == 0 {
                        break;
                    }
                }
            })
            .await;
            After::Drop
        }
        Reply::Trickle { bytes, delay } => {
            for byte in &bytes {
                if conn
                    .stream
                    .write_all(std::slice::from_ref(byte))
                    .await
                    .is_err()
                {
                    return After::Drop;
                }
                tokio::time::sleep(delay).await;
            }
            match find(&bytes, b"\r\n\r\n") {
                Some(end) => after_response(&bytes[..end + 2], request),
                None => After::Close,
            }
        }
        Reply::ResetAfter { bytes } => {
            if !bytes.is_empty() {
                if conn.stream.write_all(&bytes).await.is_err() {
                    return After::Drop;
                }
                let _ = conn.stream.flush().await;
                tokio::time::sleep(RESET_PAUSE).await;
            }
            // Dropping a socket with a zero linger time sends a RST.
            let _ = conn.stream.set_zero_linger();
            After::Drop
        }
        Reply::Close => After::Close,
    }
}

/// Whether the connection may carry another request after a response with `head` (status
/// line and header lines, without the blank line) to `request`.
fn after_response(head: &[u8], request: &Request) -> After {
    if request.wants_close {
        return After::Close;
    }
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line));
    let status_line = String::from_utf8_lossy(lines.next().unwrap_or_default()).into_owned();
    let mut parts = status_line.split_whitespace();
    let version = parts.next().unwrap_or_default();
    let status: u16 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| {
            let colon = line.iter().position(|&b| b == b':')?;
            let name = String::from_utf8_lossy(&line[..colon]).trim().to_owned();
            let value = String::from_utf8_lossy(&line[colon + 1..])
                .trim()
                .to_owned();
            Some((name, value))
        })
        .collect();
    let connection = tokens(&headers, "connection");
    let keep_alive = match version {
        "HTTP/1.1" => !connection.iter().any(|t| t == "close"),
        "HTTP/1.0" => connection.iter().any(|t| t == "keep-alive"),
        _ => false,
    };
    let framed = (100..200).contains(&status)
        || status == 204
        || status == 304
        || request.received.method.eq_ignore_ascii_case("HEAD")
        || transfer_coding_is_chunked(&headers) == Some(true)
        || matches!(content_length(&headers), Ok(Some(_)));
    if keep_alive && framed {
        After::KeepAlive
    } else {
        After::Close
    }
}

/// A parsed request head.
struct RequestHead {
    method: String,
    target: String,
    version: String,
    headers: Vec<(String, String)>,
}

/// Parses a request head (without the final blank line).
fn parse_request_head(head: &[u8]) -> Result<RequestHead, ReadError> {
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line));
    let request_line = lines.next().ok_or(ReadError::Malformed)?;
    let request_line = std::str::from_utf8(request_line).map_err(|_| ReadError::Malformed)?;
    let mut parts = request_line.split(' ').filter(|p| !p.is_empty());
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::Malformed);
    };
    if !version.starts_with("HTTP/1.") || !method.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ReadError::Malformed);
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.first().is_some_and(|&b| b == b' ' || b == b'\t') {
            // Obsolete line folding: continues the previous field's value.
            let (_, value) = headers.last_mut().ok_or(ReadError::Malformed)?;
            let more = String::from_utf8_lossy(line);
            value.push(' ');
            value.push_str(more.trim());
            continue;
        }
        let colon = line
            .iter()
            .position(|&b| b == b':')
            .ok_or(ReadError::Malformed)?;
        let name = String::from_utf8_lossy(&line[..colon]);
        if name.is_empty() || name.trim() != name {
            return Err(ReadError::Malformed);
        }
        let value = String::from_utf8_lossy(&line[colon + 1..]);
        headers.push((name.into_owned(), value.trim().to_owned()));
    }
    Ok(RequestHead {
        method: method.to_owned(),
        target: target.to_owned(),
        version: version.to_owned(),
        headers,
    })
}

/// The comma-separated tokens of every field named `name`, lowercased.
fn tokens(headers: &[(String, String)], name: &str) -> Vec<String> {
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .flat_map(|(_, v)| v.split(','))
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty())
        .collect()
}

/// `Some(true)` if the transfer codings end in `chunked`, `Some(false)` if there are none,
/// `None` if there are some but the last is not `chunked`.
fn transfer_coding_is_chunked(headers: &[(String, String)]) -> Option<bool> {
    let codings = tokens(headers, "transfer-encoding");
    match codings.last() {
        None => Some(false),
        Some(last) if last == "chunked" => Some(true),
        Some(_) => None,
    }
}

/// The `Content-Length`, if any; several fields or a list must all agree.
fn content_length(headers: &[(String, String)]) -> Result<Option<usize>, ReadError> {
    let mut length = None;
    for token in tokens(headers, "content-length") {
        if !token.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ReadError::Malformed);
        }
        // Digits only, so a parse failure is an overflow: far beyond any acceptable body.
        let n: usize = token.parse().map_err(|_| ReadError::BodyTooLarge)?;
        if length.is_some_and(|m| m != n) {
            return Err(ReadError::Malformed);
        }
        length = Some(n);
    }
    Ok(length)
}

/// One chunk of `size` filler bytes with its framing.
fn frame_chunk(size: usize) -> Vec<u8> {
    let mut framed = format!("{size:x}\r\n").into_bytes();
    framed.resize(framed.len() + size, FILLER);
    framed.extend_from_slice(b"\r\n");
    framed
}

/// The first position of `needle` in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The standard reason phrase of `status`, or `""` for a code without one (the status line
/// then ends in `"NNN \r\n"`, which HTTP/1.1 allows).
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        422 => "Unprocessable Content",
        425 => "Too Early",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

/// `HTTP/1.1 {status} {reason}\r\n`.
fn status_line(status: u16) -> Vec<u8> {
    format!("HTTP/1.1 {status} {}\r\n", reason_phrase(status)).into_bytes()
}

/// A complete response with `body` of type `content_type`, framed by `Content-Length`, kept
/// alive.
fn typed(status: u16, content_type: &str, body: &str) -> Reply {
    let mut head = status_line(status);
    head.extend_from_slice(
        format!(
            "Content-Type: {content_type}\r\nContent-Length: {}\r\nConnection: keep-alive\r\n",
            body.len()
        )
        .as_bytes(),
    );
    Reply::Raw {
        head,
        body: body.as_bytes().to_vec(),
    }
}

/// A JSON response: status line with its reason phrase, `Content-Type: application/json`,
/// `Content-Length` and `Connection: keep-alive`, then `body` as is (it is not checked to be
/// JSON, so malformed JSON is fine).
pub fn json(status: u16, body: &str) -> Reply {
    typed(status, "application/json", body)
}

/// An HTML response (`Content-Type: text/html; charset=utf-8`), otherwise like [`json`]: the
/// "captive portal or proxy error page instead of the API" case.
pub fn html(status: u16, body: &str) -> Reply {
    typed(status, "text/html; charset=utf-8", body)
}

/// A response with exactly the given header fields, in order, byte for byte (values may be
/// non-UTF-8, names may repeat), then `body`. A `Content-Length` matching `body` is appended
/// unless the caller gave a `Content-Length` or `Transfer-Encoding` field (compared
/// case-insensitively); no other field is added.
pub fn with_headers(status: u16, headers: &[(&str, &[u8])], body: &[u8]) -> Reply {
    let mut head = status_line(status);
    let mut framed = false;
    for (name, value) in headers {
        framed |= name.eq_ignore_ascii_case("content-length")
            || name.eq_ignore_ascii_case("transfer-encoding");
        head.extend_from_slice(name.as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value);
        head.extend_from_slice(b"\r\n");
    }
    if !framed {
        head.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    Reply::Raw {
        head,
        body: body.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{ErrorKind, Read, Write};
    use std::net::TcpStream as StdStream;
    use std::time::Instant;

    /// A minimal blocking HTTP/1.1 client over a raw socket.
    struct Client {
        stream: StdStream,
        buf: Vec<u8>,
    }

    impl Client {
        fn connect(server: &ScriptedServer) -> Client {
            let stream = StdStream::connect(server.addr()).expect("connect");
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .expect("read timeout");
            Client {
                stream,
                buf: Vec::new(),
            }
        }

        fn send(&mut self, bytes: &[u8]) {
            self.stream.write_all(bytes).expect("send");
        }

        fn fill(&mut self) -> io::Result<usize> {
            let mut chunk = [0u8; 64 * 1024];
            let n = self.stream.read(&mut chunk)?;
            self.buf.extend_from_slice(&chunk[..n]);
            Ok(n)
        }

        /// The response head including its blank line.
        fn head(&mut self) -> Vec<u8> {
            loop {
                if let Some(pos) = find(&self.buf, b"\r\n\r\n") {
                    return self.buf.drain(..pos + 4).collect();
                }
                assert!(self.fill().expect("read head") > 0, "EOF in head");
            }
        }

        fn exactly(&mut self, n: usize) -> Vec<u8> {
            while self.buf.len() < n {
                assert!(self.fill().expect("read body") > 0, "EOF in body");
            }
            self.buf.drain(..n).collect()
        }

        /// A whole `Content-Length` response: (head, body).
        fn response(&mut self) -> (String, Vec<u8>) {
            let head = String::from_utf8(self.head()).expect("UTF-8 head");
            let length = head
                .lines()
                .find_map(|l| {
                    let (n, v) = l.split_once(':')?;
                    n.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().expect("length"))
                })
                .unwrap_or(0);
            let body = self.exactly(length);
            (head, body)
        }

        /// Reads until EOF or an error; returns what arrived and how it ended.
        fn rest(&mut self) -> (Vec<u8>, io::Result<()>) {
            loop {
                match self.fill() {
                    Ok(0) => return (std::mem::take(&mut self.buf), Ok(())),
                    Ok(_) => {}
                    Err(e) => return (std::mem::take(&mut self.buf), Err(e)),
                }
            }
        }
    }

    /// Polls `cond` for up to two seconds.
    fn eventually(cond: impl Fn() -> bool) -> bool {
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if cond() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        cond()
    }

    #[test]
    fn json_keep_alive_serves_two_requests_on_one_connection() {
        let server = ScriptedServer::always(|| json(200, r#"{"ok":true}"#));
        assert!(server.url().starts_with("http://127.0.0.1:"));
        let mut client = Client::connect(&server);
        for i in 0..2 {
            client.send(format!("GET /v1/items?page={i} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes());
            let (head, body) = client.response();
            assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
            assert!(head.contains("Content-Type: application/json\r\n"));
            assert!(head.contains("Connection: keep-alive\r\n"));
            assert_eq!(body, br#"{"ok":true}"#);
        }
        assert_eq!(server.hits(), 2);
        assert_eq!(server.connections(), 1);
        let received = server.received();
        assert_eq!(received[1].method, "GET");
        assert_eq!(received[1].target, "/v1/items?page=1");
        assert_eq!(received[1].path(), "/v1/items");
        assert_eq!(received[1].query(), Some("page=1"));
        assert_eq!(received[1].header("HOST"), Some("x"));
    }

    #[test]
    fn duplicate_and_non_utf8_headers_are_sent_byte_for_byte() {
        let server = ScriptedServer::always(|| {
            with_headers(
                200,
                &[
                    ("X-Dup", b"one"),
                    ("x-dup", b"two"),
                    ("X-Bin", &[0xff, 0xfe, b'a']),
                    ("X-Huge", &[b'9'; 300]),
                ],
                b"hi",
            )
        });
        let mut client = Client::connect(&server);
        client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        let mut expected = b"HTTP/1.1 200 OK\r\nX-Dup: one\r\nx-dup: two\r\nX-Bin: ".to_vec();
        expected.extend_from_slice(&[0xff, 0xfe, b'a']);
        expected.extend_from_slice(b"\r\nX-Huge: ");
        expected.extend_from_slice(&[b'9'; 300]);
        expected.extend_from_slice(b"\r\nContent-Length: 2\r\n\r\nhi");
        assert_eq!(client.exactly(expected.len()), expected);

        // A caller-given framing header suppresses the automatic Content-Length.
        let Reply::Raw { head, .. } =
            with_headers(200, &[("Transfer-Encoding", b"chunked")], b"0\r\n\r\n")
        else {
            panic!("with_headers gives a Raw reply");
        };
        assert_eq!(head, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n");
    }

    #[test]
    fn endless_chunked_stops_when_the_client_closes() {
        let server = ScriptedServer::always(|| Reply::EndlessChunked {
            head: b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n".to_vec(),
            chunk: 8192,
            max_total: 512 * 1024 * 1024,
        });
        let mut client = Client::connect(&server);
        client.send(b"GET /endless HTTP/1.1\r\nHost: x\r\n\r\n");
        let head = client.head();
        assert!(head.starts_with(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"));
        let first = client.exactly(6);
        assert_eq!(first, b"2000\r\n");
        client.exactly(256 * 1024);
        assert_eq!(server.open_connections(), 1);
        drop(client);
        assert!(
            eventually(|| server.open_connections() == 0),
            "the server kept writing after the client left"
        );
    }

    #[test]
    fn endless_chunked_gives_up_after_max_total_without_terminator() {
        let server = ScriptedServer::always(|| Reply::EndlessChunked {
            head: b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n".to_vec(),
            chunk: 4,
            max_total: 10,
        });
        let mut client = Client::connect(&server);
        client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        client.head();
        let (rest, end) = client.rest();
        assert!(end.is_ok());
        assert_eq!(rest, b"4\r\nxxxx\r\n4\r\nxxxx\r\n2\r\nxx\r\n");
    }

    #[test]
    fn never_answer_holds_until_the_server_is_dropped() {
        let server = ScriptedServer::always(|| Reply::NeverAnswer {
            hold: Duration::MAX,
        });
        let mut client = Client::connect(&server);
        client
            .stream
            .set_read_timeout(Some(Duration::from_millis(150)))
            .expect("read timeout");
        client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        let err = client.fill().expect_err("no answer expected");
        assert!(
            matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
            "{err:?}"
        );
        assert_eq!(server.hits(), 1);
        assert_eq!(server.open_connections(), 1);

        client
            .stream
            .set_read_timeout(Some(Duration::from_secs(2)))
            .expect("read timeout");
        let started = Instant::now();
        drop(server);
        let (rest, _end) = client.rest();
        assert!(rest.is_empty());
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn never_answer_ends_after_hold() {
        let server = ScriptedServer::always(|| Reply::NeverAnswer {
            hold: Duration::from_millis(100),
        });
        let mut client = Client::connect(&server);
        client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        let started = Instant::now();
        let (rest, _end) = client.rest();
        assert!(rest.is_empty());
        let waited = started.elapsed();
        assert!(waited >= Duration::from_millis(90), "{waited:?}");
        assert!(waited < Duration::from_secs(1), "{waited:?}");
    }

    #[test]
    fn reset_after_truncates_the_body_with_a_reset_or_early_eof() {
        let server = ScriptedServer::always(|| Reply::ResetAfter {
            bytes: b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789".to_vec(),
        });
        let mut client = Client::connect(&server);
        client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        let (got, end) = client.rest();
        assert!(
            b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789".starts_with(&got),
            "{:?}",
            String::from_utf8_lossy(&got)
        );
        match end {
            Err(e) => assert_eq!(e.kind(), ErrorKind::ConnectionReset, "{e:?}"),
            // Early EOF: the body is short of the announced 1000 bytes.
            Ok(()) => assert!(got.len() < 41 + 1000),
        }
    }

    #[test]
    fn close_answers_nothing() {
        let server = ScriptedServer::always(|| Reply::Close);
        let mut client = Client::connect(&server);
        client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        let (got, end) = client.rest();
        assert!(got.is_empty());
        assert!(end.is_ok(), "{end:?}");
        assert_eq!(server.hits(), 1);
    }

    #[test]
    fn trickle_sends_one_byte_at_a_time_and_keeps_alive() {
        let response = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_vec();
        let len = response.len();
        let server = ScriptedServer::start(move |n, _| match n {
            0 => Reply::Trickle {
                bytes: response.clone(),
                delay: Duration::from_millis(2),
            },
            _ => json(204, ""),
        });
        let mut client = Client::connect(&server);
        let started = Instant::now();
        client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        let (head, body) = client.response();
        assert!(started.elapsed() >= Duration::from_millis(2 * (len as u64 - 1)));
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"));
        assert_eq!(body, b"ok");
        client.send(b"GET /again HTTP/1.1\r\nHost: x\r\n\r\n");
        let (head, _) = client.response();
        assert!(head.starts_with("HTTP/1.1 204 No Content\r\n"), "{head}");
        assert_eq!(server.connections(), 1);
    }

    #[test]
    fn script_sees_index_and_body_including_chunked() {
        let server = ScriptedServer::start(|n, request| {
            json(
                201,
                &format!(r#"{{"n":{n},"body":"{}"}}"#, request.body_text()),
            )
        });
        let mut client = Client::connect(&server);
        client.send(b"POST /a HTTP/1.1\r\nhost: x\r\ncontent-LENGTH: 5\r\n\r\nhello");
        let (head, body) = client.response();
        assert!(head.starts_with("HTTP/1.1 201 Created\r\n"));
        assert_eq!(body, br#"{"n":0,"body":"hello"}"#);

        // Chunked request body with an extension and a trailer, pipelined with a GET.
        client.send(
            b"PUT /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n\
              3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n\
              GET /c HTTP/1.1\r\nHost: x\r\n\r\n",
        );
        let (_, body) = client.response();
        assert_eq!(body, br#"{"n":1,"body":"abcde"}"#);
        let (_, body) = client.response();
        assert_eq!(body, br#"{"n":2,"body":""}"#);

        // A second connection continues the count.
        let mut other = Client::connect(&server);
        other.send(b"DELETE /d HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        let (_, body) = other.response();
        assert_eq!(body, br#"{"n":3,"body":""}"#);

        let received = server.received();
        assert_eq!(server.hits(), 4);
        let methods: Vec<&str> = received.iter().map(|r| r.method.as_str()).collect();
        assert_eq!(methods, ["POST", "PUT", "GET", "DELETE"]);
        assert_eq!(received[0].header("Content-Length"), Some("5"));
        assert_eq!(received[1].body, b"abcde");
        assert_eq!(received[1].header_all("transfer-encoding"), ["Chunked"]);
    }

    #[test]
    fn connection_close_and_unframed_replies_close_the_connection() {
        let server = ScriptedServer::start(|n, _| match n {
            0 => Reply::Raw {
                head: b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n".to_vec(),
                body: b"until close".to_vec(),
            },
            _ => html(502, "<html>bad gateway</html>"),
        });
        let mut client = Client::connect(&server);
        client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        let (got, end) = client.rest();
        assert!(end.is_ok());
        assert!(got.ends_with(b"\r\n\r\nuntil close"));

        let mut client = Client::connect(&server);
        client.send(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        let (head, body) = client.response();
        assert!(head.starts_with("HTTP/1.1 502 Bad Gateway\r\n"));
        assert!(head.contains("Content-Type: text/html; charset=utf-8\r\n"));
        assert_eq!(body, b"<html>bad gateway</html>");
        let (rest, end) = client.rest();
        assert!(rest.is_empty() && end.is_ok());
    }

    #[test]
    fn bad_requests_are_refused_and_not_recorded() {
        let server = ScriptedServer::always(|| json(200, "{}"));

        let mut client = Client::connect(&server);
        client.send(b"NOT HTTP\r\n\r\n");
        let (head, _) = client.response();
        assert!(head.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{head}");

        let mut client = Client::connect(&server);
        let mut huge = b"GET / HTTP/1.1\r\nX-Big: ".to_vec();
        huge.resize(huge.len() + MAX_HEAD, b'a');
        huge.extend_from_slice(b"\r\n\r\n");
        // The server may refuse before reading everything; a failed write is fine.
        let _ = client.stream.write_all(&huge);
        let (head, _) = client.response();
        assert!(head.starts_with("HTTP/1.1 431 "), "{head}");

        // A client that disconnects mid-request does not disturb the server.
        let mut client = Client::connect(&server);
        client.send(b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
        drop(client);

        let mut client = Client::connect(&server);
        client.send(b"GET /ok HTTP/1.1\r\n\r\n");
        let (head, _) = client.response();
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"));
        assert_eq!(server.hits(), 1);
        assert_eq!(server.received()[0].target, "/ok");
    }

    #[test]
    fn expect_continue_is_answered_before_the_body() {
        let server = ScriptedServer::start(|_, request| json(200, &request.body_text()));
        let mut client = Client::connect(&server);
        client.send(
            b"POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n",
        );
        assert_eq!(client.head(), b"HTTP/1.1 100 Continue\r\n\r\n");
        client.send(b"{}");
        let (_, body) = client.response();
        assert_eq!(body, b"{}");
    }

    #[tokio::test]
    async fn works_from_an_async_test() {
        let server = ScriptedServer::always(|| json(200, "{}"));
        let mut stream = tokio::net::TcpStream::connect(server.addr())
            .await
            .expect("connect");
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .expect("send");
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await.expect("read");
        assert!(response.starts_with(b"HTTP/1.1 200 OK\r\n"));
        assert!(response.ends_with(b"\r\n\r\n{}"));
        drop(server);
    }
}

//! What the ELB client needs beside its generated code (the client, its builder and its
//! `Deleter` view are generated from the spec: `generated/client.rs`).

/// Batches a call or a streamed run keeps in flight when
/// [`ClientOptions::max_concurrency`](cert_common::ClientOptions::max_concurrency) is not set.
pub const DEFAULT_CONCURRENCY: usize = 4;

//! A `select!` loop that reads length-prefixed frames and notes each 100 ms of silence. Written
//! the usual way, it recreates `read_frame` on every turn: when the silence timer wins, the
//! half-read frame is dropped with the bytes it had, and the next read takes the middle of a
//! frame for a length. Pinned outside the inner loop, the same read survives the timer.
//!
//! Time is paused (`start_paused`): the clock jumps to the next timer whenever every task
//! waits, so each run takes the same turns, at once.
//!
//! Run it with `cargo run -p snippets --example select_loop_frames`.

use std::{io, time::Duration};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

const SILENCE: Duration = Duration::from_millis(100);

// ANCHOR: read_frame
/// Reads one frame: its length as 4 bytes, then its bytes. `None` when the stream has ended.
async fn read_frame(stream: &mut DuplexStream) -> io::Result<Option<String>> {
    let len = match stream.read_u32().await {
        Ok(len) => len,
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    };
    if len > 1024 {
        let message = format!("a frame of {len} bytes");
        return Err(io::Error::new(io::ErrorKind::InvalidData, message));
    }
    let mut body = vec![0; len as usize];
    stream.read_exact(&mut body).await?;
    String::from_utf8(body)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
        .map(Some)
}
// ANCHOR_END: read_frame

// ANCHOR: lossy
/// Collects frames; counts each `SILENCE` with no whole frame. Loses data.
async fn lossy(mut stream: DuplexStream) -> io::Result<(Vec<String>, u32)> {
    let (mut frames, mut silences) = (Vec::new(), 0);
    loop {
        tokio::select! {
            frame = read_frame(&mut stream) => match frame? {
                Some(frame) => frames.push(frame),
                None => return Ok((frames, silences)),
            },
            _ = tokio::time::sleep(SILENCE) => silences += 1,
        }
    }
}
// ANCHOR_END: lossy

// ANCHOR: fixed
/// The same, with each frame's read pinned outside the loop that waits for it.
async fn fixed(mut stream: DuplexStream) -> io::Result<(Vec<String>, u32)> {
    let (mut frames, mut silences) = (Vec::new(), 0);
    loop {
        let mut reading = std::pin::pin!(read_frame(&mut stream));
        let frame = loop {
            tokio::select! {
                frame = &mut reading => break frame?,
                _ = tokio::time::sleep(SILENCE) => silences += 1,
            }
        };
        match frame {
            Some(frame) => frames.push(frame),
            None => return Ok((frames, silences)),
        }
    }
}
// ANCHOR_END: fixed

// ANCHOR: sender
/// Sends "hello" and "world" as frames; "hello" comes in two parts, 150 ms apart.
async fn send_hello_world(mut stream: DuplexStream) -> io::Result<()> {
    stream.write_all(&[0, 0, 0, 5, b'h', b'e']).await?;
    tokio::time::sleep(Duration::from_millis(150)).await;
    stream.write_all(b"llo").await?;
    stream
        .write_all(&[0, 0, 0, 5, b'w', b'o', b'r', b'l', b'd'])
        .await
}
// ANCHOR_END: sender

/// Runs `reader` on one end of an in-memory stream, with the sender on the other.
async fn run<F: Future<Output = io::Result<(Vec<String>, u32)>>>(
    reader: impl FnOnce(DuplexStream) -> F,
) -> io::Result<(Vec<String>, u32)> {
    let (ours, theirs) = tokio::io::duplex(64);
    let sender = tokio::spawn(send_hello_world(theirs));
    let result = reader(ours).await;
    sender.await.unwrap().ok(); // the lossy reader may hang up first
    result
}

// ANCHOR: main
#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() {
    let error = run(lossy).await.unwrap_err();
    assert_eq!(error.to_string(), "a frame of 1819045632 bytes");
    println!("lossy: {error}");

    let (frames, silences) = run(fixed).await.unwrap();
    assert_eq!(
        (&frames[..], silences),
        (&["hello", "world"].map(String::from)[..], 1)
    );
    println!("fixed: {frames:?} after {silences} silence");
}
// ANCHOR_END: main

//! tokio's async counterparts of three blocking std APIs: files (`tokio::fs`), sleeping
//! (`tokio::time::sleep`) and child processes (`tokio::process`). Each is awaited, so the
//! runtime's thread is free for other tasks while the work is under way.
//!
//! Run it with `cargo run -p snippets --example async_counterparts`
//! (the process example runs `echo`, which Linux and macOS have).

use std::time::Duration;

// ANCHOR: counterparts
async fn counterparts() -> std::io::Result<String> {
    // std::fs::write and std::fs::read_to_string, awaited instead of blocking.
    let path = std::env::temp_dir().join(format!("async-crash-course-{}.txt", std::process::id()));
    tokio::fs::write(&path, "Hello, file!").await?;
    let contents = tokio::fs::read_to_string(&path).await?;
    tokio::fs::remove_file(&path).await?;

    // std::thread::sleep stops the whole thread; this only pauses the current task.
    tokio::time::sleep(Duration::from_millis(10)).await;

    // std::process::Command, with the same builder methods and an awaitable `output()`.
    let output = tokio::process::Command::new("echo")
        .arg("Hello, process!")
        .output()
        .await?;
    assert_eq!(String::from_utf8_lossy(&output.stdout), "Hello, process!\n");
    Ok(contents)
}
// ANCHOR_END: counterparts

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let contents = counterparts().await?;
    assert_eq!(contents, "Hello, file!");
    println!("{contents}");
    Ok(())
}

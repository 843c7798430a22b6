//! Whether a server has read what a client sent, by the kernel's account: Linux's socket table,
//! `/proc/net/tcp`. Shared by the process tests and the exercises' checks; std only.

use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

/// Waits, at most `patience`, until the server has read every byte `client` sent: the server
/// acknowledged them (the client's send queue is empty) and took them out of its socket (its
/// receive queue is empty). Only then is a request in the server's hands: an unread request
/// still counts as an idle connection, which a stopping server closes at once.
pub fn wait_until_read(client: &TcpStream, patience: Duration) -> Result<(), String> {
    let ports = client
        .local_addr()
        .and_then(|l| Ok((l.port(), client.peer_addr()?.port())));
    let (client_port, server_port) = ports.map_err(|e| e.to_string())?;
    let since = Instant::now();
    while since.elapsed() < patience {
        let table = std::fs::read_to_string("/proc/net/tcp").map_err(|e| e.to_string())?;
        // Each socket: `sl local remote state tx_queue:rx_queue ...`, addresses as `IP:PORT`
        // in hex.
        let queues = |local: u16, remote: u16| {
            table.lines().skip(1).find_map(|line| {
                let fields: Vec<&str> = line.split_whitespace().collect();
                let port = |field: &str| u16::from_str_radix(field.rsplit(':').next()?, 16).ok();
                let (tx, rx) = fields.get(4)?.split_once(':')?;
                let queue = |hex| u64::from_str_radix(hex, 16).ok();
                (port(fields.get(1)?)? == local && port(fields.get(2)?)? == remote)
                    .then(|| (queue(tx), queue(rx)))
            })
        };
        let sent = queues(client_port, server_port).is_some_and(|(tx, _)| tx == Some(0));
        let read = queues(server_port, client_port).is_some_and(|(_, rx)| rx == Some(0));
        if sent && read {
            return Ok(());
        }
        thread::sleep(Duration::from_millis(5));
    }
    Err("the server never read the request".into())
}

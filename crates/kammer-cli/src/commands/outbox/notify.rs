//! Telling the service manager how the mail sender is doing: systemd's notification protocol
//! (`Type=notify`, see docs/deployment.md), written by hand — one datagram to the socket in
//! `NOTIFY_SOCKET` — rather than pulling in a crate for it. Without `NOTIFY_SOCKET` (a shell,
//! cron, a Windows service wrapper) nothing is sent.

/// Sends `state` (e.g. `READY=1`) to the service manager, if there is one. A failure is only
/// logged: the mail sender works without it.
pub fn notify(state: &str) {
    let Some(socket) = std::env::var_os("NOTIFY_SOCKET").filter(|s| !s.is_empty()) else {
        return;
    };
    if let Err(e) = send(&socket, state) {
        tracing::warn!("sd_notify {state} to {socket:?} failed: {e}");
    }
}

#[cfg(unix)]
fn send(socket: &std::ffi::OsStr, state: &str) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::net::UnixDatagram;

    let sender = UnixDatagram::unbound()?;
    match socket.as_bytes().strip_prefix(b"@") {
        // An abstract socket (Linux): "@name" stands for a leading NUL byte.
        Some(name) => {
            #[cfg(any(target_os = "linux", target_os = "android"))]
            {
                #[cfg(target_os = "android")]
                use std::os::android::net::SocketAddrExt;
                #[cfg(target_os = "linux")]
                use std::os::linux::net::SocketAddrExt;
                let address = std::os::unix::net::SocketAddr::from_abstract_name(name)?;
                sender.send_to_addr(state.as_bytes(), &address)?;
            }
            #[cfg(not(any(target_os = "linux", target_os = "android")))]
            {
                let _ = name;
                return Err(std::io::Error::other(
                    "abstract sockets exist only on Linux",
                ));
            }
        }
        None => {
            sender.send_to(state.as_bytes(), socket)?;
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn send(_socket: &std::ffi::OsStr, _state: &str) -> std::io::Result<()> {
    Err(std::io::Error::other(
        "NOTIFY_SOCKET is a systemd feature; this system has none",
    ))
}

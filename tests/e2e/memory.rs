//! The desk's resident memory: the app process and everything it started (WebKit's web and
//! network processes), found through the process tree under tauri-driver. The app alone
//! says little: with WebKitGTK most of the memory is in its WebKitWebProcess.

use std::collections::HashMap;
use std::path::Path;

/// Memory of the app and its descendants, summed.
pub struct Footprint {
    /// Proportional set size: shared pages counted once over all processes (what the desk
    /// really costs the machine).
    pub pss_kib: u64,
    /// Resident set size: shared pages (libraries) counted in every process.
    pub rss_kib: u64,
    /// `comm` of each process counted, the app first.
    pub processes: Vec<String>,
}

/// The footprint of the first process below `root` whose name is the app binary's, with
/// all its descendants; `None` when no such process runs.
pub fn of_app_below(root: u32, app: &Path) -> Option<Footprint> {
    let name = app.file_name()?.to_string_lossy().to_string();
    // The kernel keeps the first 15 bytes of a process name.
    let comm: String = name.chars().take(15).collect();
    let children = children_by_parent();
    let app_pid = descendants(root, &children)
        .into_iter()
        .find(|&pid| read_comm(pid).as_deref() == Some(comm.as_str()))?;
    let mut pids = vec![app_pid];
    pids.extend(descendants(app_pid, &children));
    let mut total = Footprint {
        pss_kib: 0,
        rss_kib: 0,
        processes: Vec::new(),
    };
    for pid in pids {
        let Some((rss, pss)) = rss_and_pss(pid) else {
            continue;
        };
        total.rss_kib += rss;
        total.pss_kib += pss;
        total
            .processes
            .push(read_comm(pid).unwrap_or_else(|| pid.to_string()));
    }
    Some(total)
}

fn children_by_parent() -> HashMap<u32, Vec<u32>> {
    let mut map: HashMap<u32, Vec<u32>> = HashMap::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return map;
    };
    for entry in entries.filter_map(Result::ok) {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // "pid (comm) state ppid …": the name may hold blanks and parentheses.
        let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        if let Some(ppid) = after
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse::<u32>().ok())
        {
            map.entry(ppid).or_default().push(pid);
        }
    }
    map
}

/// All processes below `root`, breadth first.
fn descendants(root: u32, children: &HashMap<u32, Vec<u32>>) -> Vec<u32> {
    let mut out = Vec::new();
    let mut queue = vec![root];
    while let Some(pid) = queue.pop() {
        for &child in children.get(&pid).map(Vec::as_slice).unwrap_or_default() {
            out.push(child);
            queue.insert(0, child);
        }
    }
    out
}

fn read_comm(pid: u32) -> Option<String> {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .ok()
        .map(|s| s.trim().to_string())
}

/// (Rss, Pss) in KiB from smaps_rollup; without it (old kernels) VmRSS for both.
fn rss_and_pss(pid: u32) -> Option<(u64, u64)> {
    let field = |text: &str, key: &str| -> Option<u64> {
        text.lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l[key.len()..].split_whitespace().next())
            .and_then(|n| n.parse().ok())
    };
    if let Ok(rollup) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        && let (Some(rss), Some(pss)) = (field(&rollup, "Rss:"), field(&rollup, "Pss:"))
    {
        return Some((rss, pss));
    }
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss = field(&status, "VmRSS:")?;
    Some((rss, rss))
}

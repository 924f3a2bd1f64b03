//! Per-file stages (parsing Python files, loading deployment files) run on
//! every core: an ordered map over a list on scoped threads with a given
//! stack size, whose results come back in the list's order, so the output
//! is the same whatever the number of cores.

/// The stack of a thread that runs a recursive-descent reader (the Python
/// parser, the YAML loader) on hostile input: deep nesting ends in an
/// error, not a stack overflow. Callers that read few items inline run
/// on such a thread already.
pub const DEEP_STACK: usize = 256 * 1024 * 1024;

/// Items a thread takes at least: starting threads costs more than
/// reading a few files, and most apps have only a few (a scan runs one
/// worker per core already).
const MIN_ITEMS_PER_THREAD: usize = 32;

/// `f` applied to every item on up to one thread per core, or on the
/// calling thread when there are few items; `None` for the items of a
/// thread that panicked. A share whose thread cannot start (an
/// address-space limit on a scan worker) runs on the calling thread.
pub fn map_ordered<T: Sync, R: Send>(items: &[T], stack: usize, f: impl Fn(&T) -> R + Sync) -> Vec<Option<R>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(items.len() / MIN_ITEMS_PER_THREAD);
    if threads <= 1 {
        return items.iter().map(|item| Some(f(item))).collect();
    }
    let mut out: Vec<Option<R>> = (0..items.len()).map(|_| None).collect();
    let f = &f;
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                std::thread::Builder::new().stack_size(stack).spawn_scoped(s, move || {
                    items.iter().enumerate().skip(t).step_by(threads).map(|(i, item)| (i, f(item))).collect::<Vec<_>>()
                })
            })
            .collect();
        for (t, w) in workers.into_iter().enumerate() {
            let done = match w {
                Ok(handle) => handle.join().unwrap_or_default(),
                Err(_) => items.iter().enumerate().skip(t).step_by(threads).map(|(i, item)| (i, f(item))).collect(),
            };
            for (i, r) in done {
                out[i] = Some(r);
            }
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_of_the_items() {
        let items: Vec<u32> = (0..1000).collect();
        let out = map_ordered(&items, 1 << 20, |i| i * 2);
        assert_eq!(out, items.iter().map(|i| Some(i * 2)).collect::<Vec<_>>());
        assert!(map_ordered(&Vec::<u32>::new(), 1 << 20, |i| *i).is_empty());
    }
}

//! Request-scoped batch loading that follows the query's shape, not the clock.
//!
//! async-graphql's DataLoader dispatches a batch a fixed delay after its first key; when a page's
//! fields take longer than that to resolve (a debug build, a loaded machine) one wave of keys is
//! split into many queries. Here a [`BatchLoader`] only collects keys; [`FlushOnPending`] wraps
//! the execution of one request and flushes every loader of the request each time that future
//! returns `Pending` without having woken itself: then every resolver that could make progress
//! has registered its keys and the request waits on I/O. (A self-wake, as `FuturesUnordered`
//! does to yield in the middle of a pass, means it will run again at once, so no flush yet.)
//! So a page costs one query per loader per level of nesting, whatever its size.
//! Results are cached for the request.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Wake;
use std::task::{Context, Poll, Waker};

use futures::channel::oneshot;

use crate::error::AppError;

/// Loads values for a batch of keys.
pub trait BatchFn: Send + Sync + 'static {
    /// The key.
    type Key: Eq + Hash + Clone + Send + Sync + 'static;
    /// The value.
    type Value: Clone + Send + Sync + 'static;
    /// Loads the keys' values; keys without a value are left out.
    fn load(&self, keys: Vec<Self::Key>) -> impl Future<Output = Result<HashMap<Self::Key, Self::Value>, AppError>> + Send;
}

/// Something holding pending keys that can be dispatched.
pub trait Flush: Send + Sync {
    /// Dispatches every pending key (spawns the loads; never blocks).
    fn flush(&self);

    /// Drops cached results, so that the next subscription event reads fresh rows.
    fn forget(&self) {}
}

type Waiter<V> = oneshot::Sender<Result<Option<V>, AppError>>;
type Pending<K, V> = Vec<(K, Vec<Waiter<V>>)>;

struct State<K, V> {
    pending: HashMap<K, Vec<Waiter<V>>>,
    cache: HashMap<K, Option<V>>,
}

/// Largest batch sent to one query.
pub const MAX_BATCH: usize = 1000;

/// A request-scoped loader: `load_one` registers a key and waits for the next flush.
pub struct BatchLoader<F: BatchFn> {
    batch_fn: Arc<F>,
    state: Arc<Mutex<State<F::Key, F::Value>>>,
}

impl<F: BatchFn> BatchLoader<F> {
    /// A loader around `batch_fn`.
    pub fn new(batch_fn: F) -> Self {
        Self {
            batch_fn: Arc::new(batch_fn),
            state: Arc::new(Mutex::new(State {
                pending: HashMap::new(),
                cache: HashMap::new(),
            })),
        }
    }

    /// The value for `key` (None when there is none), loaded with the other keys of its wave.
    pub async fn load_one(&self, key: F::Key) -> Result<Option<F::Value>, AppError> {
        let rx = {
            let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(v) = st.cache.get(&key) {
                return Ok(v.clone());
            }
            let (tx, rx) = oneshot::channel();
            st.pending.entry(key).or_default().push(tx);
            rx
        };
        rx.await
            .unwrap_or_else(|_| Err(AppError::new(crate::ErrorCode::Internal, "a batch load was abandoned")))
    }

    /// The values for `keys` (absent keys are left out).
    pub async fn load_many(&self, keys: impl IntoIterator<Item = F::Key>) -> Result<HashMap<F::Key, F::Value>, AppError> {
        let keys: Vec<F::Key> = keys.into_iter().collect();
        let values = futures::future::join_all(keys.iter().cloned().map(|k| self.load_one(k))).await;
        let mut out = HashMap::new();
        for (k, v) in keys.into_iter().zip(values) {
            if let Some(v) = v? {
                out.insert(k, v);
            }
        }
        Ok(out)
    }

    /// The batch function (for direct, unbatched use).
    pub fn batch_fn(&self) -> &F {
        &self.batch_fn
    }
}

impl<F: BatchFn> Flush for BatchLoader<F> {
    fn forget(&self) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).cache.clear();
    }

    fn flush(&self) {
        let pending: Pending<F::Key, F::Value> = {
            let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
            if st.pending.is_empty() {
                return;
            }
            st.pending.drain().collect()
        };
        let mut pending = pending.into_iter().peekable();
        while pending.peek().is_some() {
            let chunk: Pending<F::Key, F::Value> = pending.by_ref().take(MAX_BATCH).collect();
            let batch_fn = self.batch_fn.clone();
            let state = self.state.clone();
            tokio::spawn(async move {
                let keys: Vec<F::Key> = chunk.iter().map(|(k, _)| k.clone()).collect();
                match batch_fn.load(keys).await {
                    Ok(mut values) => {
                        let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
                        for (key, waiters) in chunk {
                            let value = values.remove(&key);
                            st.cache.insert(key, value.clone());
                            for w in waiters {
                                let _ = w.send(Ok(value.clone()));
                            }
                        }
                    }
                    Err(e) => {
                        for (_, waiters) in chunk {
                            for w in waiters {
                                let _ = w.send(Err(e.clone()));
                            }
                        }
                    }
                }
            });
        }
    }
}

/// Forwards wakes and remembers whether one happened.
struct WakeWatch {
    woken: AtomicBool,
    inner: Waker,
}

impl Wake for WakeWatch {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.inner.wake_by_ref();
    }
}

/// Runs a request's execution and flushes its loaders whenever it waits.
pub struct FlushOnPending<Fut> {
    inner: Pin<Box<Fut>>,
    flush: Option<Arc<dyn Flush>>,
}

impl<Fut: Future> FlushOnPending<Fut> {
    /// Wraps `inner`; `flush` is the request's loaders (none: plain execution).
    pub fn new(inner: Fut, flush: Option<Arc<dyn Flush>>) -> Self {
        Self {
            inner: Box::pin(inner),
            flush,
        }
    }
}

impl<Fut: Future> Future for FlushOnPending<Fut> {
    type Output = Fut::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Fut::Output> {
        let Some(flush) = self.flush.clone() else {
            return self.inner.as_mut().poll(cx);
        };
        let watch = Arc::new(WakeWatch {
            woken: AtomicBool::new(false),
            inner: cx.waker().clone(),
        });
        let waker = Waker::from(watch.clone());
        let out = self.inner.as_mut().poll(&mut Context::from_waker(&waker));
        if out.is_pending() && !watch.woken.load(Ordering::Acquire) {
            flush.flush();
        }
        out
    }
}

/// A subscription's responses: its loaders are flushed whenever resolving an event waits, and
/// forgotten after each event (every event is resolved against fresh rows).
pub struct FlushStream<S> {
    inner: S,
    flush: Option<Arc<dyn Flush>>,
}

impl<S> FlushStream<S> {
    /// Wraps `inner`; `flush` is the subscription's loaders.
    pub fn new(inner: S, flush: Option<Arc<dyn Flush>>) -> Self {
        Self { inner, flush }
    }
}

impl<S: futures::Stream + Unpin> futures::Stream for FlushStream<S> {
    type Item = S::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let Some(flush) = self.flush.clone() else {
            return Pin::new(&mut self.inner).poll_next(cx);
        };
        let watch = Arc::new(WakeWatch {
            woken: AtomicBool::new(false),
            inner: cx.waker().clone(),
        });
        let waker = Waker::from(watch.clone());
        let out = Pin::new(&mut self.inner).poll_next(&mut Context::from_waker(&waker));
        match &out {
            Poll::Pending if !watch.woken.load(Ordering::Acquire) => flush.flush(),
            Poll::Ready(Some(_)) => flush.forget(),
            _ => {}
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    struct Double(Arc<AtomicUsize>);

    impl BatchFn for Double {
        type Key = u32;
        type Value = u32;
        async fn load(&self, keys: Vec<u32>) -> Result<HashMap<u32, u32>, AppError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
            Ok(keys.into_iter().filter(|k| *k != 13).map(|k| (k, k * 2)).collect())
        }
    }

    #[tokio::test]
    async fn one_wave_is_one_batch_and_results_are_cached() {
        let calls = Arc::new(AtomicUsize::new(0));
        let loader = Arc::new(BatchLoader::new(Double(calls.clone())));
        let l = loader.clone();
        let work = async move {
            // 2,500 keys in one wave (three chunks), with slow work between registrations.
            let futs = (0..2500u32).map(|k| {
                let l = l.clone();
                async move {
                    std::thread::sleep(std::time::Duration::from_micros(if k % 500 == 0 { 2000 } else { 0 }));
                    l.load_one(k).await
                }
            });
            let all = futures::future::join_all(futs).await;
            // A second wave for keys already loaded: served from the cache.
            let again = l.load_one(7).await;
            (all, again)
        };
        let (all, again) = FlushOnPending::new(work, Some(loader.clone() as Arc<dyn Flush>)).await;
        assert_eq!(all[21].as_ref().ok().cloned().flatten(), Some(42));
        assert_eq!(all[13].as_ref().ok().cloned().flatten(), None);
        assert_eq!(again.ok().flatten(), Some(14));
        assert_eq!(calls.load(Ordering::SeqCst), 3, "2,500 keys in chunks of 1,000, despite the sleeps");
    }

    #[tokio::test]
    async fn a_subscription_stream_flushes_and_reads_fresh_rows_per_event() {
        use futures::StreamExt as _;
        let calls = Arc::new(AtomicUsize::new(0));
        let loader = Arc::new(BatchLoader::new(Double(calls.clone())));
        let l = loader.clone();
        let events = futures::stream::iter(0..3).then(move |_| {
            let l = l.clone();
            async move { l.load_one(5).await.ok().flatten() }
        });
        let out: Vec<_> = FlushStream::new(Box::pin(events), Some(loader as Arc<dyn Flush>)).collect().await;
        assert_eq!(out, vec![Some(10); 3]);
        assert_eq!(
            calls.load(Ordering::SeqCst),
            3,
            "each event loads again instead of reading the cache"
        );
    }
}

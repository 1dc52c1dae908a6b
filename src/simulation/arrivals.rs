//! Arrivals: the merger of generated arrival processes and replayed traces (each yields its
//! arrivals in time order, so the run merges them with the event queue), retries coming back,
//! warm-up pings, and the account's requests-per-second limit.

use super::*;

/// An open trace and its next arrival (at most one pending per trace).
pub(super) struct OpenTrace {
    pub(super) source: Box<dyn TraceSource>,
    pub(super) pending: Option<Arrival>,
}

/// Key of function `f`'s arrival process in the arrival order (even: generated processes).
#[inline]
pub(super) fn function_source(f: usize) -> u32 {
    (f as u32) << 1
}

/// Key of trace `k` in the arrival order (odd: traces).
#[inline]
pub(super) fn trace_source(k: usize) -> u32 {
    ((k as u32) << 1) | 1
}

impl Simulation<'_> {
    pub(super) fn on_arrived(&mut self, f: usize) {
        let fs = &mut self.fns[f];
        let wake = fs.arrival_is_wake;
        let next = fs.arrivals.next(&mut fs.rng_arrivals);
        fs.arrival_is_wake = fs.arrivals.woke();
        self.reschedule_arrival(next);
        if wake {
            // A generator's pause (nanosecond bursty phases): no request, but an event, so
            // the progress callback and its stop flag are reached.
            return;
        }
        self.arrivals += 1;
        self.recorder.arrived(f, self.now);
        if self.tracks_requests {
            self.keep_alive.on_arrival(f as u32, self.now);
        }
        self.route(Request::new(f, self.now, Given::NONE));
    }

    /// The source on top of `arrival_order`, whose arrival is being handled, has its next
    /// one at `next` (dropped if not before the end). Replacing the top in place costs one
    /// sift instead of a pop and a push.
    #[inline]
    pub(super) fn reschedule_arrival(&mut self, next: SimTime) {
        let mut top = (self.arrival_order.peek_mut()).expect("the arrival being handled is on top");
        if next < self.end {
            top.0 .0 = next;
        } else {
            PeekMut::pop(top);
        }
    }

    /// Replays trace `k`'s pending request and schedules its next one.
    pub(super) fn on_trace_arrived(&mut self, k: usize) -> Result<(), SimulationError> {
        let t = &mut self.traces[k];
        let a = t
            .pending
            .take()
            .expect("a trace on top of `arrival_order` has its arrival pending");
        let mut next_at = SimTime::NEVER;
        if let Some(next) = t.source.next()? {
            debug_assert!(
                next.at >= a.at,
                "trace sources yield arrivals in time order"
            );
            if next.at < self.end {
                t.pending = Some(next);
                next_at = next.at;
            }
        }
        self.reschedule_arrival(next_at);
        let f = a.function as usize;
        debug_assert!(
            f < self.fns.len(),
            "trace selections name scenario functions"
        );
        self.arrivals += 1;
        self.recorder.arrived(f, self.now);
        if self.tracks_requests {
            self.keep_alive.on_arrival(f as u32, self.now);
        }
        self.route(Request::new(f, self.now, Given::of(a.execution)));
        Ok(())
    }

    pub(super) fn on_retried(&mut self, request: u32, attempt: u16, arrived: SimTime) {
        let w = self.waiting[request as usize];
        self.free_waiting.push(request);
        self.route(Request {
            function: w.function,
            arrived,
            attempt,
            errors: w.errors,
            execution: w.execution,
            ping: false,
        });
    }

    /// Counts one invocation against the account's requests-per-second limit: false if this
    /// second's are used up. AWS: "Lambda enforces a requests per second limit of 10 times
    /// your account concurrency" (Lambda developer guide, concurrency and requests per
    /// second); counted over each whole second of simulated time, as AWS states it per second.
    #[inline]
    pub(super) fn within_rate(&mut self) -> bool {
        if self.now >= self.rate_second_ends {
            // A new second: the one holding now (the division only once a second).
            let second = self.now.0 / 1_000_000_000;
            self.rate_second_ends = SimTime((second + 1).saturating_mul(1_000_000_000));
            self.rate_count = 0;
        }
        if self.rate_count < self.scenario.platform.requests_per_second {
            self.rate_count += 1;
            true
        } else {
            false
        }
    }

    pub(super) fn on_warmers_due(&mut self, f: usize) {
        let w = self.scenario.functions[f]
            .warmers
            .expect("only functions with warmers schedule pings");
        let next = self.now + w.every;
        if next < self.end {
            self.queue
                .push(next, Event::WarmersDue { function: f as u32 });
        }
        // Pings of one round run at once, so each occupies its own environment.
        for _ in 0..w.concurrency {
            // A ping is routed like a request, but refused silently when throttled (or when
            // a memory-bounded platform has no room for a new environment).
            self.route(Request {
                ping: true,
                ..Request::new(f, self.now, Given::of(Some(w.execution)))
            });
        }
    }
}

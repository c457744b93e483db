// Package inflow estimates ticket inflow from raw samples of a counter
// (frontline_tickets_created_total), scrape by scrape, instead of a fixed
// rate() window.
//
// Tickets arrive as Poisson counts, so each scrape's increment over its
// interval d is a Poisson count with mean λ·d. Three pieces sit on that:
//
//   - Change detection: a bank of Poisson CUSUM charts (Page 1954, "Continuous
//     inspection schemes", Biometrika 41; for counts, Lucas 1985, "Counted
//     data CUSUM's", Technometrics 27). Chart r tests "the rate is r·λ0"
//     against the reference λ0 with the statistic
//     S = max(0, S + c·ln r − (r−1)·λ0·d) and alarms at S ≥ h. Several
//     ratios (×1.3 … ×10, ÷1.3 … ÷4) make the bank near-optimal for any
//     change size (Lorden 1971, "Procedures for reacting to a change in
//     distribution", Ann. Math. Statist. 42: a chart matched to the change
//     reaches the delay ln(ARL)/KL, KL = λ1·ln(λ1/λ0) − (λ1−λ0)). The
//     threshold comes from the false-alarm budget: Lorden's bound
//     ARL ≥ e^h per chart, so h = ln(charts · budget / scrape interval)
//     keeps the bank's mean time between false alarms at least the budget.
//   - Fast attack: when a chart alarms, the change point is the
//     maximum-likelihood split of the recent increments against the old
//     level; the new level is estimated from post-change
//     samples only, and sizing uses its upper confidence bound, so capacity
//     jumps to the new need in one step.
//   - Slow decay: between alarms the level is the post-change mean,
//     forgetting with the horizon. It falls on an accepted fall, and
//     capacity is lowered only as far as a stricter bound (ZFall) allows,
//     so calm noise never removes replicas.
//   - Return to a known level: the levels left behind are kept. When the
//     newest post-change data, and their newer half, agree with one within
//     a standard error (a two-sample Poisson test), the bounds rest on
//     both, so calm after a burst is not sized on minutes of data; data
//     that drift three standard errors away undo it.
//
// A young series is the exception: a new queue, or a restarted exporter
// whose series carries a pod label. Its first level, until it rests on
// 100 tickets or spans ten minutes, is no reference: a first empty scrape
// puts it at the floor, so the first tickets read as a ×10 rise, and it
// absorbs a step as fast as the step brings tickets (the charts then see
// little of it). Three pieces replace the charts there:
//
//   - Two-sample test: at every split of the series' data since it began,
//     the Poisson generalized likelihood ratio of "the rate changed at the
//     split" against "it did not", both rates unknown: Σ over both sides of
//     the LLR against the pooled rate, the LLR that also places a chart's
//     change point (Siegmund & Venkatraman 1995, "Using the generalized
//     likelihood ratio statistic for sequential detection of a
//     change-point", Ann. Statist. 23; Lai 1995, "Sequential changepoint
//     detection in quality control and dynamical systems", J. R. Statist.
//     Soc. B 57). The strongest split is accepted at the threshold of one
//     chart per direction for the same budget, ln(2·budget/scrape), falls
//     at 30 times the budget. The scan over splits is not charged to the
//     budget: that is calibrated by simulation of calm young series, 20 to
//     6000/h and 1 to 30 s scrapes, whose false changes stay within the
//     budget's allowance even at half the budget. A union bound over the
//     splits would need no simulation but sits 2 to 7 nats higher: a ×10
//     step from 100/h with 75 s of history would be sized for after about
//     4 minutes in the median, not 2. The charts keep running, unheeded
//     (an alarm of theirs only starts them over), so a series whose charts
//     stayed quiet is, past its young period, the series it would have
//     been.
//   - Its first change is sized, until the new level spans the coverage,
//     for a bound widening from the level's mean to the full Z: seconds of
//     data that the test picked when they ran high would size for 1.5
//     times the new rate.
//   - A queue's series count one traffic: its young series are tested
//     together, one common factor at a split, so two replicas of a new
//     queue weigh as their sum; and a rise any series accepts is taken on
//     by each sibling whose level began before it, once the sibling's data
//     after it point up, so a restarted replica's new series does not hide
//     the step the other replica sees.
//
// A surge trigger's baseline resting on as little data is tested the same
// way, against "the rate after the split is the trigger's ratio times the
// rate before", the baseline's data counting as before the window.
//
// Coverage is explicit: a gap longer than a few scrape intervals (an
// outage, a restarted exporter whose counter reset) is skipped, never read
// as zero, and until the samples after it cover Params.Coverage the
// estimate is partial: it may raise capacity but never lower it.
//
// Everything here is pure: samples and times in, estimates out.
package inflow

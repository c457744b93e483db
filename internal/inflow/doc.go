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
// Coverage is explicit: a gap longer than a few scrape intervals (an
// outage, a restarted exporter whose counter reset) is skipped, never read
// as zero, and until the samples after it cover Params.Coverage the
// estimate is partial: it may raise capacity but never lower it.
//
// Everything here is pure: samples and times in, estimates out.
package inflow

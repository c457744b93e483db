// Package capacity is Frontline's staffing math: how many agents and chatbot
// replicas a queue needs to meet its SLA at a given inflow. It is pure Go
// with no I/O, used alike by the controllers, `kubectl frontline plan` and
// the simulator.
//
// # Real-time channels (chat, phone): Erlang C
//
// Offered load A = λ·AHT (arrivals per second times handle time in seconds).
// Erlang B is computed by the recursion B₀ = 1, Bₖ = A·Bₖ₋₁ / (k + A·Bₖ₋₁),
// which never overflows (naive A^N/N! breaks near A ≈ 170), and Erlang C
// from it: C = N·B / (N − A·(1 − B)), valid for N > A. Service level
// SL(t) = 1 − C·e^(−(N−A)·t/AHT), ASA = C·AHT/(N − A), occupancy = A/N.
// The search for the smallest N walks N upwards once, extending the
// recursion by one step per candidate, so solving 5,000 Erlangs costs a few
// thousand multiplications.
//
// # Chat concurrency
//
// A chat agent serving k conversations at once is modelled as k servers,
// each conversation taking the conversation handle time. The slowdown of
// divided attention is in that handle time: measured handle times already
// carry it (tickets are timed from first reply to close at the queue's real
// concurrency); when planning from a single-chat handle time, set
// ConcurrencySlowdown σ and each conversation takes AHT·(1 + σ·(k−1)).
// k servers per agent is the usual "M/M/N with N = agents × k" workforce
// model: it is optimistic when one agent's chats are not independent, which
// σ compensates for.
//
// # Backlog channels (email, social): first-response model
//
// Tickets wait in a first-in-first-out backlog rather than on the line, so
// Erlang C (which assumes a customer abandons nothing and waits seconds) is
// the wrong model. N agents answer N/AHT tickets per second; a ticket
// arriving behind a backlog B gets its first response after B·AHT/N, which
// must be within the target T, and N must exceed the inflow's load by the
// occupancy cap so the backlog does not grow: N ≥ max(B·AHT/T, λ·AHT/cap).
//
// # Bots
//
// Concurrent bot conversations are λ·bot handle time (Little's law);
// replicas = ⌈that ÷ conversations per replica⌉. Humans get the inflow the
// bot does not contain: λ·(1 − containment).
//
// # Abandonment: Erlang A
//
// Erlang C assumes infinite patience and overstaffs when customers hang up.
// ErlangA solves the M/M/N+M birth-death chain (abandonment rate 1/patience)
// for the probability of waiting, of abandoning, and the mean wait.
package capacity

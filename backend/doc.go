// Package backend is the one place sluice talks to AWS. A Session is an SDK
// configuration for one profile — real AWS through the user's shared config,
// or the bundled engine — and the sub-packages (inventory, tail, dlq,
// hydrate, archive, replay, metrics) operate pipelines through it, the same
// way against both.
package backend

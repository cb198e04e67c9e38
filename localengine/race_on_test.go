//go:build race

package localengine_test

// raceDetector: the race detector multiplies a program's memory several
// times over (shadow memory for every byte and goroutine), so a resident
// set measured under it says nothing about the engine's own ceiling.
const raceDetector = true

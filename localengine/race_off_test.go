//go:build !race

package localengine_test

const raceDetector = false

package config

import (
	"reflect"
	"slices"
	"testing"
)

// TestReferenceCoversEveryKey: the configuration reference names every
// key of the config type and no other, so docs/config.md cannot drift
// from the code.
func TestReferenceCoversEveryKey(t *testing.T) {
	want := KeyPaths(reflect.TypeFor[File]())
	var got []string
	for _, k := range Reference() {
		if k.Doc == "" || k.Type == "" {
			t.Errorf("%s: no type or description", k.Path)
		}
		got = append(got, k.Path)
	}
	for _, p := range want {
		if !slices.Contains(got, p) {
			t.Errorf("config key %s is not in the reference", p)
		}
	}
	for _, p := range got {
		if !slices.Contains(want, p) {
			t.Errorf("the reference documents %s, which the config type does not have", p)
		}
	}
	if len(want) < 10 {
		t.Fatalf("walked only %v", want)
	}
}

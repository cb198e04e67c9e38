package archive

import (
	"testing"
	"time"
)

func TestPrefixOf(t *testing.T) {
	at := time.Date(2026, 11, 27, 9, 5, 1, 0, time.UTC)
	for _, prefix := range []string{"", "failed/", "a/b/c/", "_replayed-not/"} {
		k := Key(prefix, KeyParts{Consumer: "_replayed", Arrival: at, PartitionKey: "a/b", ID: "id"})
		for _, key := range []string{k, ReplayedKey(prefix, k)} {
			got, err := PrefixOf(key)
			if err != nil || got != prefix {
				t.Errorf("%s: %q %v, want %q", key, got, err, prefix)
			}
		}
	}
	for _, bad := range []string{"", "x.json", "c/2026/11/27/09/name.txt", "p/c/2026/13/27/9/n-1-id"} {
		if _, err := PrefixOf(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func FuzzPrefixOf(f *testing.F) {
	f.Add("failed/orders/2026/11/27/09/pk-1-id.json")
	f.Add("a/_replayed/c/2026/11/27/09/a%2Fb-1-id.json")
	f.Fuzz(func(t *testing.T, key string) {
		prefix, err := PrefixOf(key)
		if err != nil {
			return
		}
		if _, _, err := ParseKey(prefix, key); err != nil {
			t.Fatalf("%q: prefix %q does not parse: %v", key, prefix, err)
		}
	})
}

package s3

import (
	"net/http"
	"testing"
	"time"
)

func TestParseRange(t *testing.T) {
	cases := []struct {
		h          string
		size       int64
		start, end int64
		ok         bool
		invalid    bool
	}{
		{"", 10, 0, 0, false, false},
		{"bytes=0-4", 10, 0, 4, true, false},
		{"bytes=2-", 10, 2, 9, true, false},
		{"bytes=-3", 10, 7, 9, true, false},
		{"bytes=-30", 10, 0, 9, true, false},
		{"bytes=5-100", 10, 5, 9, true, false},
		{" bytes = 1 - 2 ", 10, 1, 2, true, false},
		{"BYTES=1-2", 10, 1, 2, true, false},
		{"bytes=10-", 10, 0, 0, false, true},
		{"bytes=10-20", 10, 0, 0, false, true},
		{"bytes=-0", 10, 0, 0, false, true},
		{"bytes=0-", 0, 0, 0, false, true},
		{"bytes=-5", 0, 0, 0, false, true},
		{"bytes=5-2", 10, 0, 0, false, false},
		{"bytes=0-1,3-4", 10, 0, 0, false, false},
		{"bytes=a-b", 10, 0, 0, false, false},
		{"bytes=+1-2", 10, 0, 0, false, false},
		{"bytes=-", 10, 0, 0, false, false},
		{"bytes", 10, 0, 0, false, false},
		{"items=0-1", 10, 0, 0, false, false},
		{"bytes=99999999999999999999-", 10, 0, 0, false, false},
	}
	for _, tc := range cases {
		r, ok, err := parseRange(tc.h, tc.size)
		if (err != nil) != tc.invalid || ok != tc.ok || (ok && (r.start != tc.start || r.end != tc.end)) {
			t.Errorf("parseRange(%q, %d) = %+v %v %v", tc.h, tc.size, r, ok, err)
		}
	}
}

func FuzzRange(f *testing.F) {
	for _, s := range []string{"bytes=0-4", "bytes=-3", "bytes=7-", "bytes=0-1,2-3", "bytes=--1"} {
		f.Add(s, int64(10))
	}
	f.Fuzz(func(t *testing.T, h string, size int64) {
		if size < 0 {
			size = -size
		}
		if size < 0 { // MinInt64
			size = 0
		}
		r, ok, err := parseRange(h, size)
		if ok && (err != nil || r.start < 0 || r.end < r.start || r.end >= size) {
			t.Fatalf("parseRange(%q, %d) = %+v %v", h, size, r, err)
		}
	})
}

func TestEvalConditions(t *testing.T) {
	mod := time.Date(2024, 5, 1, 12, 0, 0, 500e6, time.UTC)
	at := func(d time.Duration) string { return mod.Add(d).Format(http.TimeFormat) }
	cases := []struct {
		hdr  map[string]string
		want condResult
	}{
		{nil, condPass},
		{map[string]string{"If-Match": `"abc"`}, condPass},
		{map[string]string{"If-Match": `"x", "abc"`}, condPass},
		{map[string]string{"If-Match": `*`}, condPass},
		{map[string]string{"If-Match": `"x"`}, condFailed},
		{map[string]string{"If-None-Match": `"abc"`}, condNotModified},
		{map[string]string{"If-None-Match": `W/"abc"`}, condNotModified},
		{map[string]string{"If-None-Match": `"x"`}, condPass},
		{map[string]string{"If-Modified-Since": at(0)}, condNotModified}, // same second
		{map[string]string{"If-Modified-Since": at(-time.Second)}, condPass},
		{map[string]string{"If-Unmodified-Since": at(0)}, condPass},
		{map[string]string{"If-Unmodified-Since": at(-time.Second)}, condFailed},
		{map[string]string{"If-Unmodified-Since": "garbage"}, condPass},
		{map[string]string{"If-Match": `"abc"`, "If-Unmodified-Since": at(-time.Hour)}, condPass},
		{map[string]string{"If-None-Match": `"x"`, "If-Modified-Since": at(time.Hour)}, condPass},
	}
	for _, tc := range cases {
		h := http.Header{}
		for k, v := range tc.hdr {
			h.Set(k, v)
		}
		if got := evalConditions(h, getConditions, "abc", mod); got != tc.want {
			t.Errorf("%v: got %v, want %v", tc.hdr, got, tc.want)
		}
	}
}

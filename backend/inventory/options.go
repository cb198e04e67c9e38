package inventory

import "time"

// Option tunes a listing.
type Option func(*options)

type options struct {
	pageSize int32
	timeout  time.Duration
	// shared is the session's shared inventory, when the caller has
	// one, and the oldest read the caller accepts.
	shared sharing
}

// PageSize asks for pages of n items (within what the API allows), so
// that a caller gets a first page sooner, or a test sees several pages.
func PageSize(n int32) Option { return func(o *options) { o.pageSize = n } }

// pageSize is the page size opts ask for, else def, kept within 1..max.
func pageSize(opts []Option, def, limit int32) int32 {
	o := options{pageSize: def}
	for _, f := range opts {
		f(&o)
	}
	return min(max(o.pageSize, 1), limit)
}

package backend

import "context"

// Pager hands out a listing page by page, so that a caller shows the first
// page at once and asks for more; nothing stops silently at a page size.
type Pager[T any] struct {
	fetch func(ctx context.Context, token *string) ([]T, *string, error)
	token *string
	done  bool
}

// NewPager pages with fetch, which gets the previous page's token (nil for
// the first) and returns the items and the next token (nil or empty at the
// end).
func NewPager[T any](fetch func(ctx context.Context, token *string) ([]T, *string, error)) *Pager[T] {
	return &Pager[T]{fetch: fetch}
}

// More reports whether another page may follow.
func (p *Pager[T]) More() bool { return !p.done }

// Next fetches the next page. After the last, it returns nothing.
func (p *Pager[T]) Next(ctx context.Context) ([]T, error) {
	if p.done {
		return nil, nil
	}
	items, next, err := p.fetch(ctx, p.token)
	if err != nil {
		return nil, err
	}
	if next == nil || *next == "" || (p.token != nil && *next == *p.token) {
		p.done = true
	}
	p.token = next
	return items, nil
}

// All fetches every remaining page.
func (p *Pager[T]) All(ctx context.Context) ([]T, error) {
	var out []T
	for p.More() {
		items, err := p.Next(ctx)
		if err != nil {
			return out, err
		}
		out = append(out, items...)
	}
	return out, nil
}

package sqs

// heapOf is a binary min-heap that tells each item its position, so that
// items can be removed or re-keyed in O(log n).
type heapOf[T any] struct {
	items  []T
	less   func(a, b T) bool
	setIdx func(item T, i int)
}

func (h *heapOf[T]) len() int { return len(h.items) }

func (h *heapOf[T]) top() T { return h.items[0] }

func (h *heapOf[T]) push(x T) {
	h.items = append(h.items, x)
	i := len(h.items) - 1
	h.setIdx(x, i)
	h.up(i)
}

func (h *heapOf[T]) pop() T {
	return h.remove(0)
}

func (h *heapOf[T]) remove(i int) T {
	n := len(h.items) - 1
	x := h.items[i]
	if i != n {
		h.swap(i, n)
	}
	var zero T
	h.items[n] = zero
	h.items = h.items[:n]
	if i != n {
		if !h.down(i) {
			h.up(i)
		}
	}
	h.setIdx(x, -1)
	return x
}

func (h *heapOf[T]) fix(i int) {
	if !h.down(i) {
		h.up(i)
	}
}

func (h *heapOf[T]) clear() {
	for _, x := range h.items {
		h.setIdx(x, -1)
	}
	h.items = nil
}

func (h *heapOf[T]) swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.setIdx(h.items[i], i)
	h.setIdx(h.items[j], j)
}

func (h *heapOf[T]) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(h.items[i], h.items[p]) {
			return
		}
		h.swap(i, p)
		i = p
	}
}

// down reports whether the item moved.
func (h *heapOf[T]) down(i0 int) bool {
	i, n := i0, len(h.items)
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		c := l
		if r := l + 1; r < n && h.less(h.items[r], h.items[l]) {
			c = r
		}
		if !h.less(h.items[c], h.items[i]) {
			break
		}
		h.swap(i, c)
		i = c
	}
	return i > i0
}

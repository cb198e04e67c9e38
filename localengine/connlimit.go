package localengine

import (
	"net"
	"sync"
)

// DefaultMaxConnections bounds the connections the engine holds open at
// once. Each costs a goroutine, its read and write buffers and up to
// maxHeaderBytes of headers, tens of KiB in all: 1,024 of them stay well
// inside MemoryCeiling beside the body budget, and are far more than any
// set of local clients keeps open. Past it, new connections wait in the
// kernel's accept queue until one closes, as behind a busy server.
const DefaultMaxConnections = 1024

// limitListener accepts at most n connections open at once.
type limitListener struct {
	net.Listener
	slots chan struct{}
}

func newLimitListener(ln net.Listener, n int) net.Listener {
	return &limitListener{Listener: ln, slots: make(chan struct{}, n)}
}

func (l *limitListener) Accept() (net.Conn, error) {
	l.slots <- struct{}{}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitedConn{Conn: c, release: func() { <-l.slots }}, nil
}

// limitedConn gives its slot back once, when it is closed.
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

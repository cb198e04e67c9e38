package streams

import (
	"fmt"
	"testing"

	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/views/viewtest"
)

// big is a tab fed 100,000 described streams.
func big(b *testing.B) *Model {
	m := newTab(&testing.T{}, nil, 160, 48, true)
	stamp := m.stamp()
	names := make([]string, 100_000)
	streams := make([]inventory.Stream, len(names))
	for i := range names {
		names[i] = fmt.Sprintf("stream-%06d", i)
		streams[i] = inventory.Stream{Name: names[i], Mode: "PROVISIONED", Status: "ACTIVE", OpenShards: 2, RetentionHours: 24}
	}
	m.Update(pageMsg{Stamp: stamp, names: names})
	m.Update(describedMsg{Stamp: stamp, streams: streams})
	return m
}

func BenchmarkView100k(b *testing.B) {
	m := big(b)
	for b.Loop() {
		_ = m.View()
	}
}

func BenchmarkKeyDown100k(b *testing.B) {
	m := big(b)
	for b.Loop() {
		m.Update(viewtest.Key("j"))
	}
}

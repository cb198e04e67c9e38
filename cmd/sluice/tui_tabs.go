package main

import (
	"github.com/sluicehq/sluice/views/archives"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/dlq"
	"github.com/sluicehq/sluice/views/metrics"
	"github.com/sluicehq/sluice/views/shards"
	"github.com/sluicehq/sluice/views/streams"
)

// sluiceTabs builds the five tabs, in the order of their number keys.
func sluiceTabs(c *common.Common) []common.Tab {
	return []common.Tab{streams.New(c), shards.New(c), dlq.New(c), archives.New(c), metrics.New(c)}
}

package shards

import (
	"context"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/table"
)

// putSkewed writes counts[i] records to shard i of len(counts) even
// shards, by explicit hash key.
func putSkewed(t *testing.T, k *kinesis.Client, stream string, counts []int) {
	t.Helper()
	space := new(big.Int).Lsh(big.NewInt(1), 128)
	var entries []types.PutRecordsRequestEntry
	for shard, n := range counts {
		h := new(big.Int).Mul(space, big.NewInt(int64(2*shard+1)))
		h.Div(h, big.NewInt(int64(2*len(counts))))
		for i := range n {
			entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String("k"),
				ExplicitHashKey: aws.String(h.String()), Data: []byte(fmt.Sprintf(`{"i":%03d}`, i))})
		}
	}
	if _, err := k.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries}); err != nil {
		t.Fatal(err)
	}
}

// TestShardLoadsFromTheEngineShowTheHotShard: the engine publishes
// shard-level metrics; the list shows each shard's records a minute, and
// the shard that takes most of the writes is marked hot and sorts first
// by records.
func TestShardLoadsFromTheEngineShowTheHotShard(t *testing.T) {
	s, k := engine(t)
	createStream(t, k, "orders", 4)
	putSkewed(t, k, "orders", []int{5, 5, 100, 5})
	m := newModel(t, s, 120, 20, true)
	d := drive(t, m)
	d.send(common.OpenMsg{Tab: common.ShardsTab, Target: "orders"})
	d.until("the shards' load", func() bool { return m.traffic.read })
	rows := map[string]table.Row{}
	for _, r := range m.shards.Rows() {
		rows[r.ID] = r
	}
	hot := rows["shardId-000000000002"]
	if hot.Tone != table.Warn || hot.Cells[2] != "▲20" {
		t.Errorf("hot shard: tone %v cells %q; want ▲20 records a minute (100 over 5m)", hot.Tone, hot.Cells)
	}
	if cold := rows["shardId-000000000000"]; cold.Tone == table.Warn || cold.Cells[2] != "1" {
		t.Errorf("cold shard: tone %v cells %q", cold.Tone, cold.Cells)
	}
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "▲ hot") || !strings.Contains(v, "REC/MIN") {
		t.Errorf("the tab does not say a shard is hot:\n%s", v)
	}
	d.key(">", ">", ">", "s") // SHARD, STATE, REC/MIN; busiest first
	if r, _ := m.shards.Selected(); m.shards.Visible()[0].ID != "shardId-000000000002" {
		t.Errorf("by records, descending: first %s (cursor on %s)", m.shards.Visible()[0].ID, r.ID)
	}
}

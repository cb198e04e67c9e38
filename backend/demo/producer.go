package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// tick is how often the producer writes; each tick writes the records due.
const tick = 250 * time.Millisecond

// ProducerStats counts what the producer wrote.
type ProducerStats struct {
	Records, Events, Errors atomic.Int64
}

// producer writes orders to the stream and OrderCreated events to the bus
// at a steady rate, as a shop's backend would.
type producer struct {
	c      clients
	rate   float64 // records per second
	orders *orderMaker
	stats  *ProducerStats
	logf   func(format string, args ...any)
}

func (p *producer) run(ctx context.Context) {
	t := time.NewTicker(tick)
	defer t.Stop()
	var owed float64
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		owed += p.rate * tick.Seconds()
		n := int(owed)
		owed -= float64(n)
		if n == 0 {
			continue
		}
		if err := p.writeBatch(ctx, n); err != nil && ctx.Err() == nil {
			p.stats.Errors.Add(1)
			p.logf("producer: %v", err)
		}
	}
}

func (p *producer) writeBatch(ctx context.Context, n int) error {
	now := time.Now()
	entries := make([]ktypes.PutRecordsRequestEntry, 0, n)
	var events []ebtypes.PutEventsRequestEntry
	for range n {
		key, data, order := p.orders.record(now)
		entries = append(entries, ktypes.PutRecordsRequestEntry{PartitionKey: aws.String(key), Data: data})
		// One order in five is also announced on the bus.
		if p.orders.rng.IntN(5) == 0 && len(events) < 10 {
			detail, _ := json.Marshal(order)
			events = append(events, ebtypes.PutEventsRequestEntry{
				EventBusName: aws.String(BusName), Source: aws.String("shop.orders"),
				DetailType: aws.String(order.Type), Detail: aws.String(string(detail)),
			})
		}
	}
	out, err := p.c.kinesis.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(StreamName), Records: entries})
	if err != nil {
		return fmt.Errorf("put records: %w", err)
	}
	p.stats.Records.Add(int64(n) - int64(aws.ToInt32(out.FailedRecordCount)))
	if len(events) == 0 {
		return nil
	}
	ev, err := p.c.eventbridge.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: events})
	if err != nil {
		return fmt.Errorf("put events: %w", err)
	}
	p.stats.Events.Add(int64(len(events)) - int64(ev.FailedEntryCount))
	return nil
}

package kinesis

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

func (s *Service) increaseRetention(ctx context.Context, body []byte) (any, error) {
	return s.changeRetention(ctx, body, true)
}

func (s *Service) decreaseRetention(ctx context.Context, body []byte) (any, error) {
	return s.changeRetention(ctx, body, false)
}

func (s *Service) changeRetention(ctx context.Context, body []byte, increase bool) (any, error) {
	var in struct {
		streamIDInput
		RetentionPeriodHours *int64
	}
	ref, err := decodeStreamInput(ctx, body, &in, &in.streamIDInput, func(v *validation) {
		v.required(in.RetentionPeriodHours != nil, "retentionPeriodHours")
		v.rangeBetween(in.RetentionPeriodHours, "retentionPeriodHours", 1, maxRetentionHours)
	})
	if err != nil {
		return nil, err
	}
	hours := int(*in.RetentionPeriodHours)
	if hours < minRetentionHours {
		return nil, invalidArgument("Minimum allowed retention period is %d hours. Requested retention period (%d hours) is too short.", minRetentionHours, hours)
	}
	_, err = s.updateStream(ref, func(_ *bolt.Tx, m *streamMeta) error {
		if increase && hours < m.Retention {
			return invalidArgument("Requested retention period (%d hours) for stream %s can not be shorter than existing retention period (%d hours). Use DecreaseRetentionPeriod API.", hours, m.Name, m.Retention)
		}
		if !increase && hours > m.Retention {
			return invalidArgument("Requested retention period (%d hours) for stream %s can not be longer than existing retention period (%d hours). Use IncreaseRetentionPeriod API.", hours, m.Name, m.Retention)
		}
		if hours > m.Retention {
			m.FloorMs = m.cutoff(s.nowMs())
		}
		m.Retention = hours
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("change retention of %s: %w", ref.name, err)
	}
	return struct{}{}, nil
}

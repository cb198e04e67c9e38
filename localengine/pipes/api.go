package pipes

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/sluicehq/sluice/localengine/awserr"
	"github.com/sluicehq/sluice/localengine/inproc"
	"github.com/sluicehq/sluice/localengine/wire"
)

// dispatch routes a request by method and path, as the SDK's REST
// bindings build them:
//
//	POST/GET/PUT/DELETE /v1/pipes/{Name}, GET /v1/pipes,
//	POST /v1/pipes/{Name}/start|stop, GET/POST/DELETE /tags/{resourceArn}.
func (s *Service) dispatch(ctx context.Context, method, path, rawQuery string, body []byte) (any, error) {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	switch {
	case len(segs) >= 2 && segs[0] == "v1" && segs[1] == "pipes":
		if len(segs) == 2 {
			if method == http.MethodGet {
				return s.listPipes(ctx, rawQuery)
			}
			break
		}
		name, err := url.PathUnescape(segs[2])
		if err != nil {
			return nil, invalid("name", "The pipe name in the path is not correctly escaped.")
		}
		switch {
		case len(segs) == 3 && method == http.MethodPost:
			return s.createPipe(ctx, name, body)
		case len(segs) == 3 && method == http.MethodGet:
			return s.describePipe(ctx, name)
		case len(segs) == 3 && method == http.MethodPut:
			return s.updatePipe(ctx, name, body)
		case len(segs) == 3 && method == http.MethodDelete:
			return s.deletePipe(ctx, name)
		case len(segs) == 4 && method == http.MethodPost && segs[3] == "start":
			return s.startPipe(ctx, name)
		case len(segs) == 4 && method == http.MethodPost && segs[3] == "stop":
			return s.stopPipe(ctx, name)
		}
	case len(segs) >= 2 && segs[0] == "tags":
		// A client that does not escape the ARN's slash sends it as more
		// than one segment.
		arn, err := url.PathUnescape(strings.Join(segs[1:], "/"))
		if err != nil {
			return nil, invalid("resourceArn", "The resource ARN in the path is not correctly escaped.")
		}
		switch method {
		case http.MethodGet:
			return s.listTags(arn)
		case http.MethodPost:
			return s.tagResource(arn, body)
		case http.MethodDelete:
			return s.untagResource(arn, rawQuery)
		}
	}
	return nil, unknownOperation(method, path)
}

func newUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (s *Service) nowMs() int64 { return s.cfg.Now().UnixMilli() }

func (s *Service) createPipe(ctx context.Context, name string, body []byte) (any, error) {
	var in pipeInput
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	region := wire.Region(ctx)
	var v validation
	checkName(&v, name)
	v.required(in.Source != nil, "source")
	v.length(in.Source, "source", 1, maxArnLength)
	v.required(in.Target != nil, "target")
	checkCommon(&v, &in)
	checkTags(&v, in.Tags, "tags")
	if in.Source != nil && len(*in.Source) <= maxArnLength {
		if r, _, ok := streamARNParts(*in.Source); !ok {
			v.constraint("source", *in.Source, "Member must be the ARN of a Kinesis stream, the only source of the local engine")
		} else if r != region {
			v.fail("source", "The source stream "+*in.Source+" is not in the pipe's region "+region+".")
		}
	}
	kind := checkTargetARN(&v, in.Target)
	kinRaw, filter := splitSource(&v, in.SourceParameters)
	kp, _ := decodeKinesis(&v, kinRaw, true, nil)
	tp, _ := decodeTarget(&v, in.TargetParameters)
	checkTargetKind(&v, &tp, kind)
	checkUnsupported(&v, &in, filter, &tp)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.checkStream(ctx, region, *in.Source); err != nil {
		return nil, err
	}
	now := s.nowMs()
	p := &pipeRecord{
		UID: newUID(), Region: region, Name: name, Description: in.Description, RoleArn: *in.RoleArn,
		Source: *in.Source, Target: *in.Target, Enrichment: in.Enrichment,
		EnrichmentParameters: compact(in.EnrichmentParameters), KmsKeyIdentifier: in.KmsKeyIdentifier,
		LogConfiguration: compact(in.LogConfiguration), FilterCriteria: compact(filter),
		Kinesis: kp, TargetParams: tp, Tags: in.Tags,
		Desired: stateRunning, Current: stateCreating, CreatedMs: now, ModifiedMs: now, Gen: 1,
	}
	if in.DesiredState != nil {
		p.Desired = *in.DesiredState
	}
	err := s.store.Update(func(tx *bolt.Tx) error {
		old, err := loadPipe(tx, region, name)
		if err != nil {
			return err
		}
		if old != nil {
			return conflict(name, "Pipe "+name+" already exists.")
		}
		return putPipe(tx, p)
	})
	if err != nil {
		return nil, err
	}
	s.settle(region, name)
	return p.stateOutput(), nil
}

// checkTargetARN validates the target ARN and tells its kind.
func checkTargetARN(v *validation, target *string) targetKind {
	if target == nil || len(*target) > maxArnLength {
		return targetUnknown
	}
	kind, _ := classifyTarget(*target)
	if kind == targetUnknown {
		v.constraint("target", *target,
			"Member must be the ARN of an SQS queue, a Kinesis stream, an event bus or an API destination (the targets of the local engine)")
	}
	return kind
}

// compact drops an absent or null raw value, so that DescribePipe leaves
// it out.
func compact(raw []byte) []byte {
	if !present(raw) {
		return nil
	}
	return raw
}

// checkStream makes sure the source stream exists, as CreatePipe does.
func (s *Service) checkStream(ctx context.Context, region, streamArn string) error {
	if s.cfg.Kinesis == nil {
		return errors.New("pipes: no Kinesis service")
	}
	err := inproc.Call(inproc.InRegion(ctx, region), s.cfg.Kinesis, "DescribeStreamSummary",
		map[string]string{"StreamARN": streamArn}, nil)
	var ae *awserr.Error
	if errors.As(err, &ae) && ae.Status < 500 {
		return invalid("source", "The source stream "+streamArn+" does not exist or cannot be read: "+ae.Message)
	}
	if err != nil {
		return err
	}
	return nil
}

func (s *Service) viewPipe(region, name string) (*pipeRecord, error) {
	var p *pipeRecord
	err := s.store.View(func(tx *bolt.Tx) error {
		var err error
		p, err = loadPipe(tx, region, name)
		return err
	})
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, notFound(name)
	}
	return p, nil
}

func nameError(name string) error {
	var v validation
	checkName(&v, name)
	return v.err()
}

func (s *Service) describePipe(ctx context.Context, name string) (any, error) {
	if err := nameError(name); err != nil {
		return nil, err
	}
	p, err := s.viewPipe(wire.Region(ctx), name)
	if err != nil {
		return nil, err
	}
	return p.describe(), nil
}

// changePipe applies change to the stored pipe in a write transaction and
// starts the transition to the state it asks for. A pipe being deleted
// cannot change any more.
func (s *Service) changePipe(ctx context.Context, name string, change func(p *pipeRecord) (bool, error)) (any, error) {
	if err := nameError(name); err != nil {
		return nil, err
	}
	region := wire.Region(ctx)
	var out *pipeRecord
	var changed bool
	err := s.store.Update(func(tx *bolt.Tx) error {
		p, err := loadPipe(tx, region, name)
		if err != nil {
			return err
		}
		if p == nil {
			return notFound(name)
		}
		if p.Current == stateDeleting {
			return conflict(name, "Pipe "+name+" is being deleted.")
		}
		if changed, err = change(p); err != nil {
			return err
		}
		if changed {
			p.Gen++
			p.ModifiedMs = s.nowMs()
			if err := putPipe(tx, p); err != nil {
				return err
			}
		}
		out = p
		return nil
	})
	if err != nil {
		return nil, err
	}
	if changed {
		s.settle(region, name)
	}
	return out.stateOutput(), nil
}

func (s *Service) startPipe(ctx context.Context, name string) (any, error) {
	return s.changePipe(ctx, name, func(p *pipeRecord) (bool, error) {
		if p.Desired == stateRunning && p.Current == stateRunning {
			return false, nil
		}
		p.Desired, p.Current = stateRunning, stateStarting
		return true, nil
	})
}

func (s *Service) stopPipe(ctx context.Context, name string) (any, error) {
	return s.changePipe(ctx, name, func(p *pipeRecord) (bool, error) {
		if p.Desired == stateStopped && p.Current == stateStopped {
			return false, nil
		}
		p.Desired, p.Current = stateStopped, stateStopping
		return true, nil
	})
}

func (s *Service) deletePipe(ctx context.Context, name string) (any, error) {
	return s.changePipe(ctx, name, func(p *pipeRecord) (bool, error) {
		p.Desired, p.Current = stateDeleted, stateDeleting
		return true, nil
	})
}

func (s *Service) updatePipe(ctx context.Context, name string, body []byte) (any, error) {
	var in pipeInput
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v validation
	checkCommon(&v, &in)
	if in.Source != nil {
		v.fail("source", "The source of a pipe cannot be updated.")
	}
	if in.Tags != nil {
		v.fail("tags", "Tags are changed with TagResource and UntagResource.")
	}
	kinRaw, filter := splitSource(&v, in.SourceParameters)
	tp, seen := decodeTarget(&v, in.TargetParameters)
	checkUnsupported(&v, &in, filter, &tp)
	newKind := targetUnknown
	if in.Target != nil {
		newKind = checkTargetARN(&v, in.Target)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	return s.changePipe(ctx, name, func(p *pipeRecord) (bool, error) {
		var v validation
		// As AWS does: top-level fields given replace the old ones; of the
		// parameter objects, each one given replaces its predecessor whole.
		if present(kinRaw) {
			kp, _ := decodeKinesis(&v, kinRaw, false, &p.Kinesis)
			p.Kinesis = kp
		}
		if in.SourceParameters != nil && filter != nil {
			p.FilterCriteria = compact(filter)
		}
		if in.Target != nil {
			p.Target = *in.Target
		}
		kind := newKind
		if in.Target == nil {
			kind, _ = classifyTarget(p.Target)
		}
		if seen["InputTemplate"] {
			p.TargetParams.InputTemplate = tp.InputTemplate
		}
		if seen["SqsQueueParameters"] {
			p.TargetParams.SqsQueueParameters = tp.SqsQueueParameters
		}
		if seen["KinesisStreamParameters"] {
			p.TargetParams.KinesisStreamParameters = tp.KinesisStreamParameters
		}
		if seen["EventBridgeEventBusParameters"] {
			p.TargetParams.EventBridgeEventBusParameters = tp.EventBridgeEventBusParameters
		}
		if seen["HttpParameters"] {
			p.TargetParams.HttpParameters = tp.HttpParameters
		}
		checkTargetKind(&v, &p.TargetParams, kind)
		if err := v.err(); err != nil {
			return false, err
		}
		if in.Description != nil {
			p.Description = in.Description
		}
		if in.Enrichment != nil {
			p.Enrichment = in.Enrichment
		}
		if in.EnrichmentParameters != nil {
			p.EnrichmentParameters = compact(in.EnrichmentParameters)
		}
		if in.KmsKeyIdentifier != nil {
			p.KmsKeyIdentifier = in.KmsKeyIdentifier
		}
		if in.LogConfiguration != nil {
			p.LogConfiguration = compact(in.LogConfiguration)
		}
		p.RoleArn = *in.RoleArn
		if in.DesiredState != nil {
			p.Desired = *in.DesiredState
		}
		p.Current = stateUpdating
		return true, nil
	})
}

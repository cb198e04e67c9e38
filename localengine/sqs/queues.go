package sqs

import (
	"context"
	"encoding/base64"
	"sort"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/sluicehq/sluice/localengine/wire"
)

const (
	maxListResults  = 1000
	maxTags         = 50
	maxTagKey       = 128
	maxTagValue     = 256
	purgeIntervalMS = 60_000
)

type createQueueInput struct {
	QueueName  *string
	Attributes map[string]string
	Tags       map[string]string `json:"tags"`
}

type queueURLOutput struct {
	QueueUrl string
}

type queueURLInput struct {
	QueueUrl string
}

type getQueueURLInput struct {
	QueueName              *string
	QueueOwnerAWSAccountId *string
}

type listQueuesInput struct {
	QueueNamePrefix *string
	MaxResults      *int64
	NextToken       *string
}

type listQueuesOutput struct {
	QueueUrls []string `json:",omitempty"`
	NextToken string   `json:",omitempty"`
}

type getQueueAttributesInput struct {
	QueueUrl       string
	AttributeNames []string
}

type attributesOutput struct {
	Attributes map[string]string `json:",omitempty"`
}

type setQueueAttributesInput struct {
	QueueUrl   string
	Attributes map[string]string
}

type tagQueueInput struct {
	QueueUrl string
	Tags     map[string]string
}

type untagQueueInput struct {
	QueueUrl string
	TagKeys  []string
}

type tagsOutput struct {
	Tags map[string]string `json:",omitempty"`
}

type listDLSourcesInput struct {
	QueueUrl   string
	MaxResults *int64
	NextToken  *string
}

type listDLSourcesOutput struct {
	QueueUrls []string `json:"queueUrls"`
	NextToken string   `json:",omitempty"`
}

// resolverLocked answers RedrivePolicy's questions about a target ARN; the
// target must be in the source queue's region.
func (s *Service) resolverLocked(region string) arnResolver {
	return func(arn string) (bool, *redriveAllow, bool) {
		q := s.lookupArnLocked(arn)
		if q == nil || q.rec.Region != region {
			return false, nil, false
		}
		return q.fifo(), q.rec.Config.RedriveAllow, true
	}
}

func validateTags(tags map[string]string) error {
	if len(tags) > maxTags {
		return errInvalidParameter("Too many tags added for queue. A queue can have at most %d tags.", maxTags)
	}
	for k, v := range tags {
		if err := validateTagKey(k); err != nil {
			return err
		}
		if len(v) > maxTagValue || invalidXMLChar(v) >= 0 {
			return errInvalidParameter("Tag values must be at most %d characters long.", maxTagValue)
		}
	}
	return nil
}

func validateTagKey(k string) error {
	if k == "" || len(k) > maxTagKey || invalidXMLChar(k) >= 0 {
		return errInvalidParameter("Tag keys must be between 1 and %d characters in length.", maxTagKey)
	}
	if strings.HasPrefix(strings.ToLower(k), "aws:") {
		return errInvalidParameter("Tag keys must not start with the reserved prefix aws:.")
	}
	return nil
}

func (s *Service) createQueue(ctx context.Context, in *createQueueInput) (*queueURLOutput, error) {
	if in.QueueName == nil {
		return nil, errMissing("QueueName")
	}
	name := *in.QueueName
	fifo := false
	if v, ok := in.Attributes["FifoQueue"]; ok {
		b, valid := parseBool(v)
		if !valid {
			return nil, errInvalidAttributeValue("Invalid value for the parameter FifoQueue.")
		}
		fifo = b
	}
	if fifo && !validQueueName(name, true) {
		return nil, errInvalidParameter("The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.")
	}
	if !fifo && !validQueueName(name, false) {
		return nil, errInvalidParameter("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	names := make([]string, 0, len(in.Attributes))
	for n := range in.Attributes {
		if !isSettable(n) {
			return nil, errInvalidAttributeName("Unknown Attribute %s.", clip(n, 256))
		}
		names = append(names, n)
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	region := wire.Region(ctx)
	url := queueURL(wire.Info(ctx).BaseURL, name)
	if err := s.lock(); err != nil {
		return nil, err
	}
	key := regionKey(region, name)
	if q := s.queues[key]; q != nil {
		cfg := q.rec.Config
		err := applyAttrs(&cfg, in.Attributes, true, q.arn, s.resolverLocked(region))
		s.mu.Unlock()
		if err != nil {
			return nil, err
		}
		if d := firstDifference(&cfg, &q.rec.Config, names); d != "" {
			return nil, errQueueNameExists(d)
		}
		return &queueURLOutput{QueueUrl: url}, nil
	}
	cfg := defaultConfig(fifo)
	if err := applyAttrs(&cfg, in.Attributes, true, queueArn(region, name), s.resolverLocked(region)); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	now := s.now()
	rec := queueRecord{ID: s.nextQueueID, Region: region, Name: name, Config: cfg,
		Tags: copyMap(in.Tags), Created: now, Modified: now}
	s.nextQueueID++
	q := newQueue(rec)
	s.queues[key], s.byID[rec.ID] = q, q
	done := s.submitLocked(func(tx *bolt.Tx) error {
		if err := putQueueRecord(tx, &rec); err != nil {
			return err
		}
		return createQueueBuckets(tx, rec.ID)
	})
	s.mu.Unlock()
	if err := <-done; err != nil {
		return nil, err
	}
	return &queueURLOutput{QueueUrl: url}, nil
}

func isSettable(name string) bool {
	for _, n := range settableAttrs {
		if n == name {
			return true
		}
	}
	return false
}

func copyMap(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func (s *Service) deleteQueue(ctx context.Context, in *queueURLInput) (any, error) {
	q, err := s.lockQueue(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	delete(s.queues, regionKey(q.rec.Region, q.rec.Name))
	delete(s.byID, q.rec.ID)
	q.deleted = true
	q.signal()
	id := q.rec.ID
	tasks := s.forgetTasksLocked(id)
	done := s.submitLocked(func(tx *bolt.Tx) error {
		if err := deleteTasks(tx, tasks); err != nil {
			return err
		}
		return deleteQueueStore(tx, id)
	})
	s.mu.Unlock()
	if err := <-done; err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (s *Service) getQueueURL(ctx context.Context, in *getQueueURLInput) (*queueURLOutput, error) {
	if in.QueueName == nil || *in.QueueName == "" {
		return nil, errMissing("QueueName")
	}
	if in.QueueOwnerAWSAccountId != nil && *in.QueueOwnerAWSAccountId != wire.Account {
		return nil, errQueueDoesNotExist()
	}
	if err := s.lock(); err != nil {
		return nil, err
	}
	q := s.queues[regionKey(wire.Region(ctx), *in.QueueName)]
	s.mu.Unlock()
	if q == nil {
		return nil, errQueueDoesNotExist()
	}
	return &queueURLOutput{QueueUrl: queueURL(wire.Info(ctx).BaseURL, q.rec.Name)}, nil
}

// listLimit validates MaxResults; 0 means "not given".
func listLimit(n *int64) (int, error) {
	if n == nil {
		return 0, nil
	}
	if *n < 1 || *n > maxListResults {
		return 0, errInvalidValue(*n, "MaxResults", "MaxResults must be an integer between 1 and 1000.")
	}
	return int(*n), nil
}

// A list's NextToken is the last name answered, opaque to clients.
func encodeToken(last string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("sqs1:" + last))
}

func decodeToken(tok *string) (string, error) {
	if tok == nil || *tok == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*tok)
	if err != nil || !strings.HasPrefix(string(b), "sqs1:") {
		return "", errInvalidParameter("Invalid NextToken value.")
	}
	return strings.TrimPrefix(string(b), "sqs1:"), nil
}

// page sorts names and cuts one page after the token's name; with no
// limit it answers up to 1000 and no token, as ListQueues does.
func page(names []string, limit int, after string) ([]string, string) {
	sort.Strings(names)
	start := sort.SearchStrings(names, after)
	if after != "" && start < len(names) && names[start] == after {
		start++
	}
	names = names[start:]
	if limit == 0 {
		if len(names) > maxListResults {
			names = names[:maxListResults]
		}
		return names, ""
	}
	if len(names) > limit {
		return names[:limit], encodeToken(names[limit-1])
	}
	return names, ""
}

func (s *Service) listQueues(ctx context.Context, in *listQueuesInput) (*listQueuesOutput, error) {
	limit, err := listLimit(in.MaxResults)
	if err != nil {
		return nil, err
	}
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	prefix := ""
	if in.QueueNamePrefix != nil {
		prefix = *in.QueueNamePrefix
	}
	region := wire.Region(ctx)
	if err := s.lock(); err != nil {
		return nil, err
	}
	var names []string
	for _, q := range s.byID {
		if q.rec.Region == region && strings.HasPrefix(q.rec.Name, prefix) {
			names = append(names, q.rec.Name)
		}
	}
	s.mu.Unlock()
	names, next := page(names, limit, after)
	out := &listQueuesOutput{NextToken: next}
	base := wire.Info(ctx).BaseURL
	for _, n := range names {
		out.QueueUrls = append(out.QueueUrls, queueURL(base, n))
	}
	return out, nil
}

func (s *Service) getQueueAttributes(ctx context.Context, in *getQueueAttributesInput) (*attributesOutput, error) {
	want := map[string]bool{}
	for _, n := range in.AttributeNames {
		if n != "All" && !isKnownAttr(n) {
			return nil, errInvalidAttributeName("Unknown Attribute %s.", clip(n, 256))
		}
		want[n] = true
	}
	q, err := s.lockQueue(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	now := s.now()
	s.expireLocked(q, now, true)
	all := q.rec.Config.render()
	visible, inFlight, delayed := q.idx.counts(now)
	all["ApproximateNumberOfMessages"] = strconv.Itoa(visible)
	all["ApproximateNumberOfMessagesNotVisible"] = strconv.Itoa(inFlight)
	all["ApproximateNumberOfMessagesDelayed"] = strconv.Itoa(delayed)
	all["CreatedTimestamp"] = strconv.FormatInt(q.rec.Created/1000, 10)
	all["LastModifiedTimestamp"] = strconv.FormatInt(q.rec.Modified/1000, 10)
	all["QueueArn"] = q.arn
	s.mu.Unlock()
	out := &attributesOutput{}
	if len(want) == 0 {
		return out, nil
	}
	out.Attributes = map[string]string{}
	for n, v := range all {
		if want["All"] || want[n] {
			out.Attributes[n] = v
		}
	}
	return out, nil
}

func (s *Service) setQueueAttributes(ctx context.Context, in *setQueueAttributesInput) (any, error) {
	for n := range in.Attributes {
		if !isSettable(n) {
			return nil, errInvalidAttributeName("Unknown Attribute %s.", clip(n, 256))
		}
	}
	q, err := s.lockQueue(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	cfg := q.rec.Config
	if err := applyAttrs(&cfg, in.Attributes, false, q.arn, s.resolverLocked(q.rec.Region)); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	q.rec.Config = cfg
	q.rec.Modified = s.now()
	done := s.putRecordLocked(q)
	// A shorter delay or retention may change what is available.
	q.signal()
	s.mu.Unlock()
	if err := <-done; err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// putRecordLocked queues a write of q's record as it is now.
func (s *Service) putRecordLocked(q *queue) <-chan error {
	rec := q.rec
	rec.Tags = copyMap(q.rec.Tags)
	return s.submitLocked(func(tx *bolt.Tx) error { return putQueueRecord(tx, &rec) })
}

func (s *Service) tagQueue(ctx context.Context, in *tagQueueInput) (any, error) {
	if len(in.Tags) == 0 {
		return nil, errMissing("Tags")
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	q, err := s.lockQueue(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	merged := copyMap(q.rec.Tags)
	if merged == nil {
		merged = map[string]string{}
	}
	for k, v := range in.Tags {
		merged[k] = v
	}
	if len(merged) > maxTags {
		s.mu.Unlock()
		return nil, errInvalidParameter("Too many tags added for queue %s.", q.rec.Name)
	}
	q.rec.Tags = merged
	done := s.putRecordLocked(q)
	s.mu.Unlock()
	if err := <-done; err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (s *Service) untagQueue(ctx context.Context, in *untagQueueInput) (any, error) {
	if len(in.TagKeys) == 0 {
		return nil, errMissing("TagKeys")
	}
	for _, k := range in.TagKeys {
		if k == "" || len(k) > maxTagKey {
			return nil, errInvalidParameter("Tag keys must be between 1 and %d characters in length.", maxTagKey)
		}
	}
	q, err := s.lockQueue(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	tags := copyMap(q.rec.Tags)
	for _, k := range in.TagKeys {
		delete(tags, k)
	}
	q.rec.Tags = tags
	done := s.putRecordLocked(q)
	s.mu.Unlock()
	if err := <-done; err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (s *Service) listQueueTags(ctx context.Context, in *queueURLInput) (*tagsOutput, error) {
	q, err := s.lockQueue(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	tags := copyMap(q.rec.Tags)
	s.mu.Unlock()
	return &tagsOutput{Tags: tags}, nil
}

func (s *Service) purgeQueue(ctx context.Context, in *queueURLInput) (any, error) {
	q, err := s.lockQueue(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if q.rec.LastPurge != 0 && now-q.rec.LastPurge < purgeIntervalMS {
		s.mu.Unlock()
		return nil, errPurgeInProgress(q.rec.Name)
	}
	q.rec.LastPurge = now
	q.idx = newIndex(q.fifo())
	rec := q.rec
	rec.Tags = copyMap(q.rec.Tags)
	done := s.submitLocked(func(tx *bolt.Tx) error {
		if err := purgeQueueStore(tx, rec.ID); err != nil {
			return err
		}
		return putQueueRecord(tx, &rec)
	})
	s.mu.Unlock()
	if err := <-done; err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (s *Service) listDeadLetterSourceQueues(ctx context.Context, in *listDLSourcesInput) (*listDLSourcesOutput, error) {
	limit, err := listLimit(in.MaxResults)
	if err != nil {
		return nil, err
	}
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	q, err := s.lockQueue(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, src := range s.byID {
		if r := src.rec.Config.Redrive; r != nil && r.DeadLetterTargetArn == q.arn {
			names = append(names, src.rec.Name)
		}
	}
	s.mu.Unlock()
	names, next := page(names, limit, after)
	out := &listDLSourcesOutput{QueueUrls: []string{}, NextToken: next}
	base := wire.Info(ctx).BaseURL
	for _, n := range names {
		out.QueueUrls = append(out.QueueUrls, queueURL(base, n))
	}
	return out, nil
}

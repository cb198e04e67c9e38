package sqs

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
)

// Queue attribute limits and defaults, as AWS documents them.
const (
	defaultVisibility    = 30
	maxVisibility        = 43200
	defaultRetention     = 345600
	minRetention         = 60
	maxRetention         = 1209600
	defaultMaxSize       = 1048576
	minMaxSize           = 1024
	maxMaxSize           = 1048576
	maxDelay             = 900
	maxWait              = 20
	defaultKmsReuse      = 300
	minKmsReuse          = 60
	maxKmsReuse          = 86400
	maxPolicyBytes       = 20 * 1024
	maxRedriveCount      = 1000
	maxRedriveAllowArns  = 10
	defaultDedupScope    = "queue"
	defaultThroughputLim = "perQueue"
)

// queueConfig is a queue's settable attributes. It is stored as JSON in the
// queue's record, so field names are part of the store format.
type queueConfig struct {
	DelaySeconds                  int64          `json:"delay"`
	MaximumMessageSize            int64          `json:"maxSize"`
	MessageRetentionPeriod        int64          `json:"retention"`
	ReceiveMessageWaitTimeSeconds int64          `json:"wait"`
	VisibilityTimeout             int64          `json:"visibility"`
	Policy                        string         `json:"policy,omitempty"`
	Redrive                       *redrivePolicy `json:"redrive,omitempty"`
	RedriveAllow                  *redriveAllow  `json:"redriveAllow,omitempty"`
	FifoQueue                     bool           `json:"fifo,omitempty"`
	ContentBasedDeduplication     bool           `json:"cbd,omitempty"`
	DeduplicationScope            string         `json:"dedupScope,omitempty"`
	FifoThroughputLimit           string         `json:"throughput,omitempty"`
	KmsMasterKeyID                string         `json:"kms,omitempty"`
	KmsDataKeyReusePeriodSeconds  int64          `json:"kmsReuse,omitempty"`
	SqsManagedSseEnabled          bool           `json:"sse,omitempty"`
}

// redrivePolicy is the parsed RedrivePolicy attribute.
type redrivePolicy struct {
	DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	MaxReceiveCount     int64  `json:"maxReceiveCount"`
}

// redriveAllow is the parsed RedriveAllowPolicy attribute.
type redriveAllow struct {
	RedrivePermission string   `json:"redrivePermission"`
	SourceQueueArns   []string `json:"sourceQueueArns,omitempty"`
}

func defaultConfig(fifo bool) queueConfig {
	c := queueConfig{
		MaximumMessageSize:     defaultMaxSize,
		MessageRetentionPeriod: defaultRetention,
		VisibilityTimeout:      defaultVisibility,
		FifoQueue:              fifo,
		SqsManagedSseEnabled:   true,
	}
	if fifo {
		c.DeduplicationScope = defaultDedupScope
		c.FifoThroughputLimit = defaultThroughputLim
	}
	return c
}

// Attribute names: the settable ones, and those only GetQueueAttributes
// answers.
var (
	settableAttrs = []string{
		"DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod", "Policy",
		"ReceiveMessageWaitTimeSeconds", "VisibilityTimeout", "RedrivePolicy",
		"RedriveAllowPolicy", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds",
		"SqsManagedSseEnabled", "FifoQueue", "ContentBasedDeduplication",
		"DeduplicationScope", "FifoThroughputLimit",
	}
	readOnlyAttrs = []string{
		"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
		"ApproximateNumberOfMessagesDelayed", "CreatedTimestamp",
		"LastModifiedTimestamp", "QueueArn",
	}
	fifoOnlyAttrs = map[string]bool{
		"ContentBasedDeduplication": true, "DeduplicationScope": true, "FifoThroughputLimit": true,
	}
)

func isKnownAttr(name string) bool {
	for _, n := range settableAttrs {
		if n == name {
			return true
		}
	}
	for _, n := range readOnlyAttrs {
		if n == name {
			return true
		}
	}
	return false
}

// arnResolver answers whether an ARN names an existing queue, and whether
// that queue is FIFO; validation of RedrivePolicy needs it.
type arnResolver func(arn string) (fifo bool, allow *redriveAllow, ok bool)

// applyAttrs validates attrs and applies them to c. creating allows
// FifoQueue; selfArn is the queue's own ARN for redrive-allow checks.
func applyAttrs(c *queueConfig, attrs map[string]string, creating bool, selfArn string, resolve arnResolver) error {
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	// FifoQueue first: the other FIFO attributes depend on it.
	if v, ok := attrs["FifoQueue"]; ok {
		b, ok := parseBool(v)
		if !ok {
			return errInvalidAttributeValue("Invalid value for the parameter FifoQueue.")
		}
		if b != c.FifoQueue {
			if creating {
				return errInvalidAttributeValue("Invalid value for the parameter FifoQueue. Reason: The queue name and the FifoQueue attribute disagree.")
			}
			return errInvalidAttributeValue("Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.")
		}
	}
	for _, name := range names {
		if err := applyAttr(c, name, attrs[name], selfArn, resolve); err != nil {
			return err
		}
	}
	if c.FifoQueue && c.FifoThroughputLimit == "perMessageGroupId" && c.DeduplicationScope != "messageGroup" {
		return errInvalidAttributeValue("Invalid value for the parameter FifoThroughputLimit. Reason: perMessageGroupId is allowed only when DeduplicationScope is messageGroup.")
	}
	return nil
}

func applyAttr(c *queueConfig, name, v, selfArn string, resolve arnResolver) error {
	invalid := func() error { return errInvalidAttributeValue("Invalid value for the parameter %s.", name) }
	intIn := func(dst *int64, lo, hi int64) error {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n < lo || n > hi {
			return invalid()
		}
		*dst = n
		return nil
	}
	if fifoOnlyAttrs[name] && !c.FifoQueue {
		return errInvalidAttributeName("Unknown Attribute %s.", name)
	}
	switch name {
	case "DelaySeconds":
		return intIn(&c.DelaySeconds, 0, maxDelay)
	case "MaximumMessageSize":
		return intIn(&c.MaximumMessageSize, minMaxSize, maxMaxSize)
	case "MessageRetentionPeriod":
		return intIn(&c.MessageRetentionPeriod, minRetention, maxRetention)
	case "ReceiveMessageWaitTimeSeconds":
		return intIn(&c.ReceiveMessageWaitTimeSeconds, 0, maxWait)
	case "VisibilityTimeout":
		return intIn(&c.VisibilityTimeout, 0, maxVisibility)
	case "KmsDataKeyReusePeriodSeconds":
		return intIn(&c.KmsDataKeyReusePeriodSeconds, minKmsReuse, maxKmsReuse)
	case "Policy":
		if v == "" {
			c.Policy = ""
			return nil
		}
		if len(v) > maxPolicyBytes || !json.Valid([]byte(v)) {
			return errInvalidAttributeValue("Invalid value for the parameter Policy.")
		}
		var obj map[string]any
		if json.Unmarshal([]byte(v), &obj) != nil {
			return errInvalidAttributeValue("Invalid value for the parameter Policy.")
		}
		c.Policy = v
		return nil
	case "RedrivePolicy":
		if v == "" {
			c.Redrive = nil
			return nil
		}
		p, err := parseRedrivePolicy(v)
		if err != nil {
			return err
		}
		fifo, allow, ok := resolve(p.DeadLetterTargetArn)
		if !ok {
			return errInvalidParameter("Value %s for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.", clip(v, 512))
		}
		if fifo != c.FifoQueue {
			return errInvalidParameter("Value %s for parameter RedrivePolicy is invalid. Reason: Dead-letter queue must be the same type of queue as the source.", clip(v, 512))
		}
		if !allow.permits(selfArn) {
			return errInvalidParameter("Value %s for parameter RedrivePolicy is invalid. Reason: Queue %s does not allow this queue to use it as its dead-letter queue.", clip(v, 512), p.DeadLetterTargetArn)
		}
		c.Redrive = p
		return nil
	case "RedriveAllowPolicy":
		if v == "" {
			c.RedriveAllow = nil
			return nil
		}
		p, err := parseRedriveAllow(v)
		if err != nil {
			return err
		}
		c.RedriveAllow = p
		return nil
	case "FifoQueue":
		return nil // checked by applyAttrs
	case "ContentBasedDeduplication":
		b, ok := parseBool(v)
		if !ok {
			return invalid()
		}
		c.ContentBasedDeduplication = b
		return nil
	case "DeduplicationScope":
		if v != "queue" && v != "messageGroup" {
			return invalid()
		}
		c.DeduplicationScope = v
		return nil
	case "FifoThroughputLimit":
		if v != "perQueue" && v != "perMessageGroupId" {
			return invalid()
		}
		c.FifoThroughputLimit = v
		return nil
	case "KmsMasterKeyId":
		if len(v) > 2048 {
			return invalid()
		}
		c.KmsMasterKeyID = v
		if v != "" {
			c.SqsManagedSseEnabled = false
			if c.KmsDataKeyReusePeriodSeconds == 0 {
				c.KmsDataKeyReusePeriodSeconds = defaultKmsReuse
			}
		}
		return nil
	case "SqsManagedSseEnabled":
		b, ok := parseBool(v)
		if !ok {
			return invalid()
		}
		if b && c.KmsMasterKeyID != "" {
			return errInvalidAttributeValue("Invalid value for the parameter SqsManagedSseEnabled. Reason: You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.")
		}
		c.SqsManagedSseEnabled = b
		return nil
	}
	return errInvalidAttributeName("Unknown Attribute %s.", clip(name, 256))
}

func parseBool(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// parseRedrivePolicy accepts maxReceiveCount as a number or a numeric
// string, as AWS does.
func parseRedrivePolicy(v string) (*redrivePolicy, error) {
	bad := func(reason string) error {
		return errInvalidParameter("Value %s for parameter RedrivePolicy is invalid. Reason: %s", clip(v, 512), reason)
	}
	var raw map[string]json.RawMessage
	if len(v) > 4096 || json.Unmarshal([]byte(v), &raw) != nil {
		return nil, bad("Redrive policy is not a valid JSON map.")
	}
	for k := range raw {
		if k != "deadLetterTargetArn" && k != "maxReceiveCount" {
			return nil, bad("Only following keys are supported: deadLetterTargetArn, maxReceiveCount.")
		}
	}
	var arn string
	if json.Unmarshal(raw["deadLetterTargetArn"], &arn) != nil || arn == "" {
		return nil, bad("Redrive policy does not contain mandatory attribute: deadLetterTargetArn.")
	}
	mrc, ok := raw["maxReceiveCount"]
	if !ok {
		return nil, bad("Redrive policy does not contain mandatory attribute: maxReceiveCount.")
	}
	var n int64
	var s string
	if json.Unmarshal(mrc, &s) == nil {
		parsed, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, bad("Invalid value for maxReceiveCount: " + clip(s, 64) + ", valid values are from 1 to 1000 both inclusive.")
		}
		n = parsed
	} else if json.Unmarshal(mrc, &n) != nil {
		return nil, bad("Invalid value for maxReceiveCount, valid values are from 1 to 1000 both inclusive.")
	}
	if n < 1 || n > maxRedriveCount {
		return nil, bad("Invalid value for maxReceiveCount: " + strconv.FormatInt(n, 10) + ", valid values are from 1 to 1000 both inclusive.")
	}
	if _, _, ok := parseQueueArn(arn); !ok {
		return nil, bad("Invalid value for deadLetterTargetArn.")
	}
	return &redrivePolicy{DeadLetterTargetArn: arn, MaxReceiveCount: n}, nil
}

func parseRedriveAllow(v string) (*redriveAllow, error) {
	bad := func(reason string) error {
		return errInvalidParameter("Value %s for parameter RedriveAllowPolicy is invalid. Reason: %s", clip(v, 512), reason)
	}
	var p redriveAllow
	dec := json.NewDecoder(strings.NewReader(v))
	dec.DisallowUnknownFields()
	if len(v) > 8192 || dec.Decode(&p) != nil {
		return nil, bad("Amazon SQS can't parse the redrive allow policy.")
	}
	switch p.RedrivePermission {
	case "allowAll", "denyAll":
		if len(p.SourceQueueArns) > 0 {
			return nil, bad("sourceQueueArns can be specified only when redrivePermission is byQueue.")
		}
	case "byQueue":
		if len(p.SourceQueueArns) == 0 || len(p.SourceQueueArns) > maxRedriveAllowArns {
			return nil, bad("sourceQueueArns must hold 1 to 10 queue ARNs when redrivePermission is byQueue.")
		}
		for _, a := range p.SourceQueueArns {
			if _, _, ok := parseQueueArn(a); !ok {
				return nil, bad("Invalid source queue ARN " + clip(a, 256) + ".")
			}
		}
	default:
		return nil, bad("redrivePermission must be allowAll, denyAll or byQueue.")
	}
	return &p, nil
}

// permits reports whether a queue with ARN src may use the policy's queue
// as its dead-letter queue. No policy allows everyone.
func (p *redriveAllow) permits(src string) bool {
	if p == nil {
		return true
	}
	switch p.RedrivePermission {
	case "denyAll":
		return false
	case "byQueue":
		for _, a := range p.SourceQueueArns {
			if a == src {
				return true
			}
		}
		return false
	}
	return true
}

func (p *redrivePolicy) String() string {
	b, _ := json.Marshal(p)
	return string(b)
}

func (p *redriveAllow) String() string {
	b, _ := json.Marshal(p)
	return string(b)
}

// render gives the settable attributes as GetQueueAttributes reports them.
func (c *queueConfig) render() map[string]string {
	m := map[string]string{
		"DelaySeconds":                  strconv.FormatInt(c.DelaySeconds, 10),
		"MaximumMessageSize":            strconv.FormatInt(c.MaximumMessageSize, 10),
		"MessageRetentionPeriod":        strconv.FormatInt(c.MessageRetentionPeriod, 10),
		"ReceiveMessageWaitTimeSeconds": strconv.FormatInt(c.ReceiveMessageWaitTimeSeconds, 10),
		"VisibilityTimeout":             strconv.FormatInt(c.VisibilityTimeout, 10),
		"SqsManagedSseEnabled":          strconv.FormatBool(c.SqsManagedSseEnabled),
	}
	if c.Policy != "" {
		m["Policy"] = c.Policy
	}
	if c.Redrive != nil {
		m["RedrivePolicy"] = c.Redrive.String()
	}
	if c.RedriveAllow != nil {
		m["RedriveAllowPolicy"] = c.RedriveAllow.String()
	}
	if c.KmsMasterKeyID != "" {
		m["KmsMasterKeyId"] = c.KmsMasterKeyID
		m["KmsDataKeyReusePeriodSeconds"] = strconv.FormatInt(c.KmsDataKeyReusePeriodSeconds, 10)
	}
	if c.FifoQueue {
		m["FifoQueue"] = "true"
		m["ContentBasedDeduplication"] = strconv.FormatBool(c.ContentBasedDeduplication)
		m["DeduplicationScope"] = c.DeduplicationScope
		m["FifoThroughputLimit"] = c.FifoThroughputLimit
	}
	return m
}

// firstDifference names the first of names whose rendered value differs
// between a and b, for QueueNameExists.
func firstDifference(a, b *queueConfig, names []string) string {
	ra, rb := a.render(), b.render()
	sort.Strings(names)
	for _, n := range names {
		if ra[n] != rb[n] {
			return n
		}
	}
	return ""
}

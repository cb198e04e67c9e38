package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"time"
)

// awsTime is a timestamp as JSON 1.1 answers carry it: epoch seconds, here
// from a value in epoch milliseconds.
type awsTime int64

func (t awsTime) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(t)/1000, 'f', -1, 64), nil
}

func timeOrNil(ms int64) *awsTime {
	if ms == 0 {
		return nil
	}
	t := awsTime(ms)
	return &t
}

// The shapes below are both the wire shapes (field names are AWS's member
// names) and what the store keeps.

type tag struct {
	Key   *string `json:",omitempty"`
	Value *string `json:",omitempty"`
}

type deadLetterConfig struct {
	Arn *string `json:",omitempty"`
}

type logConfig struct {
	IncludeDetail string `json:",omitempty"`
	Level         string `json:",omitempty"`
}

type busRecord struct {
	Name             string
	Description      string            `json:",omitempty"`
	KmsKeyIdentifier string            `json:",omitempty"`
	DeadLetterConfig *deadLetterConfig `json:",omitempty"`
	LogConfig        *logConfig        `json:",omitempty"`
	Created          int64             `json:",omitempty"`
	Modified         int64             `json:",omitempty"`
}

type ruleRecord struct {
	Name               string
	Bus                string
	EventPattern       string `json:",omitempty"`
	ScheduleExpression string `json:",omitempty"`
	State              string
	Description        string `json:",omitempty"`
	RoleArn            string `json:",omitempty"`
	Created            int64
	Modified           int64
	Targets            []target `json:",omitempty"`
}

type target struct {
	Id                *string            `json:",omitempty"`
	Arn               *string            `json:",omitempty"`
	RoleArn           *string            `json:",omitempty"`
	Input             *string            `json:",omitempty"`
	InputPath         *string            `json:",omitempty"`
	InputTransformer  *inputTransformer  `json:",omitempty"`
	RetryPolicy       *retryPolicy       `json:",omitempty"`
	DeadLetterConfig  *deadLetterConfig  `json:",omitempty"`
	KinesisParameters *kinesisParameters `json:",omitempty"`
	HttpParameters    *httpParameters    `json:",omitempty"`
	SqsParameters     *sqsParameters     `json:",omitempty"`
	// Parameters of target kinds the engine does not deliver to are kept
	// as sent, so that ListTargetsByRule gives them back.
	EcsParameters               json.RawMessage `json:",omitempty"`
	BatchParameters             json.RawMessage `json:",omitempty"`
	RunCommandParameters        json.RawMessage `json:",omitempty"`
	RedshiftDataParameters      json.RawMessage `json:",omitempty"`
	SageMakerPipelineParameters json.RawMessage `json:",omitempty"`
	AppSyncParameters           json.RawMessage `json:",omitempty"`
}

type inputTransformer struct {
	InputPathsMap map[string]string `json:",omitempty"`
	InputTemplate *string           `json:",omitempty"`
}

type retryPolicy struct {
	MaximumRetryAttempts     *int64 `json:",omitempty"`
	MaximumEventAgeInSeconds *int64 `json:",omitempty"`
}

type kinesisParameters struct {
	PartitionKeyPath *string `json:",omitempty"`
}

type httpParameters struct {
	PathParameterValues   []string          `json:",omitempty"`
	HeaderParameters      map[string]string `json:",omitempty"`
	QueryStringParameters map[string]string `json:",omitempty"`
}

type sqsParameters struct {
	MessageGroupId *string `json:",omitempty"`
}

// Retry policy defaults and limits.
const (
	defaultMaxRetries  = 185
	defaultMaxAgeSecs  = 86400
	minEventAgeSeconds = 60
)

func (t *target) maxRetries() int64 {
	if t.RetryPolicy != nil && t.RetryPolicy.MaximumRetryAttempts != nil {
		return *t.RetryPolicy.MaximumRetryAttempts
	}
	return defaultMaxRetries
}

func (t *target) maxAge() time.Duration {
	if t.RetryPolicy != nil && t.RetryPolicy.MaximumEventAgeInSeconds != nil {
		return time.Duration(*t.RetryPolicy.MaximumEventAgeInSeconds) * time.Second
	}
	return defaultMaxAgeSecs * time.Second
}

type connectionRecord struct {
	Name              string
	ID                string
	Description       string `json:",omitempty"`
	AuthorizationType string
	Auth              connectionAuth
	State             string
	Created           int64
	Modified          int64
	Authorized        int64 `json:",omitempty"`
}

// connectionAuth is CreateConnection's and UpdateConnection's
// AuthParameters, secrets included; describe strips them.
type connectionAuth struct {
	ApiKeyAuthParameters     *apiKeyAuth           `json:",omitempty"`
	BasicAuthParameters      *basicAuth            `json:",omitempty"`
	OAuthParameters          *oauthParameters      `json:",omitempty"`
	InvocationHttpParameters *connectionHTTPParams `json:",omitempty"`
}

type apiKeyAuth struct {
	ApiKeyName  *string `json:",omitempty"`
	ApiKeyValue *string `json:",omitempty"`
}

type basicAuth struct {
	Username *string `json:",omitempty"`
	Password *string `json:",omitempty"`
}

type oauthParameters struct {
	AuthorizationEndpoint *string               `json:",omitempty"`
	HttpMethod            *string               `json:",omitempty"`
	ClientParameters      *oauthClient          `json:",omitempty"`
	OAuthHttpParameters   *connectionHTTPParams `json:",omitempty"`
}

type oauthClient struct {
	ClientID     *string `json:",omitempty"`
	ClientSecret *string `json:",omitempty"`
}

type connectionHTTPParams struct {
	HeaderParameters      []connectionParam `json:",omitempty"`
	QueryStringParameters []connectionParam `json:",omitempty"`
	BodyParameters        []connectionParam `json:",omitempty"`
}

type connectionParam struct {
	Key           *string `json:",omitempty"`
	Value         *string `json:",omitempty"`
	IsValueSecret bool
}

type apiDestinationRecord struct {
	Name               string
	ID                 string
	Description        string `json:",omitempty"`
	ConnectionArn      string
	InvocationEndpoint string
	HttpMethod         string
	RateLimit          int64
	State              string
	Created            int64
	Modified           int64
}

// eventRecord is an accepted event with deliveries pending.
type eventRecord struct {
	Region string `json:"r"`
	Bus    string `json:"b"`
	ID     string `json:"i"`
	Ingest int64  `json:"t"` // epoch ms
	// Body is the event as delivered (EventBridge's envelope); it is kept
	// after the JSON header, not inside it, to spare re-encoding it.
	Body []byte `json:"-"`
}

func (r *eventRecord) encode() ([]byte, error) {
	head, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(head)+1+len(r.Body))
	out = append(append(head, '\n'), r.Body...)
	return out, nil
}

func decodeEventRecord(raw []byte) (eventRecord, error) {
	var r eventRecord
	head, body, ok := bytes.Cut(raw, []byte{'\n'})
	if !ok {
		return r, errors.New("event record without body")
	}
	if err := json.Unmarshal(head, &r); err != nil {
		return r, err
	}
	r.Body = bytes.Clone(body)
	return r, nil
}

// taskRecord is one pending delivery of an event to a target.
type taskRecord struct {
	Rule      string `json:"r"`
	TargetID  string `json:"t"`
	RuleArn   string `json:"ra"`
	TargetArn string `json:"ta"`
	Attempts  int64  `json:"n,omitempty"`
	Due       int64  `json:"d"` // unix ns
	ErrCode   string `json:"ec,omitempty"`
	ErrMsg    string `json:"em,omitempty"`
}

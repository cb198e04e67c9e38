package pipes

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/sluicehq/sluice/localengine/wire"
)

const (
	defaultListLimit = 100
	maxListLimit     = 100
)

type listOutput struct {
	NextToken *string     `json:"NextToken,omitempty"`
	Pipes     []listEntry `json:"Pipes"`
}

// listQuery is ListPipes' query string, validated.
type listQuery struct {
	namePrefix, sourcePrefix, targetPrefix string
	current, desired                       string
	limit                                  int
	after                                  string // last name of the previous page
}

func parseListQuery(rawQuery string) (listQuery, error) {
	q := listQuery{limit: defaultListLimit}
	vals, err := url.ParseQuery(rawQuery)
	if err != nil {
		return q, invalid("query", "The query string could not be parsed.")
	}
	get := func(k string) *string {
		if !vals.Has(k) {
			return nil
		}
		s := vals.Get(k)
		return &s
	}
	var v validation
	if s := get("NamePrefix"); s != nil {
		v.length(s, "namePrefix", 1, 64)
		if *s != "" && !validPipeName(*s) && len(*s) <= 64 {
			v.constraint("namePrefix", *s, nameRule)
		}
		q.namePrefix = *s
	}
	if s := get("SourcePrefix"); s != nil {
		v.length(s, "sourcePrefix", 1, maxArnLength)
		q.sourcePrefix = *s
	}
	if s := get("TargetPrefix"); s != nil {
		v.length(s, "targetPrefix", 1, maxArnLength)
		q.targetPrefix = *s
	}
	allStates := []string{stateRunning, stateStopped, stateCreating, stateUpdating, stateDeleting,
		stateStarting, stateStopping, "CREATE_FAILED", "UPDATE_FAILED", "START_FAILED", "STOP_FAILED",
		"DELETE_FAILED", "CREATE_ROLLBACK_FAILED", "DELETE_ROLLBACK_FAILED", "UPDATE_ROLLBACK_FAILED"}
	if s := get("CurrentState"); s != nil {
		v.enum(s, "currentState", allStates...)
		q.current = *s
	}
	if s := get("DesiredState"); s != nil {
		v.enum(s, "desiredState", stateRunning, stateStopped)
		q.desired = *s
	}
	if s := get("Limit"); s != nil {
		n, err := strconv.ParseInt(*s, 10, 64)
		if err != nil {
			v.constraint("limit", *s, "Member must be an integer")
		} else {
			v.intRange(&n, "limit", 1, maxListLimit)
			q.limit = int(min(max(n, 1), maxListLimit))
		}
	}
	if s := get("NextToken"); s != nil {
		name, ok := openToken(*s)
		if !ok {
			v.fail("nextToken", "The NextToken is not valid.")
		}
		q.after = name
	}
	return q, v.err()
}

// Page tokens carry the name of the last pipe listed; they are opaque to
// clients, not secret.
const tokenPrefix = "pipes1:"

func sealToken(name string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(tokenPrefix + name))
}

func openToken(tok string) (string, bool) {
	if len(tok) > 2048 {
		return "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return "", false
	}
	name, ok := strings.CutPrefix(string(raw), tokenPrefix)
	if !ok || !validPipeName(name) {
		return "", false
	}
	return name, true
}

func (q *listQuery) match(p *pipeRecord) bool {
	return strings.HasPrefix(p.Name, q.namePrefix) &&
		strings.HasPrefix(p.Source, q.sourcePrefix) &&
		strings.HasPrefix(p.Target, q.targetPrefix) &&
		(q.current == "" || p.Current == q.current) &&
		(q.desired == "" || p.Desired == q.desired)
}

func (s *Service) listPipes(ctx context.Context, rawQuery string) (any, error) {
	q, err := parseListQuery(rawQuery)
	if err != nil {
		return nil, err
	}
	region := wire.Region(ctx)
	out := listOutput{Pipes: []listEntry{}}
	prefix := pipeKey(region, "")
	err = s.store.View(func(tx *bolt.Tx) error {
		c := root(tx).Bucket(bucketDefs).Cursor()
		start := pipeKey(region, q.namePrefix)
		if q.after != "" {
			if after := append(pipeKey(region, q.after), 0); bytes.Compare(after, start) > 0 {
				start = after
			}
		}
		for k, v := c.Seek(start); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var p pipeRecord
			if err := json.Unmarshal(v, &p); err != nil {
				return err
			}
			if !strings.HasPrefix(p.Name, q.namePrefix) {
				break // past the names with the prefix
			}
			if !q.match(&p) {
				continue
			}
			if len(out.Pipes) == q.limit {
				tok := sealToken(out.Pipes[len(out.Pipes)-1].Name)
				out.NextToken = &tok
				break
			}
			out.Pipes = append(out.Pipes, p.listEntry())
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

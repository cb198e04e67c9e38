package sqs

import (
	"net/url"
	"strings"

	"github.com/sluicehq/sluice/localengine/wire"
)

const (
	maxQueueName = 80
	fifoSuffix   = ".fifo"
)

// validQueueName checks AWS's queue name rule: 1 to 80 alphanumeric
// characters, hyphens or underscores, FIFO names ending in ".fifo" (which
// counts towards the 80).
func validQueueName(name string, fifo bool) bool {
	if len(name) == 0 || len(name) > maxQueueName {
		return false
	}
	base := name
	if fifo {
		var ok bool
		if base, ok = strings.CutSuffix(name, fifoSuffix); !ok || base == "" {
			return false
		}
	}
	for i := 0; i < len(base); i++ {
		if !isNameChar(base[i]) {
			return false
		}
	}
	return true
}

func isNameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// queueNameFromURL takes the queue name from a queue URL: any scheme and
// host, path /<account>/<name>. A bare path is accepted too. The name is
// not checked here: a URL of the right shape names a queue that may not
// exist (QueueDoesNotExist), one of another shape is InvalidAddress.
func queueNameFromURL(raw string) (string, bool) {
	if raw == "" || len(raw) > 2048 {
		return "", false
	}
	path := raw
	if strings.Contains(raw, "://") {
		u, err := url.Parse(raw)
		if err != nil {
			return "", false
		}
		path = u.Path
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		return "", false
	}
	return parts[1], true
}

func queueURL(base, name string) string {
	return strings.TrimSuffix(base, "/") + "/" + wire.Account + "/" + name
}

func queueArn(region, name string) string {
	return "arn:aws:sqs:" + region + ":" + wire.Account + ":" + name
}

// parseQueueArn splits arn:aws:sqs:<region>:<account>:<name>; only this
// engine's account is accepted.
func parseQueueArn(arn string) (region, name string, ok bool) {
	parts := strings.Split(arn, ":")
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sqs" || parts[1] == "" ||
		parts[3] == "" || parts[4] != wire.Account {
		return "", "", false
	}
	name = parts[5]
	if !validQueueName(name, strings.HasSuffix(name, fifoSuffix)) {
		return "", "", false
	}
	return parts[3], name, true
}

// validBatchID is AWS's rule for batch entry ids.
func validBatchID(id string) bool {
	if id == "" || len(id) > 80 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !isNameChar(id[i]) {
			return false
		}
	}
	return true
}

// validToken checks MessageGroupId, MessageDeduplicationId and
// ReceiveRequestAttemptId: 1 to 128 alphanumeric or punctuation characters.
func validToken(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}

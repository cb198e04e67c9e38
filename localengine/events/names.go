package events

import (
	"strconv"
	"strings"

	"github.com/sluicehq/sluice/localengine/wire"
)

// AWS's name patterns, quoted in validation messages.
const (
	namePattern      = `[\.\-_A-Za-z0-9]+`
	busNamePattern   = `[/\.\-_A-Za-z0-9]+`
	busOrArnPattern  = `(arn:aws[\w-]*:events:[a-z]{2}-[a-z]+-[\w-]+:[0-9]{12}:event-bus\/)?[/\.\-_A-Za-z0-9]+`
	defaultBus       = "default"
	maxRuleName      = 64
	maxBusName       = 256
	maxBusNameOrArn  = 1600
	maxDescription   = 512
	maxArn           = 1600
	maxEventPattern  = 4096
	maxTargetsInRule = 5
)

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_'
}

// validName checks [\.\-_A-Za-z0-9]+ (rules, targets, connections, API
// destinations).
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isNameByte(s[i]) {
			return false
		}
	}
	return true
}

// validBusName checks [/\.\-_A-Za-z0-9]+.
func validBusName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isNameByte(s[i]) && s[i] != '/' {
			return false
		}
	}
	return true
}

// validBusNameOrArn checks the EventBusNameOrArn pattern loosely enough
// for any ARN this engine makes, strictly enough to refuse junk.
func validBusNameOrArn(s string) bool {
	if rest, ok := strings.CutPrefix(s, "arn:"); ok {
		i := strings.Index(rest, ":event-bus/")
		if i < 0 {
			return false
		}
		return validBusName(rest[i+len(":event-bus/"):])
	}
	return validBusName(s)
}

func busArn(region, name string) string {
	return "arn:aws:events:" + region + ":" + wire.Account + ":event-bus/" + name
}

// ruleArn is rule/<name> on the default bus and rule/<bus>/<name> on a
// custom one, as AWS makes them.
func ruleArn(region, bus, name string) string {
	if bus == defaultBus {
		return "arn:aws:events:" + region + ":" + wire.Account + ":rule/" + name
	}
	return "arn:aws:events:" + region + ":" + wire.Account + ":rule/" + bus + "/" + name
}

func connectionArn(region, name, id string) string {
	return "arn:aws:events:" + region + ":" + wire.Account + ":connection/" + name + "/" + id
}

func apiDestinationArn(region, name, id string) string {
	return "arn:aws:events:" + region + ":" + wire.Account + ":api-destination/" + name + "/" + id
}

func connectionSecretArn(region, name, id string) string {
	return "arn:aws:secretsmanager:" + region + ":" + wire.Account + ":secret:events!connection/" + name + "/" + id
}

// arnParts splits arn:<partition>:<service>:<region>:<account>:<resource>.
type arnParts struct {
	service, region, account, resource string
}

func parseArn(s string) (arnParts, bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" {
		return arnParts{}, false
	}
	return arnParts{service: parts[2], region: parts[3], account: parts[4], resource: parts[5]}, true
}

// busName resolves an EventBusName parameter (a name or an event bus ARN,
// defaulting to "default") in region. An ARN of another region or account
// names a bus that does not exist here.
func busName(region string, nameOrArn *string) (string, error) {
	if nameOrArn == nil || *nameOrArn == "" {
		return defaultBus, nil
	}
	s := *nameOrArn
	if !strings.HasPrefix(s, "arn:") {
		return s, nil
	}
	a, ok := parseArn(s)
	name, isBus := strings.CutPrefix(a.resource, "event-bus/")
	if !ok || a.service != "events" || !isBus || a.region != region || a.account != wire.Account || name == "" {
		return "", busNotFound(s)
	}
	return name, nil
}

func itoa(n int) string      { return strconv.Itoa(n) }
func itoa64(n int64) string  { return strconv.FormatInt(n, 10) }
func ptr[T any](v T) *T      { return &v }
func deref(s *string) string { return derefOr(s, "") }

func derefOr(s *string, def string) string {
	if s == nil {
		return def
	}
	return *s
}

package backend

import (
	"errors"
	"net"
	"net/url"

	"github.com/aws/smithy-go"
)

// NetworkError says that a call never reached its endpoint, naming the
// host, so that a DNS failure on the way to STS or to the SSO portal is
// not taken for a credentials problem.
type NetworkError struct {
	// Operation is "STS GetCallerIdentity" when known.
	Operation string
	// Host is the host (and port, when the URL names one) not reached.
	Host string
	// Cause is the network's answer: "no such host", "connection refused".
	Cause string
	// Profile is set when the call was fetching the profile's credentials.
	Profile string
	Err     error
}

func (e *NetworkError) Error() string {
	msg := "cannot reach " + e.Host + ": " + e.Cause
	if e.Profile != "" {
		msg += " (while getting the credentials of profile " + e.Profile + ")"
	}
	if e.Operation != "" {
		msg = e.Operation + ": " + msg
	}
	return msg
}

func (e *NetworkError) Unwrap() error { return e.Err }

// networkError finds the network failure in err, or nil. retrieving says
// the call was fetching p's credentials.
func networkError(err error, p Profile, retrieving bool) *NetworkError {
	var dns *net.DNSError
	var op *net.OpError
	isDNS, isOp := errors.As(err, &dns), errors.As(err, &op)
	if !isDNS && !isOp {
		return nil
	}
	ne := &NetworkError{Err: err}
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			ne.Host = u.Host
		}
	}
	switch {
	case isDNS:
		ne.Host = firstNonEmpty(ne.Host, dns.Name)
		ne.Cause = "DNS: " + dns.Err
	default:
		if ne.Host == "" && op.Addr != nil {
			ne.Host = op.Addr.String()
		}
		ne.Cause = op.Err.Error()
	}
	ne.Host = firstNonEmpty(ne.Host, "the endpoint")
	// The innermost operation is the one that failed to connect: the
	// AssumeRole inside a GetCallerIdentity that needed credentials.
	var oe *smithy.OperationError
	for e := err; errors.As(e, &oe); e = oe.Err {
		ne.Operation = oe.ServiceID + " " + oe.OperationName
	}
	if retrieving {
		ne.Profile = p.Name
	}
	return ne
}

// isMetadataHost reports whether host is the EC2 instance metadata
// service, which the SDK asks last for credentials.
func isMetadataHost(host string) bool {
	h, _, err := net.SplitHostPort(host)
	if err != nil {
		h = host
	}
	return h == "169.254.169.254" || h == "fd00:ec2::254" || h == "[fd00:ec2::254]"
}
